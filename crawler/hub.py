"""What one crawl shares between its components: archive session, crawl state, workers.

Scrapy builds middlewares, pipelines and extensions separately; they meet here. The hub
is created from the crawler's settings before the crawl starts (or on first use, under
``scrapy crawl``); on ``spider_closed``, after the engine has stopped feeding it, it writes
the run record and closes the archive.
"""

from __future__ import annotations

import logging
import platform
import socket
import weakref
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from archive import ArchiveSession, DiskFull, store_from_uri
from archive.local import home_dir, spool_dir
from archive.layout import ADHOC_OUTLET
from crawler.extraction import warm_up
from crawler.state import CrawlState, open_state
from crawler.workers import ProcessWorkers
from crawler.stats import new_run_id, run_record

__all__ = ["Hub"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_HUBS: "weakref.WeakKeyDictionary[Crawler, Hub]" = weakref.WeakKeyDictionary()


class Hub:
    def __init__(
        self, session: ArchiveSession, state: CrawlState, workers: int,
        stop: Callable[[str], None] = lambda reason: None,
    ) -> None:
        self.session = session
        self.state = state
        self._stop = stop
        self.disk_full: DiskFull | None = None
        self.started = datetime.now(timezone.utc)
        self.record: dict[str, Any] = {}  # the run record, once the spider has closed
        self.summary: dict[str, Any] = {}  # ArchiveSession.close()'s, once closed
        self._extractors = ProcessWorkers("an extraction", workers, warm_up)
        self._closed = False

    @classmethod
    def of(cls, crawler: Crawler) -> "Hub":
        hub = _HUBS.get(crawler)
        if hub is None:
            hub = _HUBS[crawler] = cls._from_crawler(crawler)
        return hub

    @classmethod
    def _from_crawler(cls, crawler: Crawler) -> "Hub":
        settings = crawler.settings
        home = home_dir(settings.get("NEWSARCHIVE_HOME"))
        run_id = settings.get("NEWSARCHIVE_RUN_ID") or new_run_id()
        store = store_from_uri(settings.get("NEWSARCHIVE_ARCHIVE"))
        # The state first: rebuilding it from the archive can take a while, and nothing
        # is in the spool yet should the process be stopped meanwhile.
        state = open_state(store, home=home, redis_url=settings.get("NEWSARCHIVE_REDIS") or None)
        try:
            session = ArchiveSession(
                store,
                spool_dir=spool_dir(home, store),
                run_id=run_id,
                warcinfo=_warcinfo(settings, run_id),
                max_warc_bytes=settings.getint("NEWSARCHIVE_MAX_WARC_BYTES"),
                max_warc_age_s=settings.getfloat("NEWSARCHIVE_MAX_WARC_AGE"),
                # A WARC closes once this many articles wait on it: they reach the store
                # during the crawl, and the run's end uploads no more than that.
                max_warc_articles=settings.getint("NEWSARCHIVE_MAX_WARC_ARTICLES", 250),
            )
        except BaseException:
            state.close()
            raise
        engine_of = weakref.ref(crawler)  # a strong one would keep the crawler alive in _HUBS

        def stop(reason: str) -> None:
            target = engine_of()
            if target is not None and target.engine is not None and target.engine.spider is not None:
                deferred_from_coro(target.engine.close_spider_async(reason=reason))

        hub = cls(session, state, settings.getint("NEWSARCHIVE_EXTRACT_WORKERS"), stop)
        crawler.signals.connect(hub._spider_closed, signal=signals.spider_closed)
        return hub

    def stop_for_disk_full(self, exc: DiskFull) -> None:
        """The disk refused a write: stop the crawl (every later write would fail too) and
        say so once; what was written stays in the spool for `flush` and the next run."""
        if self.disk_full is not None:
            return
        self.disk_full = exc
        logger.error("stopping the crawl: %s", exc)
        self._stop("disk_full")

    def _spider_closed(self, spider: Any, reason: str) -> None:
        # Here, not in the CLI, so that `scrapy crawl` archives its run record too.
        self.record = run_record(
            run_id=self.session.run_id,
            stats=spider.crawler.stats.get_stats(),
            outlets=getattr(spider, "outlet_names", None) or [ADHOC_OUTLET],
            started=self.started,
            finish_reason=reason,
        )
        try:
            self.session.write_run_record(self.record)
        except DiskFull:
            pass  # said when the crawl stopped; the summary says it again
        finally:
            try:
                self.summary = self.close()
            except DiskFull as exc:  # the disk filled while closing: said as a full disk, not as a failure
                self.disk_full = self.disk_full or exc
                self.summary = {"pending": ["(unknown: the archive did not close)"], "storage_errors": [str(exc)],
                                "disk_full": True}
            except Exception as exc:  # the user must hear of it; the spool keeps what was written
                logger.error("closing the archive failed: %r", exc, exc_info=exc)
                self.summary = {"pending": ["(unknown: the archive did not close)"], "storage_errors": [repr(exc)]}
        # The archived run record could not know how its own upload went; the one the
        # caller sees (and --stats-json) does.
        if self.summary.get("pending") and self.record["outcome"] == "ok":
            self.record["outcome"] = "errors"
        self.record["archive"] = {
            key: self.summary.get(key) for key in ("store", "pending", "storage_errors", "uploaded", "disk_full")
        }

    async def extract(self, job: Callable[[], T]) -> T:
        """Run a picklable extraction call (``crawler.extraction.article_job``) in an extraction worker."""
        return await self._extractors.run(job)

    def close(self) -> dict[str, Any]:
        if self._closed:
            return {}
        self._closed = True
        try:
            self._extractors.shutdown()
            summary = self.session.close()
        finally:
            try:
                self.state.close()
            except DiskFull as exc:  # its last batch is lost: those pages are fetched again
                self.disk_full = self.disk_full or exc
        if self.disk_full is not None and not summary.get("disk_full"):
            summary = {**summary, "disk_full": True,
                       "storage_errors": [*summary.get("storage_errors", []), str(self.disk_full)]}
        return summary


def _warcinfo(settings: Any, run_id: str) -> dict[str, str]:
    from crawler import __version__

    info = {
        "software": f"newsarchive/{__version__} (Scrapy/{scrapy.__version__}; Python/{platform.python_version()})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": run_id,
        "hostname": socket.gethostname(),
        "http-header-user-agent": settings.get("USER_AGENT"),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
    }
    if settings.get("NEWSARCHIVE_OPERATOR"):
        info["operator"] = settings.get("NEWSARCHIVE_OPERATOR")
    return info
