"""Replay and share: real pywb on 127.0.0.1 serves what a crawl and a fetch archived, and
a WACZ export passes `wacz validate` and replays in pywb too.

One crawl of three simulated outlets (a syndicated story among their articles) and one
fetch into the same archive serve every test here; `newsarchive replay` runs as a user
runs it, in its own process.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import queue
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import zipfile
from email.message import Message
from pathlib import Path

import pytest

from archive import ArchiveReader, ArchiveSession, LocalStore, S3Store
from archive.replay import PywbServer, free_port, json_replay_url, pywb_bin, replay_url
from archive.warc import ARTICLE_URI_PREFIX
from tests.cli import BIN, newsarchive
from tests.integration.syndication import OUTLETS, crawl, syndicate
from tests.sim import OutletSimulator
from tests.unit.test_archive_support import REQUEST, RESPONSE, T0, URL, make_article, record_ids

pytestmark = pytest.mark.timeout(300)  # the first use installs pywb (about a minute)


@pytest.fixture(scope="module")
def pywb():
    return pywb_bin(say=print)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The crawled archive, plus one page fetched on its own (`newsarchive fetch`)."""
    root = tmp_path_factory.mktemp("replay")
    with OutletSimulator(OUTLETS) as sim:
        syndicated = syndicate(sim)
        archive = crawl(sim, root)
        fetched = sim.add_article("tass-en")
        newsarchive("fetch", fetched, "--archive", str(archive), "--outlet", "tass-en",
                    env={"NEWSARCHIVE_HOME": str(root / "home")}, check=True)
    return {"root": root, "archive": archive, "syndicated": syndicated, "fetched": fetched}


@contextlib.contextmanager
def serving(archive: str | Path, *, args: tuple[str, ...] = ()):
    """`newsarchive replay` in its own process: yields the lines it printed once serving."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "replay", "--archive", str(archive),
                             "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=120)
        assert first is not None, proc.stderr.read()
        second = lines.get(timeout=30)
        assert f"at http://127.0.0.1:{port}/archive/" in first
        yield first.rsplit(" at ", 1)[1].split()[0], second
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
    with pytest.raises(OSError):  # pywb stopped with it
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


def get(url: str) -> tuple[int, Message, bytes]:
    """Status, headers (names case-insensitive, as sent) and body, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def decoded(headers: Message, body: bytes) -> bytes:
    return gzip.decompress(body) if (headers.get("Content-Encoding") or "").lower() == "gzip" else body


def header(headers, name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name.lower()), None)


@pytest.fixture(scope="module")
def replay(site, pywb):
    with serving(site["archive"]) as (base, page_line):
        yield {"base": base, "page_line": page_line}


def test_every_archived_article_replays_as_the_page_that_was_fetched(site, replay):
    reader = ArchiveReader(LocalStore(site["archive"]))
    articles = list(reader.articles())
    assert len(articles) >= 20 and site["fetched"] in {a.url for a in articles}
    for article in articles:
        archived_headers, archived_body = reader.decoded_response(article)
        status, headers, body = get(replay_url(replay["base"], article, "id_"))
        assert status == 200, article.url
        assert headers["Content-Type"] == header(archived_headers, "Content-Type"), article.url
        assert decoded(headers, body) == archived_body, article.url
        # The framed view's content (links rewritten into the archive) is the page too.
        status, headers, body = get(replay_url(replay["base"], article, "mp_"))
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert article.title.split()[0].encode() in decoded(headers, body)


def test_the_article_json_stays_reachable_through_its_own_record(site, replay):
    reader = ArchiveReader(LocalStore(site["archive"]))
    for article in reader.articles(outlet="global-times"):
        status, headers, body = get(json_replay_url(replay["base"], article))
        assert status == 200 and headers["Content-Type"] == "application/json"
        assert json.loads(body) == article.to_dict()
    # In the CDX index, the page's URL lists the page only; the JSON has its urn.
    article = next(reader.articles(outlet="global-times"))
    status, _, body = get(f"{replay['base']}cdx?url={article.url}&output=json")
    assert status == 200
    assert {json.loads(line)["mime"] for line in body.decode().splitlines()} == {"text/html"}
    status, _, body = get(f"{replay['base']}cdx?url={ARTICLE_URI_PREFIX}{article.url}&output=json")
    assert [json.loads(line)["mime"] for line in body.decode().splitlines()] == ["application/json"]


def test_replay_prints_a_page_link_and_cat_gives_an_articles_replay_link(site, replay):
    article_id, link = replay["page_line"].split(": ", 1)
    status, headers, body = get(link)  # the framed page: pywb's banner around the archived page
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    cat = newsarchive("cat", article_id, "--replay-url", "--archive", str(site["archive"]),
                      "--replay-base", replay["base"], check=True)
    assert cat.stdout.strip() == link
    syndicated = ArchiveReader(LocalStore(site["archive"])).articles(outlet="xinhua-en")
    article = next(a for a in syndicated if a.url == site["syndicated"]["xinhua-en"])
    cat = newsarchive("cat", article.id, "--replay-url", "--archive", str(site["archive"]),
                      env={"NEWSARCHIVE_REPLAY_URL": replay["base"]}, check=True)
    status, _, body = get(cat.stdout.strip())
    assert status == 200 and article.url.encode() in body


