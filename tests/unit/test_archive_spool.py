"""The spool: a store that fails mid-run loses nothing, a killed writer's files are recovered."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from archive import ArchiveError, ArchiveReader, ArchiveSession, LocalStore, flush_spool
from archive.layout import article_key
from tests.unit.test_archive_support import REQUEST, RESPONSE, T0, make_article, run_tool

REPO = Path(__file__).resolve().parents[2]
WARCINFO = {"software": "newsarchive/test"}


def write_pages(session: ArchiveSession, first: int, count: int) -> list[str]:
    ids = []
    for n in range(first, first + count):
        url = f"http://example.org/news/{n}"
        ref = session.write_exchange(url=url, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
        ids.append(make_article(url, warc=ref).id)
        session.write_article(make_article(url, warc=ref), "added")
    return ids


def spooled(spool: Path) -> list[Path]:
    return [p for p in spool.rglob("*") if p.is_file()]


def test_a_store_that_fails_mid_run_loses_and_duplicates_nothing(tmp_path):
    root = tmp_path / "archive"
    store = LocalStore(root)
    spool = tmp_path / "spool"
    session = ArchiveSession(store, spool_dir=spool, run_id="r", warcinfo=WARCINFO, max_warc_bytes=1)
    ids = write_pages(session, 0, 2)  # each exchange rotates, so uploads happen mid-run
    session.wait_for_uploads()
    uploaded_before = sorted(store.list())
    assert any(key.startswith("articles/") for key in uploaded_before)
    root.rename(tmp_path / "moved")
    root.write_text("the disk is gone")  # every write below the root now fails
    ids += write_pages(session, 2, 3)
    summary = session.close()
    assert summary["storage_errors"] and summary["pending"]
    assert spooled(spool), "what could not be uploaded must stay in the spool"

    root.unlink()
    (tmp_path / "moved").rename(root)
    report = flush_spool(store, spool)
    assert report.error is None and report.pending == []
    assert spooled(spool) == []
    keys = sorted(store.list())
    assert len(keys) == len(set(keys))
    reader = ArchiveReader(store)
    assert sorted(a.id for a in reader.articles()) == sorted(ids)
    # one byte per file: every exchange and every article record opened a new WARC
    assert [k for k in keys if k.startswith("warc/")] == sorted(summary["warcs"])
    assert len(summary["warcs"]) == 10
    assert len([k for k in keys if k.startswith("indexes/")]) == 10
    for article in reader.articles():
        assert reader.raw_response(article) == RESPONSE
    with store.open(summary["manifest"]) as stream:
        manifest = [json.loads(line) for line in stream]
    assert sorted(line["id"] for line in manifest if line["kind"] == "article") == sorted(ids)


def test_after_an_outage_earlier_warcs_go_up_first_and_no_article_before_its_warc(tmp_path, monkeypatch):
    monkeypatch.setattr("archive.session._STORE_RETRY_S", 0.0)  # no back-off: retry at the next pass
    root, spool = tmp_path / "archive", tmp_path / "spool"
    store = LocalStore(root)
    session = ArchiveSession(store, spool_dir=spool, run_id="r", warcinfo=WARCINFO, max_warc_bytes=1)
    root.write_text("the disk is gone")
    url = "http://example.org/news/0"
    ref = session.write_exchange(url=url, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
    # Its metadata record closes the exchange's WARC (whose upload fails) and opens the
    # next one: the JSON goes up with that next WARC.
    session.write_article(make_article(url, warc=ref), "added")
    session.wait_for_uploads()
    root.unlink()
    write_pages(session, 1, 1)
    session.wait_for_uploads()
    reader = ArchiveReader(store)
    assert [a.url for a in reader.articles()] == [url]
    assert store.exists(ref.file), "the WARC left by the outage is retried before what came after it"
    session.close()
    assert all(reader.raw_response(article) == RESPONSE for article in reader.articles())


KILLED_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from archive import ArchiveSession, LocalStore
    from tests.unit.test_archive_spool import write_pages, WARCINFO
    session = ArchiveSession(LocalStore(Path(sys.argv[1])), spool_dir=Path(sys.argv[2]), run_id="killed", warcinfo=WARCINFO)
    write_pages(session, 0, 2)
    session.record_page(url="http://example.org/", page_type="index", reasons=["links"], warc=None)
    # die in the middle of a record and of a manifest line
    session._warc.file.stream.write(b"\\x1f\\x8b\\x08\\x00 half a gzip member")
    session._warc.file.stream.flush()
    session._manifest.stream.write(b'{"kind": "page", "url": "http://exa')
    session._manifest.stream.flush()
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_files_of_a_killed_writer_are_recovered_by_flush(tmp_path):
    store, spool = LocalStore(tmp_path / "archive"), tmp_path / "spool"
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(tmp_path / "archive"), str(spool)], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # the WARC's index lines, collected as it was written, are a temporary: the WARC is indexed again
    assert sorted(p.suffix for p in spooled(spool)) == [".json", ".json", ".lines", ".open", ".open"]
    assert list(store.list()) == []

    report = flush_spool(store, spool)
    assert len(report.recovered) == 2 and report.error is None
    assert spooled(spool) == []
    [warc] = [k for k in store.list("warc/")]
    check = run_tool("warcio", "check", str(tmp_path / "archive" / warc))
    assert check.returncode == 0, check.stdout
    reader = ArchiveReader(store)
    assert [reader.raw_response(a) for a in reader.articles()] == [RESPONSE, RESPONSE]
    assert len(list(store.list("indexes/"))) == 1
    [manifest] = list(store.list("manifests/"))
    with store.open(manifest) as stream:
        lines = [json.loads(line) for line in stream]
    assert [line["kind"] for line in lines] == ["article", "article", "page"]


def test_flush_leaves_files_of_a_live_writer_alone(tmp_path):
    store, spool = LocalStore(tmp_path / "archive"), tmp_path / "spool"
    session = ArchiveSession(store, spool_dir=spool, run_id="live", warcinfo=WARCINFO)
    write_pages(session, 0, 1)
    report = flush_spool(store, spool)
    assert report.recovered == [] and report.uploaded == []
    assert len([p for p in spooled(spool) if p.name.endswith(".open")]) == 2
    assert list(store.list("warc/")) == []
    assert list(store.list("articles/")) == [], "an article must not go up before the WARC it points into"
    write_pages(session, 1, 1)  # the writer carries on unharmed
    summary = session.close()
    assert summary["pending"] == [] and len(list(store.list("articles/"))) == 2
    assert spooled(spool) == []


def test_two_live_sessions_cannot_share_a_run_id(tmp_path):
    store, spool = LocalStore(tmp_path / "archive"), tmp_path / "spool"
    with ArchiveSession(store, spool_dir=spool, run_id="same", warcinfo=WARCINFO) as first:
        with pytest.raises(ArchiveError, match="distinct run id"):
            ArchiveSession(store, spool_dir=spool, run_id="same", warcinfo=WARCINFO)
        write_pages(first, 0, 1)
    assert len(list(store.list("articles/"))) == 1
    assert [p for p in spooled(spool)] == []


def test_a_move_is_finished_by_a_later_flush_when_the_store_was_down_at_close(tmp_path):
    root, spool = tmp_path / "archive", tmp_path / "spool"
    store = LocalStore(root)
    first = make_article(published="2026-11-20T09:30:00+00:00")
    with ArchiveSession(store, spool_dir=spool, run_id="crawl-1", warcinfo=WARCINFO) as session:
        session.write_article(first, "added")
    root.rename(tmp_path / "moved")
    root.write_text("the disk is gone")
    moved = make_article(published="2026-11-21T09:30:00+00:00", title="Harbour reopens, officially")
    with ArchiveSession(store, spool_dir=spool, run_id="crawl-2", warcinfo=WARCINFO) as session:
        session.write_article(moved, "updated", replaces=article_key(first))
    assert session.close()["pending"]
    root.unlink()
    (tmp_path / "moved").rename(root)
    report = flush_spool(store, spool)
    assert list(store.list("articles/")) == [article_key(moved)]
    assert report.error is None and report.removed == [article_key(first)]
    assert spooled(spool) == []


def test_an_article_moved_and_moved_back_keeps_its_newest_copy(tmp_path):
    store = LocalStore(tmp_path / "archive")
    day20, day21 = "2026-11-20T09:30:00+00:00", "2026-11-21T09:30:00+00:00"
    with ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="r", warcinfo=WARCINFO) as session:
        session.write_article(make_article(published=day20), "added")
        session.write_article(make_article(published=day21), "updated", replaces=article_key(make_article(published=day20)))
        back = make_article(published=day20, title="Back where it was")
        session.write_article(back, "updated", replaces=article_key(make_article(published=day21)))
    assert list(store.list("articles/")) == [article_key(back)]
    assert ArchiveReader(store).get(back.id).title == "Back where it was"


def run_script(script: str, tmp_path: Path) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "archive"), str(tmp_path / "spool")], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


# Past RLIMIT_FSIZE a write fails with EFBIG after writing what fits, as on a full disk.
DISK_FULL = textwrap.dedent(
    """
    import errno, resource, signal, sys
    from pathlib import Path
    from archive import ArchiveSession, LocalStore
    from tests.unit.test_archive_spool import write_pages, WARCINFO
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    spool = Path(sys.argv[2])
    session = ArchiveSession(LocalStore(Path(sys.argv[1])), spool_dir=spool, run_id="full", warcinfo=WARCINFO)
    write_pages(session, 0, 1)
    [warc] = spool.rglob("*.warc.gz.open")
    resource.setrlimit(resource.RLIMIT_FSIZE, (warc.stat().st_size + 100, resource.RLIM_INFINITY))
    try:
        write_pages(session, 1, 1)
    except OSError as exc:
        print(errno.errorcode[exc.errno])
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    write_pages(session, 2, 1)
    print(session.close()["pending"])
    """
)


def test_a_record_cut_short_by_a_full_disk_leaves_no_wrong_offsets(tmp_path):
    assert run_script(DISK_FULL, tmp_path) == ["EFBIG", "[]"]
    store = LocalStore(tmp_path / "archive")
    reader = ArchiveReader(store)
    assert sorted(a.url for a in reader.articles()) == ["http://example.org/news/0", "http://example.org/news/2"]
    assert all(reader.raw_response(article) == RESPONSE for article in reader.articles())
    from archive.verify import verify_archive

    assert verify_archive(store).ok


def test_a_warc_that_cannot_be_closed_is_left_for_flush_and_the_run_goes_on(tmp_path, caplog):
    store, spool = LocalStore(tmp_path / "archive"), tmp_path / "spool"
    session = ArchiveSession(store, spool_dir=spool, run_id="r", warcinfo=WARCINFO, max_warc_bytes=1)
    (spool / "indexes").write_text("not a folder: no index can be written")
    ids = write_pages(session, 0, 2)  # every record rotates, and no WARC can be indexed
    session.wait_for_uploads()
    assert "could not close" in caplog.text
    assert list(store.list("articles/")) == [], "an article waits for the WARC it points into"
    (spool / "indexes").unlink()
    summary = session.close()
    assert summary["pending"] == [] and len(summary["warcs"]) == 4
    assert spooled(spool) == []
    reader = ArchiveReader(store)
    assert sorted(a.id for a in reader.articles()) == sorted(ids)
    assert all(reader.raw_response(article) == RESPONSE for article in reader.articles())
    from archive.verify import verify_archive

    assert verify_archive(store).ok, "the manifest lists the recovered WARCs and their indexes"


# The manifest cannot grow while the session closes.
MANIFEST_DISK_FULL = textwrap.dedent(
    """
    import json, resource, signal, sys
    from pathlib import Path
    from archive import ArchiveSession, LocalStore, flush_spool
    from tests.unit.test_archive_spool import write_pages, WARCINFO
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    store, spool = LocalStore(Path(sys.argv[1])), Path(sys.argv[2])
    session = ArchiveSession(store, spool_dir=spool, run_id="full", warcinfo=WARCINFO)
    write_pages(session, 0, 1)
    [manifest] = spool.rglob("*.jsonl.open")
    resource.setrlimit(resource.RLIMIT_FSIZE, (manifest.stat().st_size + 50, resource.RLIM_INFINITY))
    try:
        session.close()
    except OSError as exc:
        print("close failed")
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print(json.dumps(flush_spool(store, spool).recovered))  # only if the session let go of the manifest
    """
)


def test_a_close_that_fails_still_lets_go_of_the_manifest(tmp_path):
    failed, recovered = run_script(MANIFEST_DISK_FULL, tmp_path)
    assert failed == "close failed"
    assert [key for key in json.loads(recovered) if key.startswith("manifests/")], recovered
    assert spooled(tmp_path / "spool") == []
    with LocalStore(tmp_path / "archive").open(next(LocalStore(tmp_path / "archive").list("manifests/"))) as stream:
        assert [json.loads(line)["kind"] for line in stream] == ["article"]  # its lines up to the failed one


# Spool writes that fail on a full disk (past RLIMIT_FSIZE) leave no temporary file.
TEMPORARIES_ON_FULL_DISK = textwrap.dedent(
    """
    import io, resource, signal, sys
    from pathlib import Path
    from archive.spool import Spool, index_warc
    from archive.warc import WarcWriter
    from tests.unit.test_archive_support import REQUEST, RESPONSE, T0, URL
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    spool = Spool(Path(sys.argv[2]))
    warc = spool.path("warc/2026/11/22/newsarchive-20261122074005-00001-host-1.warc.gz")
    warc.parent.mkdir(parents=True)
    with open(warc, "wb") as out:
        writer = WarcWriter(out, file="warc/2026/11/22/newsarchive-20261122074005-00001-host-1.warc.gz")
        for _ in range(4):
            writer.exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, date=T0)
    resource.setrlimit(resource.RLIMIT_FSIZE, (300, resource.RLIM_INFINITY))
    for write in (lambda: spool.write_bytes("articles/a/2026/11/22/x.json", b"x" * 5000), lambda: index_warc(spool, warc)):
        try:
            write()
        except OSError as exc:
            print(exc.strerror)
    """
)


def test_spool_writes_that_fail_leave_no_temporary_files(tmp_path):
    assert run_script(TEMPORARIES_ON_FULL_DISK, tmp_path) == ["File too large"] * 2
    assert [p.name for p in spooled(tmp_path / "spool") if p.name.startswith(".tmp-")] == []


def test_flush_removes_temporary_files_that_killed_writers_left(tmp_path):
    from archive.spool import STALE_TMP_S

    folder = tmp_path / "spool/articles/a/2026/11/22"
    folder.mkdir(parents=True)
    stale, fresh = folder / ".tmp-killed", folder / ".tmp-being-written"
    for path in (stale, fresh):
        path.write_bytes(b"half an article")
    hour_ago = time.time() - STALE_TMP_S - 60
    os.utime(stale, (hour_ago, hour_ago))
    flush_spool(LocalStore(tmp_path / "archive"), tmp_path / "spool")
    assert not stale.exists() and fresh.exists()


def test_an_uploads_claim_left_by_a_killed_process_goes_back_and_up(tmp_path):
    # kill -9 between an upload's rename to its claim and the claim's removal left the
    # claim for good (seconds old, so not yet stale): a killed crawl's spool never emptied.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = os.getpid()
    folder = tmp_path / "spool/ids/e9"
    folder.mkdir(parents=True)
    orphan = folder / f".tmp-claim-{dead.pid}-1-e9abc.json"
    orphan.write_bytes(b'{"id": "e9abc"}')
    newer_elsewhere = folder / f".tmp-claim-{dead.pid}-1-e9def.json"
    newer_elsewhere.write_bytes(b'{"old": true}')
    (folder / "e9def.json").write_bytes(b'{"new": true}')
    running = folder / f".tmp-claim-{live}-1-e9ghi.json"
    running.write_bytes(b"a live upload's claim")
    report = flush_spool(LocalStore(tmp_path / "archive"), tmp_path / "spool")
    assert sorted(report.uploaded) == ["ids/e9/e9abc.json", "ids/e9/e9def.json"]
    assert (tmp_path / "archive/ids/e9/e9abc.json").read_bytes() == b'{"id": "e9abc"}'
    assert (tmp_path / "archive/ids/e9/e9def.json").read_bytes() == b'{"new": true}'  # the newer file won
    assert spooled(tmp_path / "spool") == [running]


CONCURRENT_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from archive import ArchiveSession, LocalStore
    from tests.unit.test_archive_spool import write_pages, WARCINFO
    session = ArchiveSession(LocalStore(Path(sys.argv[1])), spool_dir=Path(sys.argv[2]), run_id="writer",
                             warcinfo=WARCINFO, max_warc_bytes=4000)
    for n in range(0, 60, 3):
        write_pages(session, n, 3)
    print(session.close()["pending"])
    """
)


