"""The spine, end to end: `newsarchive fetch URL` -> WARC + clean JSON, local and S3.

Real parts only: pages come from HTTP servers on 127.0.0.1, S3 is moto's server over
HTTP, the CLI runs in its own process, and the WARCs are checked by warcio and
cdxj-indexer themselves.
"""

from __future__ import annotations

import gzip
import io
import socket
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.cli import BIN, newsarchive
from tests.servers import Page, RawSite, StaticSite

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "extract/schema/article.schema.json").read_text())

PARAGRAPHS = [
    "Foreign ministers of the alliance met in Brussels on Tuesday to discuss the planned "
    "missile defence system, officials said after the talks ended late in the evening.",
    "The ministers agreed to continue consultations with Moscow, but no date was set for "
    "the next round, according to a statement released by the secretariat.",
    "Analysts said the meeting showed that both sides wanted to avoid a public break, even "
    "though their positions on the radar sites remained far apart.",
    "A spokesman for the foreign ministry said the government hoped the parties would handle "
    "the issue in a way that respected each other's security concerns.",
    "The defence ministers are due to meet again in February, when the alliance expects to "
    "review the first phase of the deployment in southern Europe.",
]


def article_page(title: str = "Ministers agree to keep talking on missile defence") -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - World News</title>
<meta property="og:title" content="{title}">
<meta name="publishdate" content="2026-11-20">
<link rel="canonical" href="/world/2026-11/20/content_1234567.htm">
</head><body>
<div class="nav"><a href="/">Home</a> | <a href="/world/">World</a> | <a href="/china/">China</a></div>
<div class="share">Print E-mail Bookmark and Share | Adjust font size: A A A</div>
<h1>{title}</h1><div class="byline">By Staff Reporter | 2026-11-20 14:05</div>
<div id="article-body">{body}</div>
<div class="related"><h3>Related</h3><ul><li><a href="/a.htm">Talks stall again</a></li>
<li><a href="/b.htm">Radar site plans</a></li></ul></div>
<div class="footer">Copyright 2026 World News. All rights reserved.</div>
</body></html>""".encode()


@pytest.fixture
def site():
    pages = {
        "/robots.txt": Page(b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}),
        "/world/2026-11/20/content_1234567.htm": Page(article_page()),
        "/private/secret.htm": Page(article_page("Secret")),
        "/logo.png": Page(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, headers={"Content-Type": "image/png"}),
    }
    with StaticSite(pages) as server:
        yield server


def warc_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.warc.gz"))


def records(path: Path) -> list[tuple[str, dict[str, str], bytes]]:
    out = []
    with path.open("rb") as fh:
        # no_record_parse: the block exactly as stored, HTTP head included.
        for record in ArchiveIterator(fh, no_record_parse=True):
            headers = dict(record.rec_headers.headers)
            out.append((record.rec_type, headers, record.raw_stream.read()))
    return out


def assert_standard_warc(path: Path) -> None:
    check = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([str(BIN / "cdxj-indexer"), str(path)], capture_output=True, text=True)
    assert index.returncode == 0, index.stderr
    assert index.stdout.strip(), "cdxj-indexer produced no lines"


def test_fetch_writes_warc_and_schema_valid_json(site, tmp_path, home):
    archive = tmp_path / "archive"
    url = site.url("/world/2026-11/20/content_1234567.htm")
    proc = newsarchive("fetch", url, "--archive", str(archive), "--outlet", "demo", check=True)
    article = json.loads(proc.stdout)
    jsonschema.validate(article, SCHEMA)
    assert article["title"] == "Ministers agree to keep talking on missile defence"
    assert article["published"].startswith("2026-11-20")
    assert article["language"] == "en"
    assert article["text"].split("\n\n")[0].startswith("Foreign ministers of the alliance")
    assert "Bookmark and Share" not in article["text"] and "Copyright" not in article["text"]
    assert article["outlet"] == "demo"

    # The JSON in the archive is the one printed, filed under outlet and date.
    stored = list(archive.glob(f"articles/demo/2026/11/20/{article['id']}.json"))
    assert len(stored) == 1 and json.loads(stored[0].read_text()) == article

    # Its provenance points at the response record it came from, in a standard WARC.
    (warc,) = warc_files(archive)
    assert article["warc"]["file"] == warc.relative_to(archive).as_posix()
    assert_standard_warc(warc)
    with warc.open("rb") as fh:
        fh.seek(article["warc"]["offset"])
        member = fh.read(article["warc"]["length"])
    record = next(iter(ArchiveIterator(io.BytesIO(member))))
    assert record.rec_type == "response"
    assert record.rec_headers.get_header("WARC-Record-ID") == article["warc"]["record_id"]
    assert record.rec_headers.get_header("WARC-Payload-Digest") == article["warc"]["payload_digest"]
    assert record.rec_headers.get_header("WARC-Target-URI") == url

    types = [rec_type for rec_type, _, _ in records(warc)]
    assert types[0] == "warcinfo"
    assert types.count("request") == types.count("response") >= 2  # robots.txt + the page
    assert "metadata" in types  # the article JSON, linked to its response


def test_an_update_that_moves_the_date_leaves_one_copy(site, tmp_path, home):
    """Re-fetched with a corrected publication date, the article moves to the new date
    folder and the old JSON is removed: one id, one object, and `verify` agrees."""
    archive = tmp_path / "archive"
    path = "/world/2026-11/20/content_1234567.htm"
    first = json.loads(newsarchive("fetch", site.url(path), "--archive", str(archive), "--outlet", "demo").stdout)
    original = site.pages[path]
    site.pages[path] = Page(original.body.replace(b'content="2026-11-20"', b'content="2026-11-19"')
                            .replace(b"2026-11-20 14:05", b"2026-11-19 14:05"))
    try:
        second = json.loads(newsarchive("fetch", site.url(path), "--archive", str(archive), "--outlet", "demo").stdout)
    finally:
        site.pages[path] = original
    assert second["id"] == first["id"] and second["published"].startswith("2026-11-19")
    stored = sorted(p.relative_to(archive).as_posix() for p in archive.glob("articles/**/*.json"))
    assert stored == [f"articles/demo/2026/11/19/{first['id']}.json"]
    verify = newsarchive("verify", "--archive", str(archive), check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_fetch_to_s3_uses_the_same_layout(site, tmp_path, home, s3):
    url = site.url("/world/2026-11/20/content_1234567.htm")
    proc = newsarchive("fetch", url, "--archive", "s3://news/crawl", "--outlet", "demo", check=True)
    article = json.loads(proc.stdout)
    keys = {obj["Key"] for obj in s3.client().list_objects_v2(Bucket="news")["Contents"]}
    assert f"crawl/articles/demo/2026/11/20/{article['id']}.json" in keys
    assert "crawl/" + article["warc"]["file"] in keys
    assert any(k.startswith("crawl/indexes/") and k.endswith(".cdxj") for k in keys)
    assert not [p for p in (home / "spool").rglob("*") if p.is_file() and p.suffix != ".uri"], \
        "spool must be empty after a successful upload"

    listing = newsarchive("ls", "--archive", "s3://news/crawl", check=True)
    assert article["id"] in listing.stdout
    shown = newsarchive("cat", article["id"], "--archive", "s3://news/crawl", check=True)
    assert json.loads(shown.stdout) == article


def test_s3_settings_can_come_from_a_named_profile(site, tmp_path, home, s3, monkeypatch):
    """AWS_PROFILE alone: endpoint, region and keys from ~/.aws-style files, as the AWS CLI reads them."""
    client = s3.client()  # made before the environment below is set
    config, credentials = tmp_path / "aws-config", tmp_path / "aws-credentials"
    config.write_text(f"[profile archive]\nregion = us-east-1\nendpoint_url = {s3.endpoint}\n")
    credentials.write_text("[archive]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    for name in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_PROFILE", "archive")
    url = site.url("/world/2026-11/20/content_1234567.htm")
    article = json.loads(newsarchive("fetch", url, "--archive", "s3://news/p", "--outlet", "demo", check=True).stdout)
    keys = {obj["Key"] for obj in client.list_objects_v2(Bucket="news")["Contents"]}
    assert f"p/articles/demo/2026/11/20/{article['id']}.json" in keys


def test_a_store_down_at_start_is_a_setup_error_and_nothing_is_fetched(site, tmp_path, home, s3):
    """Credentials, bucket and endpoint are checked before the first request: a crawl that
    could not store anything never starts (it would only fill the spool)."""
    with socket.socket() as probe:  # a port nothing listens on: the store is down
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    url = site.url("/world/2026-11/20/content_1234567.htm")
    cases = [
        ({"AWS_ENDPOINT_URL": dead}, "s3://news/crawl", "could not reach"),
        ({}, "s3://no-such-bucket/crawl", "does not exist"),
        ({"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}, "s3://news/crawl", "credentials"),
        ({}, str(tmp_path / "a-file" / "archive"), "cannot be written"),
    ]
    (tmp_path / "a-file").write_text("not a folder")
    for env, archive, reason in cases:
        proc = newsarchive("fetch", url, "--archive", archive, env=env)
        assert proc.returncode == 2, (archive, proc.stderr)
        (line,) = proc.stderr.strip().splitlines()
        assert reason in line, line
        assert not proc.stdout
    assert site.requests == [], "nothing is fetched when nothing could be archived"
    assert not [p for p in home.rglob("*") if p.is_file() and p.suffix != ".uri" and "spool" in p.parts]


def test_an_outage_that_begins_mid_run_keeps_everything_in_the_spool_until_flush(tmp_path, home, s3):
    from tests.integration.test_s3_outage import Switch

    host, port = s3.endpoint.removeprefix("http://").split(":")
    switch = Switch((host, int(port)))
    path = "/world/2026-11/20/content_1234567.htm"

    def respond(request: bytes) -> bytes:
        if request.startswith(b"GET /robots.txt"):
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        switch.cut()  # the store goes away once the crawl is under way
        body = article_page()
        return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)

    try:
        with RawSite(respond) as server:
            proc = newsarchive("fetch", server.base_url + path, "--archive", "s3://news/crawl",
                               env={"AWS_ENDPOINT_URL": switch.endpoint})
        assert proc.returncode == 1, proc.stderr
        assert json.loads(proc.stdout)["title"], "the article is still extracted and shown"
        (line,) = proc.stderr.strip().splitlines()
        assert "spool" in line and "newsarchive flush" in line
        (label,) = (home / "spool").glob("*.uri")  # one spool per archive, named by its location
        assert label.read_text().strip() == "s3://news/crawl"
        spool = label.with_suffix("")
        spooled = sorted(p.relative_to(spool).as_posix() for p in spool.rglob("*") if p.is_file())
        assert any(k.endswith(".warc.gz") for k in spooled) and any(k.startswith("articles/") for k in spooled)
        assert "Contents" not in s3.client().list_objects_v2(Bucket="news"), "the preflight probe is gone too"

        # Another archive's flush leaves this data alone, and says where it belongs.
        other = newsarchive("flush", "--archive", "s3://news/elsewhere", check=True)
        assert "--archive s3://news/crawl" in other.stderr
        assert "Contents" not in s3.client().list_objects_v2(Bucket="news")

        switch.restore()
        newsarchive("flush", "--archive", "s3://news/crawl", env={"AWS_ENDPOINT_URL": switch.endpoint}, check=True)
    finally:
        switch.close()
    keys = {obj["Key"] for obj in s3.client().list_objects_v2(Bucket="news")["Contents"]}
    assert {"crawl/" + k for k in spooled} <= keys
    assert not [p for p in spool.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.htm", "fetch failed (http_404)"),
        ("/logo.png", "not an article"),
        ("/private/secret.htm", "robots.txt disallows"),
    ],
)
def test_fetch_failure_is_one_clear_line_and_keeps_the_capture(site, tmp_path, home, path, reason):
    archive = tmp_path / "archive"
    proc = newsarchive("fetch", site.url(path), "--archive", str(archive))
    assert proc.returncode == 1
    assert reason in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    fetched = [r[1].get("WARC-Target-URI") for w in warc_files(archive) for r in records(w) if r[0] == "response"]
    if "robots" in reason:
        assert site.url(path) not in fetched
        assert ("GET", path) not in [(m, p) for m, p, _ in site.requests]
    else:
        assert site.url(path) in fetched


RAW_BODY = gzip.compress("<html><body><h1>Bytes</h1><p>exact</p></body></html>".encode(), mtime=0)
RAW_RESPONSE = (
    b"HTTP/1.1 200 Everything Is Fine Here\r\n"
    b"x-lower-case: kept as sent\r\n"
    b"Set-Cookie: a=1; Path=/\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"Set-Cookie: b=2; Path=/\r\n"
    b"Content-Encoding: gzip\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"X-Weird-Spacing:no-space\r\n"
    b"\r\n"
    + f"{len(RAW_BODY[:20]):x}\r\n".encode() + RAW_BODY[:20] + b"\r\n"
    + f"{len(RAW_BODY[20:]):x}\r\n".encode() + RAW_BODY[20:] + b"\r\n"
    + b"0\r\n\r\n"
)


def test_warc_holds_the_exchange_byte_for_byte(tmp_path, home):
    def respond(request: bytes) -> bytes:
        if request.startswith(b"GET /robots.txt"):
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        return RAW_RESPONSE

    archive = tmp_path / "archive"
    with RawSite(respond) as server:
        newsarchive("fetch", server.base_url + "/page", "--archive", str(archive))
        sent = [r for r in server.received if r.startswith(b"GET /page")]
    (warc,) = warc_files(archive)
    assert_standard_warc(warc)
    blocks = {
        rec_type: raw for rec_type, headers, raw in records(warc)
        if headers.get("WARC-Target-URI") == server.base_url + "/page"
    }
    assert len(sent) == 1
    assert blocks["request"] == sent[0]
    assert blocks["response"] == RAW_RESPONSE


def test_a_body_cut_short_is_archived_as_truncated(tmp_path, home):
    """The server promises more than it sends and hangs up: the fetch fails with one line,
    and what did arrive is kept as a response record marked WARC-Truncated."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n"
    partial = article_page()[:300]

    def respond(request: bytes) -> bytes:
        if request.startswith(b"GET /robots.txt"):
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        return head + partial

    archive = tmp_path / "archive"
    with RawSite(respond, hang_up=True) as server:
        proc = newsarchive("fetch", server.base_url + "/cut", "--archive", str(archive), check=False)
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    (warc,) = warc_files(archive)
    assert_standard_warc(warc)
    cut = [(headers, raw) for rec_type, headers, raw in records(warc)
           if rec_type == "response" and headers.get("WARC-Target-URI") == server.base_url + "/cut"]
    assert cut, "the partial response must be archived"
    for headers, raw in cut:
        assert headers.get("WARC-Truncated") == "disconnect"
        assert raw == head + partial
    assert not list(archive.glob("articles/**/*.json"))


def test_an_unusable_home_stops_the_run_before_any_request(site, tmp_path):
    home = tmp_path / "home"
    home.write_text("a file, not a folder")
    before = len(site.requests)
    proc = newsarchive("fetch", site.url("/world/2026-11/20/content_1234567.htm"), "--archive", str(tmp_path / "a"),
                       env={"NEWSARCHIVE_HOME": str(home)}, check=False)
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert "NEWSARCHIVE_HOME" in line and str(home) in line
    assert len(site.requests) == before, "nothing is fetched when nothing could be archived"


def test_fetching_an_unchanged_page_again_shows_it_as_already_archived(site, tmp_path, home):
    url = site.url("/world/2026-11/20/content_1234567.htm")
    archive = str(tmp_path / "archive")
    first = newsarchive("fetch", url, "--archive", archive, "-q", check=True)
    again = newsarchive("fetch", url, "--archive", archive, "-q", check=True)
    assert first.stdout.split("\t")[0] == again.stdout.split("\t")[0]
    assert again.stdout.rstrip().endswith("unchanged, already archived")
    types = [t for warc in warc_files(tmp_path / "archive") for t, _, _ in records(warc)]
    assert "revisit" in types, "the identical payload is archived as a revisit"
