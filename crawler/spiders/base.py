"""What every newsarchive spider does with a response or a failure."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler import signals as na_signals
from crawler.hub import Hub
from crawler.items import PageItem
from archive import DiskFull
from crawler.middlewares import FETCHED_AT, UNCHANGED, WARC_REF, NotArchived, OutOfScope, RedirectLoop
from crawler.stats import OutletStats
from extract import Hints, Topic

__all__ = ["ArchivingSpider", "error_kind"]

logger = logging.getLogger(__name__)


def error_kind(failure: Failure) -> str:
    """A short, stable name for why a request failed, used as a stats key."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, RedirectLoop):
        return "redirect_loop"
    if isinstance(exc, IgnoreRequest) and type(exc.__cause__).__name__ == "_DecompressionMaxSizeExceeded":
        return "too_large"  # a compressed body (a gzip bomb) that inflates past DOWNLOAD_MAXSIZE
    name = type(exc).__name__
    return {
        "DNSLookupError": "dns",
        "ConnectionRefusedError": "connection_refused",
        "TCPTimedOutError": "timeout",
        "TimeoutError": "timeout",
        "DownloadTimeoutError": "timeout",
        "ResponseDataLossError": "truncated",
        "ResponseFailed": "connection_lost",
        "ConnectionLost": "connection_lost",
        "ConnectionDone": "connection_lost",
        "DownloadCancelledError": "too_large",
    }.get(name, name.lower())


# For failures whose exception carries no text of its own.
_MESSAGES = {
    "truncated": "the connection closed before the whole body arrived (what arrived is in the WARC, marked truncated)",
    "connection_lost": "the connection was lost before a response arrived",
}


def _http_message(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


class ArchivingSpider(scrapy.Spider):
    """Base: builds ``PageItem``s and accounts for failures per outlet."""

    def outlet_stats(self) -> OutletStats:
        return OutletStats(self.crawler.stats)

    def topics_for(self, outlet: str | None) -> tuple[tuple[Topic, ...], bool]:
        return (), False

    def scope_for(self, outlet: str | None) -> tuple[str, ...] | None:
        """The domains an outlet's redirects and canonical URLs must stay on; None: no
        outlet domains (an ad-hoc fetch: only the fetched host owns its ids)."""
        return None

    def page_item(self, response: Response, *, hints: Hints | None = None) -> PageItem | None:
        """The item for an article candidate, or None when the capture was unchanged."""
        outlet = response.meta.get("outlet")
        if response.meta.get(UNCHANGED):
            self.outlet_stats().inc(outlet, "unchanged")
            return None
        headers = {
            name.decode("latin-1"): b", ".join(values).decode("latin-1")
            for name, values in response.headers.items()
        }
        return PageItem(
            url=response.url,
            body=response.body,
            headers=headers,
            warc=response.meta[WARC_REF],
            fetched_at=response.meta[FETCHED_AT],
            outlet=outlet,
            hints=hints,
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        outlet = request.meta.get("outlet")
        if failure.check(NotArchived):
            return  # the crawl is stopping for a full disk, said once by the hub
        if failure.check(OutOfScope):
            self._out_of_scope(outlet, failure.value)
            return
        kind = error_kind(failure)
        if failure.check(IgnoreRequest) and not failure.check(HttpError) and kind not in ("too_large", "redirect_loop"):
            # RobotsTxtMiddleware and filters refuse requests this way.
            self.outlet_stats().inc(outlet, "skipped_robots")
            logger.info("%s: not fetched (%s)", request.url, failure.value)
            return
        self.outlet_stats().inc(outlet, "errors", kind)
        if failure.check(HttpError):
            message = _http_message(failure.value.response.status)
        else:
            message = str(failure.value) or _MESSAGES.get(kind, kind)
        response = getattr(failure.value, "response", None)
        # The manifest lists every fetch that yielded no article, failures included; the
        # capture (if the response arrived before it failed) is in the WARC.
        warc = response.meta.get(WARC_REF) if response is not None else request.meta.get(WARC_REF)
        url = request.url
        if failure.check(RedirectLoop):  # the loop belongs to the URL the crawl asked for; its 3xx are in the WARC
            url, warc = failure.value.origin, None
        logger.warning("%s: %s", url, message)
        self._record_page(url=url, page_type="error", reasons=(f"{kind}: {message}",), warc=warc)
        self.crawler.signals.send_catch_log(
            na_signals.fetch_failed, url=url, outlet=outlet, kind=kind, message=message
        )

    def _out_of_scope(self, outlet: str | None, refused: OutOfScope) -> None:
        """A redirect not followed: counted, listed in the manifest, never an error of the site."""
        self.outlet_stats().inc(outlet, "skipped_offsite")
        logger.info("%s", refused)
        self._record_page(
            url=refused.origin, page_type="offsite", reasons=(f"redirect to {refused.url} not followed: {refused.reason}",),
            warc=None,
        )
        self.crawler.signals.send_catch_log(
            na_signals.fetch_failed, url=refused.origin, outlet=outlet, kind="out_of_scope", message=str(refused)
        )

    def _record_page(self, **page: Any) -> None:
        hub = Hub.of(self.crawler)
        try:
            hub.session.record_page(**page)
        except DiskFull as exc:
            hub.stop_for_disk_full(exc)

    def meta(self, outlet: str | None, **extra: Any) -> dict[str, Any]:
        return {"outlet": outlet, **extra}
