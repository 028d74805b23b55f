"""The article pipeline: extract off the reactor, keep what is new, archive it."""

from __future__ import annotations

import functools
import logging
from typing import Any, Awaitable, Callable

from scrapy.crawler import Crawler
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import StatsCollector

from archive import ArchiveSession, DiskFull

from crawler import signals as na_signals
from crawler.hub import Hub
from crawler.extraction import Extracted, Provenance, article_job
from crawler.items import PageItem
from crawler.state import CrawlState
from crawler.stats import OutletStats
from extract import ExtractOptions, SiteRules, Topic

from extract.article import Article

__all__ = ["ArticlePipeline"]

logger = logging.getLogger(__name__)


class ArticlePipeline:
    """Turns ``PageItem``s into archived articles, or into recorded non-article pages.

    Topic filters come from the spider (``spider.topics_for(outlet)``), so one crawl can
    carry several outlets with their own filters.
    """

    def __init__(
        self,
        *,
        session: ArchiveSession,
        state: CrawlState,
        extract: Callable[[Callable[[], Extracted]], Awaitable[Extracted]],
        signals: SignalManager,
        stats: StatsCollector,
        topics_for: Callable[[str | None], tuple[tuple[Topic, ...], bool]],
        scope_for: Callable[[str | None], tuple[str, ...] | None] = lambda outlet: None,
        rules_for: Callable[[str | None], SiteRules | None] = lambda outlet: None,
        disk_full: Callable[[DiskFull], None] = lambda exc: None,
    ) -> None:
        self._session = session
        self._state = state
        self._extract = extract
        self._signals = signals
        self._stats = OutletStats(stats)
        self._topics = topics_for
        self._scope = scope_for
        self._rules = rules_for
        self._disk_full = disk_full

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ArticlePipeline":
        hub = Hub.of(crawler)

        def from_spider(name: str, default: Any) -> Callable[[str | None], Any]:
            # The spider knows its outlets' specs; it exists only once the crawl starts.
            def lookup(outlet: str | None) -> Any:
                method = getattr(crawler.spider, name, None)
                return method(outlet) if method else default
            return lookup

        return cls(session=hub.session, state=hub.state, extract=hub.extract, signals=crawler.signals,
                   stats=crawler.stats, topics_for=from_spider("topics_for", ((), False)),
                   scope_for=from_spider("scope_for", None), rules_for=from_spider("rules_for", None),
                   disk_full=hub.stop_for_disk_full)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        try:
            if await self._process_or_record(item):
                # Only now is the capture done with: a crawl killed before this point, or
                # a failure, leaves the page to be read again next time.
                self._state.mark_processed(item.url, item.warc.payload_digest)
        except DiskFull as exc:  # the crawl stops; this page is read again next time
            self._disk_full(exc)
        return item

    async def _process_or_record(self, item: PageItem) -> bool:
        """Process the page; True if done, False if it failed (and was recorded as an error)."""
        try:
            await self._process(item)
        except DiskFull:
            raise
        except Exception as exc:  # one bad page must not end the crawl or vanish
            logger.error("%s: could not be processed: %r", item.url, exc, exc_info=exc)
            self._stats.inc(item.outlet, "errors", "processing")
            self._session.record_page(url=item.url, page_type="error", reasons=(f"processing failed: {exc!r}",),
                                      warc=item.warc)
            return False
        return True

    async def _process(self, item: PageItem) -> None:
        topics, require_topic = self._topics(item.outlet)
        options = ExtractOptions(topics=topics, rules=self._rules(item.outlet))
        provenance = Provenance(warc=item.warc, fetched_at=item.fetched_at, outlet=item.outlet,
                                scope=self._scope(item.outlet))
        extracted: Extracted = await self._extract(functools.partial(
            article_job, item.body, item.url,
            {"headers": item.headers, "fetched_at": item.fetched_at, "hints": item.hints, "options": options},
            provenance, self._session.article_builder(),
        ))
        article, result = extracted.article, extracted.result
        if article is None:
            self._rejected(item, result.page_type.value, result.reasons)
            return
        if require_topic and topics and not article.topics:
            self._stats.inc(item.outlet, "skipped_topic")
            self._session.record_page(url=item.url, page_type="off_topic", reasons=("no topic matched",), warc=item.warc)
            return
        previous = self._state.last_capture(item.url)
        if previous is not None and previous.article_digest == extracted.digest:
            self._stats.inc(item.outlet, "unchanged")
            self._signals.send_catch_log(
                na_signals.article_archived, article=article, key=None, change="unchanged"
            )
            return
        change = "updated" if previous is not None and previous.article_id else "added"
        replaces = previous.article_key if previous else None
        if change == "added":
            # Another URL of the same story (same canonical) already holds this id: its JSON
            # is rewritten, and the run record says so rather than count a new article.
            existing = self._state.key_of(article.id)
            if existing is not None:
                change, replaces = "merged", existing
        assert extracted.record is not None and extracted.digest is not None  # made with every article
        # A new publication date moves the JSON to another date folder; the old copy goes.
        key = self._session.append_article(article, extracted.record,
                                           change="added" if change == "added" else "updated", replaces=replaces)
        self._state.record_article(item.url, article.id, extracted.digest, key)
        self._count(item.outlet, article, change)
        self._signals.send_catch_log(
            na_signals.article_archived, article=article, key=key, change=change
        )

    def _rejected(self, item: PageItem, page_type: str, reasons: tuple[str, ...]) -> None:
        self._stats.inc(item.outlet, "non_articles", page_type)
        if page_type == "blocked":
            self._stats.inc(item.outlet, "blocked")
        self._session.record_page(url=item.url, page_type=page_type, reasons=reasons, warc=item.warc)
        self._signals.send_catch_log(
            na_signals.page_rejected, url=item.url, outlet=item.outlet, page_type=page_type, reasons=reasons
        )

    def _count(self, outlet: str | None, article: Article, change: str) -> None:
        self._stats.inc(outlet, f"articles_{change}")
        self._stats.latest_published(outlet, article.published)
        for name, value in (("title", article.title), ("published", article.published), ("authors", article.authors)):
            if not value:
                self._stats.inc(outlet, "empty_fields", name)

