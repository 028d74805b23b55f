"""An archive session against a local folder: layout, spool, rotation, reading back."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from archive import ArchiveError, ArchiveReader, ArchiveSession, LocalStore, NotFoundError
from archive.layout import article_key
from extract.article import WarcRef
from tests.unit.test_archive_support import REQUEST, RESPONSE, T0, URL, make_article, FakeClock, record_ids, run_tool

WARCINFO = {"software": "newsarchive/test", "isPartOf": "run-1"}


def run_session(store, spool, *, urls=(URL,), step=timedelta(seconds=1), **options):
    """One run: one exchange and one article per URL (``step`` apart), one index page, a run record."""
    clock = FakeClock()
    session = ArchiveSession(store, spool_dir=spool, run_id="run-1", warcinfo=WARCINFO,
                             clock=clock, record_id_factory=record_ids(), **options)
    with session:
        articles = []
        for url in urls:
            clock.advance(step)
            ref = session.write_exchange(url=url, request=REQUEST, response=RESPONSE, remote_ip="127.0.0.1", fetched_at=T0)
            article = make_article(url, warc=ref)
            session.write_article(article, "added")
            articles.append(article)
        session.record_page(url="http://example.org/", page_type="index", reasons=["many links"], warc=None)
        session.write_run_record({"run_id": "run-1", "pages": len(urls) + 1})
    return session.close(), articles


def test_a_run_lands_in_the_documented_layout_and_reads_back(tmp_path):
    store = LocalStore(tmp_path / "archive")
    summary, [article] = run_session(store, tmp_path / "spool")
    keys = sorted(store.list())
    [warc] = summary["warcs"]
    assert warc.startswith("warc/2026/11/22/newsarchive-20261122074006-") and warc.endswith(".warc.gz")
    stem = warc.rsplit("/", 1)[1][: -len(".warc.gz")]
    assert keys == sorted([
        warc,
        f"indexes/2026/11/22/{stem}.cdxj",
        f"articles/harbourtimes/2026/11/20/{article.id}.json",
        f"ids/{article.id[:2]}/{article.id}.json",
        "manifests/2026/11/22/run-1.jsonl",
        "runs/2026/11/22/run-1.json",
    ])
    assert summary["pending"] == [] and summary["storage_errors"] == []
    assert summary["uploaded"] == 6
    assert not [p for p in (tmp_path / "spool").rglob("*") if p.is_file()], "spool must be empty after upload"

    reader = ArchiveReader(store)
    assert reader.get(article.id).to_json() == article.to_json()
    assert reader.raw_response(article) == RESPONSE
    assert list(reader.runs()) == [{"pages": 2, "run_id": "run-1"}]
    check = run_tool("warcio", "check", str(tmp_path / "archive" / warc))
    assert check.returncode == 0, check.stdout
    # The index names the WARC by its key and points at the article's response record,
    # so a replay tool rooted at the archive finds it.
    with store.open(f"indexes/2026/11/22/{stem}.cdxj") as stream:
        entries = [json.loads(line.split(b" ", 2)[2]) for line in stream]
    assert {entry["filename"] for entry in entries} == {warc}
    assert {"offset": str(article.warc.offset), "length": str(article.warc.length)}.items() <= next(
        entry for entry in entries if entry.get("status") == "200").items()


def test_manifest_lists_every_object_and_page(tmp_path):
    store = LocalStore(tmp_path / "archive")
    summary, [article] = run_session(store, tmp_path / "spool")
    with store.open(summary["manifest"]) as stream:
        lines = [json.loads(line) for line in stream]
    kinds = [(line["kind"], line.get("change")) for line in lines]
    assert kinds == [("article", "added"), ("page", None), ("run", "added"), ("warc", "added"), ("index", "added")]
    assert lines[0]["id"] == article.id and lines[0]["warc"]["record_id"] == article.warc.record_id
    assert lines[1]["page_type"] == "index" and lines[1]["reasons"] == ["many links"]
    assert all(line["run_id"] == "run-1" for line in lines)
    for line in lines:
        if "key" in line:
            assert store.exists(line["key"]), line


def test_warcs_rotate_by_size_and_by_age(tmp_path):
    urls = [f"http://example.org/news/{n}" for n in range(4)]
    by_size, _ = run_session(LocalStore(tmp_path / "a"), tmp_path / "s1", urls=urls, max_warc_bytes=1500)
    assert len(by_size["warcs"]) == 4
    assert len(set(by_size["warcs"])) == 4
    by_age, _ = run_session(LocalStore(tmp_path / "b"), tmp_path / "s2", urls=urls,
                            step=timedelta(minutes=25), max_warc_age_s=3600)
    # opened at +25 min; +50 and +75 still fit the hour; +100 opens the second file
    assert len(by_age["warcs"]) == 2
    reader = ArchiveReader(LocalStore(tmp_path / "a"))
    for article in reader.articles():
        assert reader.raw_response(article) == RESPONSE


def test_articles_reach_the_store_during_the_run_not_all_at_its_end(tmp_path):
    """A WARC closes once ``max_warc_articles`` articles wait on it, so they are uploaded
    while the crawl goes on (after their WARC), and closing uploads at most that many."""
    store = LocalStore(tmp_path / "archive")
    session = ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="r", warcinfo=WARCINFO,
                             max_warc_articles=2)
    for n in range(5):
        ref = session.write_exchange(url=f"{URL}/{n}", request=REQUEST, response=RESPONSE, remote_ip=None,
                                     fetched_at=T0)
        session.write_article(make_article(f"{URL}/{n}", warc=ref), "added")
    session.wait_for_uploads()
    assert len(list(store.list("articles/"))) == 4 and len(list(store.list("warc/"))) == 2
    assert len(list(store.list("indexes/"))) == 2
    summary = session.close()
    assert len(summary["warcs"]) == 3 and summary["pending"] == []
    reader = ArchiveReader(store)
    assert sorted(reader.raw_response(a) for a in reader.articles()) == [RESPONSE] * 5


def test_reader_filters_by_outlet_date_language_topic(tmp_path):
    store = LocalStore(tmp_path / "archive")
    with ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="r", warcinfo=WARCINFO) as session:
        for n, (outlet, published, language, topics) in enumerate([
            ("alpha", "2026-11-01", "en", ("port",)),
            ("alpha", "2026-11-15T10:00:00Z", "de", ()),
            ("beta", "2026-11-20", "en", ("port", "rail")),
            (None, None, "en", ()),
        ]):
            session.write_article(make_article(f"http://example.org/{n}", outlet=outlet, published=published,
                                               language=language, topics=topics), "added")
    reader = ArchiveReader(store)

    def urls(**filters):
        return sorted(a.url.rsplit("/", 1)[1] for a in reader.articles(**filters))

    assert urls() == ["0", "1", "2", "3"]
    assert urls(outlet="alpha") == ["0", "1"]
    assert urls(outlet="_adhoc") == ["3"]  # undated: filed under its fetch date
    assert urls(since="2026-11-15") == ["1", "2", "3"]
    assert urls(since="2026-11-02", until="2026-11-20") == ["1", "2"]
    assert urls(language="de") == ["1"]
    assert urls(topic="port") == ["0", "2"]
    with pytest.raises(NotFoundError, match="newsarchive ls"):
        reader.get("0123456789abcdef")
    with pytest.raises(ArchiveError, match="YYYY-MM-DD"):
        list(reader.articles(since="last week"))
    unuploaded = make_article(warc=WarcRef(file="warc/2026/11/22/gone.warc.gz", record_id="<urn:uuid:x>", offset=0,
                                           length=10, payload_digest="sha1:X"))
    with pytest.raises(NotFoundError, match="newsarchive flush"):
        reader.raw_response(unuploaded)


def test_close_is_idempotent_and_a_closed_session_refuses_writes(tmp_path):
    session = ArchiveSession(LocalStore(tmp_path / "a"), spool_dir=tmp_path / "s", run_id="r", warcinfo=WARCINFO)
    first = session.close()
    assert session.close() is first
    assert first["warcs"] == []
    with pytest.raises(ArchiveError, match="closed"):
        session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
    with pytest.raises(ArchiveError, match="closed"):
        session.record_page(url=URL, page_type="index", reasons=(), warc=None)
    with pytest.raises(ArchiveError, match="closed"):
        session.write_run_record({"late": True})


def test_a_full_disk_is_one_error_and_every_later_write_is_refused_until_close(tmp_path, monkeypatch):
    import errno

    from archive import DiskFull
    from archive.spool import Spool

    store = LocalStore(tmp_path / "a")
    session = ArchiveSession(store, spool_dir=tmp_path / "s", run_id="r", warcinfo=WARCINFO)
    ref = session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
    real_write = Spool.write_bytes
    tries = []

    def full(self, key, data):
        tries.append(key)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Spool, "write_bytes", full)
    with pytest.raises(DiskFull, match="is full"):
        session.write_article(make_article(URL, warc=ref), "added")
    with pytest.raises(DiskFull):  # refused without trying the disk again
        session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
    with pytest.raises(DiskFull):
        session.record_page(url=URL, page_type="index", reasons=(), warc=None)
    assert len(tries) == 1
    monkeypatch.setattr(Spool, "write_bytes", real_write)  # room again, for close
    summary = session.close()
    assert summary["disk_full"] and "is full" in summary["storage_errors"][0]
    assert summary["warcs"] and store.exists(summary["warcs"][0])  # what was written reached the store


def test_revisits_are_archived_indexed_and_verified(tmp_path):
    from archive.verify import verify_archive
    from archive.warc import split_http

    store = LocalStore(tmp_path / "archive")
    with ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="r", warcinfo=WARCINFO) as session:
        first = session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
        same = session.write_revisit(url=URL, request=REQUEST, response_head=split_http(RESPONSE)[0], fetched_at=T0,
                                     refers_to=first, refers_to_url=URL, refers_to_date=T0.isoformat())
        not_modified = session.write_revisit(
            url=URL, request=REQUEST, response_head=b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", fetched_at=T0,
            refers_to=first, refers_to_url=URL, refers_to_date=T0.isoformat(), profile="server-not-modified")
        session.record_page(url=URL, page_type="index", reasons=["unchanged"], warc=same)
        with pytest.raises(ArchiveError, match="unknown revisit profile"):
            session.write_revisit(url=URL, request=REQUEST, response_head=b"HTTP/1.1 200 OK\r\n\r\n", fetched_at=T0,
                                  refers_to=first, refers_to_url=URL, refers_to_date="x", profile="guess")
    summary = session.close()
    assert (summary["exchanges"], summary["revisits"]) == (1, 2)
    assert same.payload_digest == first.payload_digest and same.offset > first.offset
    assert not_modified.payload_digest == ""  # a 304 carries no payload to vouch for
    [index] = list(store.list("indexes/"))
    with store.open(index) as stream:
        lines = [json.loads(line.split(b" ", 2)[2]) for line in stream]
    assert sorted(line["mime"] for line in lines if line["mime"] == "warc/revisit") == ["warc/revisit"] * 2
    assert verify_archive(store).ok


class BuggyStore(LocalStore):
    """A store with a bug: put raises what no store should (injected: no real store does)."""

    def put_file(self, key, path) -> None:
        raise RuntimeError("a bug in the store")


def test_an_upload_pass_that_fails_unexpectedly_is_logged_not_lost(tmp_path, caplog):
    session = ArchiveSession(BuggyStore(tmp_path / "a"), spool_dir=tmp_path / "s", run_id="r", warcinfo=WARCINFO,
                             max_warc_bytes=1)
    for _ in range(2):  # the second exchange closes the first WARC: an upload pass
        session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
    session.wait_for_uploads()
    assert "an upload pass failed" in caplog.text and "a bug in the store" in caplog.text
    with pytest.raises(RuntimeError):
        session.close()
    assert [p.name for p in (tmp_path / "s").rglob("*.warc.gz")], "what could not go up stays spooled"


def test_get_prefers_the_newest_fetch_then_the_later_key_when_an_id_is_stored_twice(tmp_path):
    store = LocalStore(tmp_path / "archive")
    early = make_article(published="2026-11-20T09:30:00+00:00", title="Filed on the 20th")
    late = make_article(published="2026-11-21T09:30:00+00:00", title="Filed on the 21st")
    for article in (early, late):
        store.put_bytes(article_key(article), article.to_json().encode())
    reader = ArchiveReader(store)
    assert reader.get(early.id).title == "Filed on the 21st"  # fetched at the same time: the later key
    refetched = replace(early, fetched_at=(T0 + timedelta(hours=1)).isoformat(), title="Fetched later")
    store.put_bytes(article_key(early), refetched.to_json().encode())
    assert reader.get(early.id).title == "Fetched later"


def test_a_run_id_used_before_on_that_day_is_refused_not_overwritten(tmp_path):
    root, spool = tmp_path / "archive", tmp_path / "spool"
    store = LocalStore(root)
    run_session(store, spool)
    with pytest.raises(ArchiveError, match=r"run id run-1 was used before: manifests/2026/11/22/run-1\.jsonl is in"):
        ArchiveSession(store, spool_dir=spool, run_id="run-1", warcinfo=WARCINFO, clock=FakeClock())
    with store.open("manifests/2026/11/22/run-1.jsonl") as stream:
        assert len(stream.readlines()) == 5, "the first run's manifest is intact"
    # A manifest that never reached the store (it was down) counts too.
    down = tmp_path / "down"
    down.write_text("the disk is gone")
    run_session(LocalStore(down), tmp_path / "spool2")
    with pytest.raises(ArchiveError, match="is in the spool"):
        ArchiveSession(LocalStore(down), spool_dir=tmp_path / "spool2", run_id="run-1", warcinfo=WARCINFO, clock=FakeClock())


class NoListing:
    """A store that refuses to list ``articles/``: what a lookup in a huge bucket must not need."""

    def __init__(self, store):
        self._store = store
        self.uri = store.uri

    def list(self, prefix=""):
        if prefix.startswith("articles/") or prefix in ("", "articles"):
            raise AssertionError(f"listed {prefix!r}")
        return self._store.list(prefix)

    def __getattr__(self, name):
        return getattr(self._store, name)


def test_get_reads_the_id_index_not_a_listing(tmp_path, caplog):
    store = LocalStore(tmp_path / "archive")
    _, [article] = run_session(store, tmp_path / "spool")
    with store.open(f"ids/{article.id[:2]}/{article.id}.json") as stream:
        assert json.loads(stream.read()) == {"id": article.id, "key": article_key(article)}
    reader = ArchiveReader(NoListing(store))
    assert reader.get(article.id).to_json() == article.to_json()
    assert reader.raw_response(reader.get(article.id)) == RESPONSE
    # An archive written before the id index: found by listing, and the log says why.
    store.delete(f"ids/{article.id[:2]}/{article.id}.json")
    with caplog.at_level("INFO", logger="archive.reader"):
        assert ArchiveReader(store).get(article.id).to_json() == article.to_json()
    assert "no id entry" in caplog.text
    with pytest.raises(AssertionError, match="listed"):
        reader.get(article.id)


def test_a_moved_article_rewrites_its_id_entry(tmp_path):
    store = LocalStore(tmp_path / "archive")
    _, [article] = run_session(store, tmp_path / "spool")
    moved = replace(article, published="2026-11-21T09:30:00+00:00", title="Moved")
    with ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="run-2", warcinfo=WARCINFO) as session:
        session.write_article(moved, "updated", replaces=article_key(article))
    assert not store.exists(article_key(article))
    assert ArchiveReader(NoListing(store)).get(article.id).title == "Moved"