def test_flushes_racing_a_live_writer_lose_and_double_nothing(tmp_path):
    store, spool = LocalStore(tmp_path / "archive"), tmp_path / "spool"
    writer = subprocess.Popen([sys.executable, "-c", CONCURRENT_WRITER, str(tmp_path / "archive"), str(spool)],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while writer.poll() is None:
        report = flush_spool(store, spool)
        assert report.error is None and report.recovered == []
    out, err = writer.communicate()
    assert writer.returncode == 0 and out.strip() == "[]", err
    flush_spool(store, spool)
    assert spooled(spool) == []
    reader = ArchiveReader(store)
    assert len([a.id for a in reader.articles()]) == 60
    from archive.verify import verify_archive

    report = verify_archive(store)
    assert report.ok, report.problems[:5]


def test_a_session_closing_beside_a_live_one_does_not_count_its_articles_as_pending(tmp_path):
    # Two crawls of one archive share its spool: the first to finish must not report the
    # other's articles (held back while their WARC is open) as its own unuploaded data.
    store, spool = LocalStore(tmp_path / "archive"), tmp_path / "spool"
    live = ArchiveSession(store, spool_dir=spool, run_id="still-crawling", warcinfo=WARCINFO)
    ids = write_pages(live, 0, 2)
    with ArchiveSession(store, spool_dir=spool, run_id="done-first", warcinfo=WARCINFO) as done:
        write_pages(done, 10, 1)
    summary = done.close()
    assert summary["pending"] == [] and summary["articles_added"] == 1
    assert len(list(ArchiveReader(store).article_keys())) == 1  # the live one's wait for its WARC
    live.close()
    assert {a.id for a in ArchiveReader(store).articles()} >= set(ids)
    assert not [p for p in spooled(spool) if p.suffix != ".uri"]
