"""The crawl's components built with plain values, as Scrapy builds them from a crawler:
WARC capture with revisits, and the article pipeline's change detection."""

from __future__ import annotations

import asyncio
import json

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from archive import ArchiveSession, LocalStore
from crawler.capture import EXCHANGE_META_KEY, RawExchange
from crawler.items import PageItem
from crawler.middlewares import INCREMENTAL, UNCHANGED, WARC_REF, WarcCaptureMiddleware
from crawler.pipelines import ArticlePipeline
from crawler.workers import run_here
from crawler.state import SQLiteCrawlState
from tests.unit.test_hub import PAGE

URL = "http://127.0.0.1:8000/news/talks.html"
HEAD = b'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nETag: "v1"\r\n\r\n'


@pytest.fixture
def parts(tmp_path):
    session = ArchiveSession(LocalStore(tmp_path / "archive"), spool_dir=tmp_path / "spool", run_id="r",
                             warcinfo={"software": "test"})
    state = SQLiteCrawlState(tmp_path / "state.sqlite")
    yield session, state, get_crawler(), tmp_path / "archive"
    session.close()
    state.close()


def _fetch(middleware: WarcCaptureMiddleware, body: bytes) -> Request:
    request = Request(URL, meta={INCREMENTAL: True, "outlet": "geneva"})
    middleware.process_request(request)
    request.meta[EXCHANGE_META_KEY] = RawExchange(bytearray(b"GET /news/talks.html HTTP/1.1\r\n\r\n"),
                                                  bytearray(HEAD + body), "127.0.0.1")
    middleware.process_response(request, HtmlResponse(URL, body=body, headers={"ETag": '"v1"'}, request=request))
    return request


def test_capture_sends_validators_and_archives_an_unchanged_payload_as_a_revisit(parts):
    session, state, crawler, _ = parts
    middleware = WarcCaptureMiddleware(session, state, crawler.stats)
    first = _fetch(middleware, PAGE)
    assert not first.meta[UNCHANGED] and b"If-None-Match" not in first.headers
    state.mark_processed(URL, first.meta[WARC_REF].payload_digest)  # the pipeline finished with it
    second = _fetch(middleware, PAGE)
    assert second.headers[b"If-None-Match"] == b'"v1"'
    assert second.meta[UNCHANGED] and second.meta[WARC_REF] == first.meta[WARC_REF]
    summary = session.close()
    assert (summary["exchanges"], summary["revisits"]) == (1, 1)
    assert crawler.stats.get_value("newsarchive/outlet/geneva/pages_fetched") == 2


def test_the_pipeline_archives_new_articles_once_and_marks_the_capture_processed(parts):
    session, state, crawler, archive = parts
    middleware = WarcCaptureMiddleware(session, state, crawler.stats)
    request = _fetch(middleware, PAGE)


    pipeline = ArticlePipeline(session=session, state=state, extract=run_here, signals=crawler.signals,
                               stats=crawler.stats, topics_for=lambda outlet: ((), False))
    item = PageItem(url=URL, body=PAGE, headers={"Content-Type": "text/html"}, warc=request.meta[WARC_REF],
                    fetched_at="2026-12-01T10:00:00+00:00", outlet="geneva")
    asyncio.run(pipeline.process_item(item))
    asyncio.run(pipeline.process_item(item))  # the same article again: nothing new
    assert state.last_capture(URL).processed
    session.close()
    stored = list(archive.glob("articles/geneva/**/*.json"))
    assert len(stored) == 1 and json.loads(stored[0].read_text())["title"] == "Talks resume in Geneva"
    assert crawler.stats.get_value("newsarchive/outlet/geneva/articles_added") == 1
    assert crawler.stats.get_value("newsarchive/outlet/geneva/unchanged") == 1
