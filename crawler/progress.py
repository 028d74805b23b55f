"""Live progress of a crawl on the terminal: one line, refreshed while it runs."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

__all__ = ["ProgressExtension", "summarize"]


def summarize(stats: dict[str, Any]) -> dict[str, int]:
    """Crawl-wide totals of the per-outlet counters, for a one-line display."""
    totals = {"pages": 0, "added": 0, "updated": 0, "unchanged": 0, "errors": 0}
    names = {"pages_fetched": "pages", "articles_added": "added", "articles_updated": "updated",
             "unchanged": "unchanged"}
    for key, value in stats.items():
        if not key.startswith("newsarchive/outlet/"):
            continue
        counter = key.split("/")[3]
        if counter in names:
            totals[names[counter]] += value
        elif counter == "errors":
            totals["errors"] += value
    return totals


class ProgressExtension:
    """Redraws a status line every second, on a terminal only (logs and CI stay clean)."""

    def __init__(self, crawler: Crawler, stream: Any) -> None:
        self._crawler = crawler
        self._stream = stream
        self._started = time.monotonic()
        self._loop = LoopingCall(self._draw)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressExtension":
        stream = sys.stderr
        if not crawler.settings.getbool("NEWSARCHIVE_PROGRESS", stream.isatty()):
            raise NotConfigured
        ext = cls(crawler, stream)
        crawler.signals.connect(ext._opened, signal=signals.spider_opened)
        crawler.signals.connect(ext._closed, signal=signals.spider_closed)
        return ext

    def _opened(self) -> None:
        self._loop.start(1.0, now=False)

    def _closed(self) -> None:
        if self._loop.running:
            self._loop.stop()
        self._stream.write("\r\033[K")
        self._stream.flush()

    def _draw(self) -> None:
        t = summarize(self._crawler.stats.get_stats())
        elapsed = max(time.monotonic() - self._started, 1e-6)
        line = (f"{t['pages']} pages ({t['pages'] / elapsed:.1f}/s) | {t['added']} new, {t['updated']} updated, "
                f"{t['unchanged']} unchanged | {t['errors']} errors | {elapsed:.0f}s")
        self._stream.write("\r\033[K" + line)
        self._stream.flush()
