"""The crawl state, SQLite and Redis alike: what a re-crawl needs to know about each URL."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from crawler.state import Capture, SQLiteCrawlState
from crawler.state.redis import RedisCrawlState
from extract.article import WarcRef

REF = WarcRef(file="warc/a.warc.gz", record_id="<urn:uuid:1>", offset=0, length=10, payload_digest="sha1:AAAA")


@pytest.fixture(params=["sqlite", "redis"])
def state(request, tmp_path):
    if request.param == "sqlite":
        store = SQLiteCrawlState(tmp_path / "state.sqlite")
    else:
        store = RedisCrawlState.from_url(request.getfixturevalue("redis_db"), archive="0123456789abcdef")
    yield store
    store.close()


def test_a_new_capture_keeps_what_is_known_about_the_article(state):
    assert state.empty()
    state.record_capture(Capture(url="http://127.0.0.1/a", warc=REF, fetched_at="2026-11-30T10:00:00+00:00", etag='"1"'))
    state.record_article("http://127.0.0.1/a", "abc", "digest-1", "articles/x/2026/11/30/abc.json")
    moved = dataclasses.replace(REF, offset=99)
    state.record_capture(Capture(url="http://127.0.0.1/a", warc=moved, fetched_at="2026-11-30T11:00:00+00:00"))
    last = state.last_capture("http://127.0.0.1/a")
    assert last is not None and last.warc.offset == 99 and last.etag is None
    assert (last.article_id, last.article_digest, last.article_key) == ("abc", "digest-1", "articles/x/2026/11/30/abc.json")
    assert state.last_capture("http://127.0.0.1/b") is None
    assert not state.empty()


def test_an_article_id_leads_to_its_one_json_whichever_url_recorded_it(state):
    assert state.key_of("abc") is None
    for url in ("http://127.0.0.1/a", "http://127.0.0.1/a?page=all", "http://127.0.0.1/b"):
        state.record_capture(Capture(url=url, warc=REF, fetched_at="2026-11-30T10:00:00+00:00"))
    state.record_article("http://127.0.0.1/a", "abc", "d1", "articles/x/2026/11/30/abc.json")
    state.record_article("http://127.0.0.1/b", "other", "d2", "articles/x/2026/11/30/other.json")
    assert state.key_of("abc") == "articles/x/2026/11/30/abc.json"
    # The story's other URL rewrites the JSON under a new date: the id follows it.
    state.record_article("http://127.0.0.1/a?page=all", "abc", "d3", "articles/x/2026/12/01/abc.json")
    assert state.key_of("abc") == "articles/x/2026/12/01/abc.json"
    assert state.last_capture("http://127.0.0.1/a").article_key == "articles/x/2026/12/01/abc.json"
    assert state.key_of("other") == "articles/x/2026/11/30/other.json"


def test_a_full_disk_under_the_sqlite_state_is_one_diskfull_and_close_still_works(tmp_path):
    from archive import DiskFull

    state = SQLiteCrawlState(tmp_path / "state.sqlite", batch_writes=1)
    state._db.execute("PRAGMA max_page_count = 8")  # a database that cannot grow: SQLITE_FULL
    with pytest.raises(DiskFull, match="crawl state .* is full"):
        for n in range(10_000):
            state.record_capture(Capture(url=f"http://127.0.0.1/{n}/" + "x" * 200, warc=REF,
                                         fetched_at="2026-11-30T10:00:00+00:00"))
    with pytest.raises(DiskFull):  # every later write is refused at once
        state.mark_processed("http://127.0.0.1/0/", "sha1:AAAA")
    state.close()
    reopened = SQLiteCrawlState(tmp_path / "state.sqlite")
    assert reopened.last_capture("http://127.0.0.1/0/" + "x" * 200) is not None  # committed batches stay
    reopened.close()


def test_processed_means_the_pipeline_finished_with_this_payload(state):
    state.record_capture(Capture(url="http://127.0.0.1/a", warc=REF, fetched_at="2026-11-30T10:00:00+00:00"))
    assert not state.last_capture("http://127.0.0.1/a").processed
    state.mark_processed("http://127.0.0.1/a", REF.payload_digest)
    assert state.last_capture("http://127.0.0.1/a").processed
    changed = dataclasses.replace(REF, payload_digest="sha1:BBBB")
    state.record_capture(Capture(url="http://127.0.0.1/a", warc=changed, fetched_at="2026-11-30T11:00:00+00:00"))
    assert not state.last_capture("http://127.0.0.1/a").processed


def test_two_archives_on_one_redis_do_not_share_captures(redis_db):
    first = RedisCrawlState.from_url(redis_db, archive="aaaaaaaaaaaaaaaa")
    second = RedisCrawlState.from_url(redis_db, archive="bbbbbbbbbbbbbbbb")
    first.record_capture(Capture(url="http://127.0.0.1/a", warc=REF, fetched_at="2026-11-30T10:00:00+00:00"))
    assert first.last_capture("http://127.0.0.1/a") is not None
    assert second.last_capture("http://127.0.0.1/a") is None and second.empty()
    first.close()
    second.close()


def test_state_written_before_article_keys_were_kept_still_opens(tmp_path):
    path = tmp_path / "state.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        'CREATE TABLE captures (url TEXT PRIMARY KEY, warc_file TEXT NOT NULL, record_id TEXT NOT NULL,'
        ' "offset" INTEGER NOT NULL, length INTEGER NOT NULL, payload_digest TEXT NOT NULL,'
        " fetched_at TEXT NOT NULL, etag TEXT, last_modified TEXT, article_id TEXT, article_digest TEXT)"
    )
    db.execute("INSERT INTO captures VALUES ('http://127.0.0.1/a', 'w', 'r', 0, 1, 'sha1:A', 't', NULL, NULL, 'abc', 'd')")
    db.commit()
    db.close()
    state = SQLiteCrawlState(path)
    last = state.last_capture("http://127.0.0.1/a")
    assert last is not None and last.article_id == "abc" and last.article_key is None
    state.record_article("http://127.0.0.1/a", "abc", "d2", "articles/x/2026/11/30/abc.json")
    assert state.last_capture("http://127.0.0.1/a").article_key == "articles/x/2026/11/30/abc.json"
    state.close()


def test_sqlite_writes_are_committed_in_batches_and_at_close(tmp_path):
    """Other readers of the file see a batch once it is committed: after ``batch_writes``
    writes, after ``batch_seconds`` even if no write follows, and at close."""
    import time

    path = tmp_path / "state.sqlite"
    state = SQLiteCrawlState(path, batch_writes=3, batch_seconds=0.2)
    other = sqlite3.connect(str(path))

    def seen() -> int:
        return other.execute("SELECT count(*) FROM captures").fetchone()[0]

    for i in range(2):
        state.record_capture(Capture(url=f"http://127.0.0.1/{i}", warc=REF, fetched_at="2026-11-30T10:00:00+00:00"))
    assert state.last_capture("http://127.0.0.1/1") is not None, "the writer reads its own batch"
    assert seen() == 0
    state.mark_processed("http://127.0.0.1/0", REF.payload_digest)  # the third write ends the batch
    assert seen() == 2
    state.record_capture(Capture(url="http://127.0.0.1/2", warc=REF, fetched_at="2026-11-30T10:00:00+00:00"))
    deadline = time.monotonic() + 5
    while seen() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen() == 3, "an idle batch is committed after batch_seconds"
    state.record_article("http://127.0.0.1/2", "abc", "d", "articles/k.json")
    state.close()
    assert other.execute("SELECT article_id FROM captures WHERE url = 'http://127.0.0.1/2'").fetchone() == ("abc",)
    other.close()
