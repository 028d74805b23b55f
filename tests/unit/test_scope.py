"""Scope: what an address is, which redirects a crawl follows, which ids a page may take,
and an explicit --since over the outlet's age window. No traffic: pure functions and
components built with plain values."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import datetime, timezone

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from archive import ArchiveSession, LocalStore, StorageError
from archive.storage import preflight
from crawler.items import PageItem
from crawler.middlewares import OutOfScope, ScopeMiddleware
from crawler.outlets import load_outlets
from crawler.identity import own_identity
from crawler.pipelines import ArticlePipeline
from crawler.workers import run_here
from crawler.spiders.outlet import OutletSpider
from crawler.state import Capture, SQLiteCrawlState
from crawler.urls import address_scope
from extract import extract_page
from extract.article import WarcRef, article_id
from tests.unit.test_hub import STORY


@pytest.mark.parametrize(("address", "scope"), [
    ("93.184.216.34", "public"), ("2001:4860:4860::8888", "public"),
    ("127.0.0.1", "loopback"), ("127.9.9.9", "loopback"), ("::1", "loopback"), ("[::1]", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),   # cloud metadata; IPv6 link-local
    ("10.0.0.5", "private"), ("172.16.3.4", "private"), ("192.168.1.1", "private"), ("fd00:ec2::254", "private"),
    ("100.64.0.1", "private"),                                       # carrier-grade NAT
    ("0.0.0.0", "reserved"), ("224.0.0.1", "reserved"), ("240.0.0.1", "reserved"),
])
def test_address_scope(address, scope):
    assert address_scope(address) == scope


def test_address_scope_refuses_names():
    with pytest.raises(ValueError):
        address_scope("metadata.google.internal")


def _redirected(url: str, origin: str, outlet: str | None = None) -> Request:
    return Request(url, meta={"outlet": outlet, "redirect_urls": [origin]})


def _check(middleware: ScopeMiddleware, request: Request) -> OutOfScope | None:
    try:
        asyncio.run(middleware.process_request(request))
    except OutOfScope as exc:
        return exc
    return None


def test_a_crawl_redirect_stays_on_the_outlets_domains():
    scope = ScopeMiddleware(lambda outlet: ("127.0.0.1:8001", "news.example") if outlet == "o" else None)
    assert _check(scope, Request("http://127.0.0.1:8002/x", meta={"outlet": "o"})) is None  # not a redirect
    assert _check(scope, _redirected("http://127.0.0.1:8001/b", "http://127.0.0.1:8001/a", "o")) is None
    assert _check(scope, _redirected("http://www.news.example/b", "http://127.0.0.1:8001/a", "o")) is None
    refused = _check(scope, _redirected("http://127.0.0.1:8002/b", "http://127.0.0.1:8001/a", "o"))
    assert refused is not None and refused.origin == "http://127.0.0.1:8001/a"
    assert "outlet's domains" in str(refused)


def test_a_redirect_from_a_public_address_never_reaches_an_internal_one():
    scope = ScopeMiddleware(lambda outlet: None, public=["127.0.0.1:8001"])
    for target in ("http://127.0.0.1:8002/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
                   "http://[::1]:8080/", "http://[fe80::1]/"):
        refused = _check(scope, _redirected(target, "http://127.0.0.1:8001/a"))
        assert refused is not None and "public address" in str(refused), target
    assert _check(scope, _redirected("http://93.184.216.34/b", "http://127.0.0.1:8001/a")) is None
    # From a loopback origin (a site the user runs on this machine) anything goes.
    plain = ScopeMiddleware(lambda outlet: None)
    assert _check(plain, _redirected("http://127.0.0.1:8002/", "http://127.0.0.1:8001/a")) is None


def _article(url: str, canonical: str | None):
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    page = (f"<html><head><title>Talks resume in Geneva</title>{link}</head><body><article><h1>Talks resume "
            "in Geneva</h1>" + "".join(f"<p>{p}</p>" for p in STORY) + "</article></body></html>").encode()
    return page, extract_page(page, url).article


def test_a_canonical_on_another_host_is_a_claim_not_an_identity():
    url = "http://127.0.0.1:8002/news/copy.html"
    _, article = _article(url, "http://127.0.0.1:8001/news/original.html")
    assert article.id == article_id("http://127.0.0.1:8001/news/original.html")  # what extraction claims
    own = own_identity(article, ("127.0.0.1:8002",))
    assert own.id == article_id(url) and own.canonical_url == url
    (claim,) = [d for d in own.disagreements if d.field == "canonical_url"]
    assert (claim.page, claim.chosen, claim.source) == ("http://127.0.0.1:8001/news/original.html", url, "scope")
    assert own.cluster == article.cluster  # still linked to the original
    # An ad-hoc fetch: the fetched host (with its explicit port) owns its ids.
    assert own_identity(article, None).id == article_id(url)


def test_a_canonical_on_the_outlets_own_domains_sets_the_id():
    _, article = _article("http://www.news.example/a?from=rss", "https://news.example/a")
    assert own_identity(article, ("news.example",)) == article
    _, adhoc = _article("http://news.example/a?x=1", "https://news.example/a")
    assert own_identity(adhoc, None) == adhoc  # default ports: an http page may name its https canonical


@pytest.fixture
def pipeline_parts(tmp_path):
    session = ArchiveSession(LocalStore(tmp_path / "archive"), spool_dir=tmp_path / "spool", run_id="r",
                             warcinfo={"software": "test"})
    state = SQLiteCrawlState(tmp_path / "state.sqlite")
    crawler = get_crawler()


    pipeline = ArticlePipeline(session=session, state=state, extract=run_here, signals=crawler.signals,
                               stats=crawler.stats, topics_for=lambda outlet: ((), False),
                               scope_for=lambda outlet: {"o": ("127.0.0.1:8001",), "h": ("127.0.0.1:8002",)}[outlet])
    yield pipeline, session, crawler, tmp_path / "archive", state
    state.close()


def _item(url: str, body: bytes, outlet: str, state: SQLiteCrawlState) -> PageItem:
    ref = WarcRef(file="warc/x.warc.gz", record_id=f"<urn:uuid:{abs(hash(url))}>", offset=0, length=1,
                  payload_digest="sha1:X")
    fetched_at = "2026-12-01T10:00:00+00:00"
    state.record_capture(Capture(url=url, warc=ref, fetched_at=fetched_at))  # as the download did
    return PageItem(url=url, body=body, headers={"Content-Type": "text/html"}, warc=ref,
                    fetched_at=fetched_at, outlet=outlet)


def test_copies_claiming_one_original_keep_their_own_articles_and_the_record_counts_what_landed(pipeline_parts):
    pipeline, session, crawler, archive, state = pipeline_parts
    original = "http://127.0.0.1:8001/news/original.html"
    hostile = [f"http://127.0.0.1:8002/copy/{n}.html" for n in range(5)]   # outlet h, o's canonical
    same_site = "http://127.0.0.1:8001/news/original.html?page=all"        # the outlet's own variant
    for url in [original, *hostile, same_site]:
        body, _ = _article(url, original)
        asyncio.run(pipeline.process_item(_item(url, body, "h" if url in hostile else "o", state)))
    session.close()
    ids = sorted(json.loads(p.read_text())["id"] for p in archive.glob("articles/**/*.json"))
    assert ids == sorted([article_id(original)] + [article_id(u) for u in hostile])
    stats = crawler.stats
    assert stats.get_value("newsarchive/outlet/h/articles_added") == 5
    assert stats.get_value("newsarchive/outlet/o/articles_added") == 1
    assert stats.get_value("newsarchive/outlet/o/articles_merged") == 1


def _spider(max_age_days: int | None, since: str | None) -> tuple[OutletSpider, object]:
    specs = load_outlets()
    name = sorted(specs)[0]
    spec = specs[name]
    spider = OutletSpider(outlet=name, specs={name: dataclasses.replace(spec, max_age_days=max_age_days)},
                          since=since)
    spider.candidates.announce(name, spider.since, None)
    return spider, spider.specs[name]


def test_an_explicit_since_wins_over_max_age_days():
    old = datetime(2026, 11, 2, tzinfo=timezone.utc)   # long past any 7-day window today
    spider, spec = _spider(7, "2026-11-01")
    assert not spider._too_old(spec, old)
    assert spider._too_old(spec, datetime(2026, 10, 31, tzinfo=timezone.utc))
    spider, spec = _spider(7, None)
    assert spider._too_old(spec, old)


def test_local_preflight_finds_an_archive_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot be written"):
        preflight(LocalStore(blocker / "archive"))
    with pytest.raises(StorageError, match="is a file"):
        preflight(LocalStore(blocker))
    with pytest.raises(StorageError, match="no archive at"):
        preflight(LocalStore(tmp_path / "absent"), write=False)
    preflight(LocalStore(tmp_path / "new" / "archive"))  # created, and left with no probe file
    assert [p.name for p in (tmp_path / "new" / "archive").iterdir()] == []