def test_an_archive_written_before_urn_records_replays_pages_after_reindex(tmp_path, pywb, monkeypatch):
    """Older versions named the JSON record by the page's URL; replay served the JSON."""
    import archive.index
    import archive.warc

    root = tmp_path / "archive"
    monkeypatch.setattr(archive.warc, "article_record_uri", lambda url: url)  # as older versions wrote
    monkeypatch.setattr(archive.index, "rekey_article_lines", lambda lines, _: (list(lines), 0))  # ...and indexed
    with ArchiveSession(LocalStore(root), spool_dir=tmp_path / "spool", run_id="old", warcinfo={"software": "old"},
                        clock=lambda: T0, record_id_factory=record_ids()) as session:
        ref = session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
        session.write_article(make_article(warc=ref), "added")
    monkeypatch.undo()
    article = next(ArchiveReader(LocalStore(root)).articles())
    with serving(root) as (base, _):
        status, headers, _ = get(replay_url(base, article, "id_"))
        assert (status, headers["Content-Type"]) == (200, "application/json")  # the bug this repairs
    repaired = newsarchive("reindex", "--archive", str(root), "--json", check=True)
    assert json.loads(repaired.stdout) == {"indexes": 1, "rewritten": 1, "records": 1, "dry_run": False}
    with serving(root) as (base, _):
        status, headers, body = get(replay_url(base, article, "id_"))
        assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
        assert decoded(headers, body) == ArchiveReader(LocalStore(root)).decoded_response(article)[1]
        status, headers, body = get(json_replay_url(base, article))
        assert status == 200 and json.loads(body)["id"] == article.id
    assert newsarchive("verify", "--archive", str(root), check=True).returncode == 0


def test_replay_serves_an_s3_archive(site, s3, pywb):
    store = S3Store(s3.client(), "news", "coverage")
    for path in sorted(p for p in site["archive"].rglob("*") if p.is_file()):
        store.put_file(path.relative_to(site["archive"]).as_posix(), path)
    reader = ArchiveReader(store)
    article = next(reader.articles(outlet="tass-en"))
    with serving("s3://news/coverage") as (base, _):
        status, headers, body = get(replay_url(base, article, "id_"))
        assert status == 200 and decoded(headers, body) == reader.decoded_response(article)[1]
        status, _, body = get(json_replay_url(base, article))
        assert status == 200 and json.loads(body) == article.to_dict()


# -- WACZ ----------------------------------------------------------------------------------


def test_a_wacz_export_validates_and_replays_in_pywb(site, pywb, tmp_path):
    out = tmp_path / "coverage.wacz"
    proc = newsarchive("export", "--archive", str(site["archive"]), "--format", "wacz", "-o", str(out),
                       "--outlet", "tass-en", check=True)
    reader = ArchiveReader(LocalStore(site["archive"]))
    articles = list(reader.articles(outlet="tass-en"))
    assert f"exported {len(articles)} articles" in proc.stderr
    validate = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(out)], capture_output=True, text=True)
    assert validate.returncode == 0 and "valid" in validate.stdout, validate.stdout + validate.stderr
    with zipfile.ZipFile(out) as wacz:
        names = set(wacz.namelist())
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").splitlines()]
        package = json.loads(wacz.read("datapackage.json"))
    assert {"datapackage.json", "datapackage-digest.json", "pages/pages.jsonl"} <= names
    assert any(name.startswith("archive/") and name.endswith(".warc.gz") for name in names)
    assert any(name.startswith("indexes/") for name in names)
    assert all(resource["hash"].startswith("sha256:") for resource in package["resources"])
    assert {(p["url"], p["title"], p["id"]) for p in pages[1:]} == {(a.url, a.title, a.id) for a in articles}
    assert not any(p["url"].startswith(tuple(site["syndicated"][n] for n in ("xinhua-en", "global-times")))
                   for p in pages[1:])  # only the chosen outlet

    folder = tmp_path / "pywb"
    folder.mkdir()
    for command in (["init", "archive"], ["add", "--unpack-wacz", "archive", str(out)]):
        run = subprocess.run([str(pywb / "wb-manager"), *command], cwd=folder, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
    with PywbServer(folder, free_port(), bin_dir=pywb) as server:
        for article in articles:
            status, headers, body = get(replay_url(server.base_url, article, "id_"))
            assert status == 200, article.url
            assert decoded(headers, body) == reader.decoded_response(article)[1]
            status, headers, body = get(json_replay_url(server.base_url, article))
            assert status == 200 and json.loads(body)["id"] == article.id


def test_export_wacz_with_no_match_says_so(site, tmp_path):
    proc = newsarchive("export", "--archive", str(site["archive"]), "--format", "wacz", "-o", str(tmp_path / "x.wacz"),
                       "--outlet", "nobody")
    assert proc.returncode == 1 and "nothing to export" in proc.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_replay_on_a_port_already_taken_is_a_set_up_error(site):
    # Another server there answered pywb's readiness probe: replay announced its URL, then
    # pywb failed to bind and exited with a traceback fragment.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = newsarchive("replay", "--port", str(port), "--archive", str(site["archive"]), timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"newsarchive replay: port {port} on 127.0.0.1 is in use: pick another with --port (0: any free port)"]
