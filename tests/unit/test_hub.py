"""The crawl hub's extraction workers: they finish each article the crawl process then only
writes, and a worker that dies does not take the crawl with it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from functools import partial

from archive import ArchiveSession, LocalStore
from crawler.extraction import extract_job
from crawler.hub import Hub
from crawler.state import SQLiteCrawlState

STORY = [
    "Delegations from both countries resumed talks in Geneva on Tuesday after a pause of several months.",
    "Officials said the first session focused on verification, the issue that stalled the last round.",
    "A spokesman for the host government described the atmosphere as businesslike but cautious.",
    "Observers noted that neither side had published new proposals ahead of the meeting.",
    "The talks are expected to continue until Friday, when a joint statement may be released.",
]
PAGE = ("<html><head><title>Talks resume in Geneva</title></head><body><article><h1>Talks resume in Geneva</h1>"
        + "".join(f"<p>{p}</p>" for p in STORY) + "</article></body></html>").encode()


def test_a_killed_worker_is_replaced_and_the_page_still_extracted(tmp_path):
    session = ArchiveSession(LocalStore(tmp_path / "archive"), spool_dir=tmp_path / "spool", run_id="run-1",
                             warcinfo={"software": "test"})
    hub = Hub(session, SQLiteCrawlState(tmp_path / "state.sqlite"), workers=1)
    try:
        first = asyncio.run(hub.extract(partial(extract_job, PAGE, "http://127.0.0.1/a", {})))
        assert first.article is not None
        (pid,) = hub._extractors._pool._processes  # the one worker
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not hub._extractors._pool._broken:
            time.sleep(0.05)
        again = asyncio.run(hub.extract(partial(extract_job, PAGE, "http://127.0.0.1/a", {})))
        assert again.article is not None and again.article.title == "Talks resume in Geneva"
    finally:
        hub.close()


def test_pages_in_flight_when_a_worker_dies_start_one_new_pool(tmp_path):
    session = ArchiveSession(LocalStore(tmp_path / "archive"), spool_dir=tmp_path / "spool", run_id="run-2",
                             warcinfo={"software": "test"})
    hub = Hub(session, SQLiteCrawlState(tmp_path / "state.sqlite"), workers=2)

    async def many() -> list:
        tasks = [asyncio.ensure_future(hub.extract(partial(extract_job, PAGE, f"http://127.0.0.1/{i}", {}))) for i in range(40)]
        await asyncio.sleep(0)  # every task has submitted its page
        os.kill(next(iter(hub._extractors._pool._processes)), signal.SIGKILL)
        return await asyncio.gather(*tasks)

    try:
        asyncio.run(hub.extract(partial(extract_job, PAGE, "http://127.0.0.1/warm", {})))
        first_pool = hub._extractors._pool
        results = asyncio.run(many())
        assert all(r.article is not None for r in results)
        assert hub._extractors._pool is not first_pool
    finally:
        hub.close()


def test_an_extraction_worker_finishes_the_article_the_crawl_process_only_writes(tmp_path):
    from crawler.digests import article_digest
    from crawler.extraction import Provenance, article_job
    from extract.article import WarcRef

    session = ArchiveSession(LocalStore(tmp_path / "archive"), spool_dir=tmp_path / "spool", run_id="run-4",
                             warcinfo={"software": "test"})
    hub = Hub(session, SQLiteCrawlState(tmp_path / "state.sqlite"), workers=1)
    ref = WarcRef(file="warc/x.warc.gz", record_id="<urn:uuid:1>", offset=10, length=20, payload_digest="sha1:X")
    # The page names a canonical URL on another host: the outlet's scope keeps its own id.
    page = PAGE.replace(b"<head>", b'<head><link rel="canonical" href="http://elsewhere.example/copy">')
    provenance = Provenance(warc=ref, fetched_at="2026-12-05T06:00:00+00:00", outlet="geneva",
                            scope=("127.0.0.1",))
    try:
        done = asyncio.run(hub.extract(partial(article_job, page, "http://127.0.0.1/a", {}, provenance,
                                               session.article_builder())))
        article = done.article
        assert (article.warc, article.outlet, article.fetched_at) == (ref, "geneva", provenance.fetched_at)
        assert article.url == "http://127.0.0.1/a" and article.disagreements[-1].source == "scope"
        assert done.digest == article_digest(article)
        data, record = done.record
        assert data == article.to_json().encode("utf-8") and record.index.fields["url"] == "urn:article:" + article.url
        key = session.append_article(article, done.record, "added")
        assert session.close()["articles_added"] == 1 and (tmp_path / "archive" / key).read_bytes() == data
    finally:
        hub.close()
