"""Downloader middlewares: redirect scope, WARC capture with incremental revisits, and polite retries."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Iterable

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import StatsCollector

from archive import ArchiveSession, DiskFull
from archive.warc import split_http
from crawler.digests import payload_digest
from crawler.capture import EXCHANGE_META_KEY, RawExchange
from crawler.hub import Hub
from crawler.state import Capture, CrawlState
from crawler.stats import OutletStats
from crawler.urls import InvalidURL, address_scope, host_matches, host_port
from extract.article import WarcRef

__all__ = ["WarcCaptureMiddleware", "BackoffRetryMiddleware", "ScopeMiddleware", "OutOfScope", "INCREMENTAL"]

logger = logging.getLogger(__name__)

# request.meta keys: set by spiders
INCREMENTAL = "incremental"  # fetch conditionally; skip a payload already processed
# ... and set here, for later components
WARC_REF = "warc_ref"
FETCHED_AT = "fetched_at"
UNCHANGED = "unchanged"


class OutOfScope(IgnoreRequest):
    """A redirect that was not followed: it left the outlet's domains, or led from a public
    address to an internal one. ``origin`` is the URL the redirect chain started from."""

    def __init__(self, url: str, origin: str, reason: str) -> None:
        super().__init__(f"redirect from {origin} to {url} not followed: {reason}")
        self.url, self.origin, self.reason = url, origin, reason


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL of its own chain. Scrapy's duplicate filter would drop it
    without a word; this makes the loop a recorded failure of the URL it began at."""

    def __init__(self, url: str, origin: str) -> None:
        super().__init__(f"redirect loop: {origin} leads back to {url}")
        self.url, self.origin = url, origin


def _refuse_loops(result: Request | Response, request: Request) -> Request | Response:
    if isinstance(result, Request) and result is not request:
        chain = result.meta.get("redirect_urls") or []
        if result.url in chain:
            raise RedirectLoop(result.url, chain[0])
    return result


class LoopSafeRedirectMiddleware(RedirectMiddleware):
    """Scrapy's 3xx redirects, with loops refused as ``RedirectLoop``."""

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        return _refuse_loops(super().process_response(request, response), request)


class LoopSafeMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, with loops refused as ``RedirectLoop``.

    Scrapy looks for the refresh in the first 4096 characters of ``response.text``,
    which decodes the whole body (charset sniffing included) of every page: a tenth of
    the crawl process's time on real news pages. A page whose first bytes cannot spell
    "refresh" skips that; any other page gets Scrapy's own check.
    """

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Request | Response:
        if isinstance(response, HtmlResponse) and not _may_refresh(response.body):
            return response
        return _refuse_loops(super().process_response(request, response), request)


# Scrapy reads 4096 characters; no encoding spends more than 4 bytes on one.
_REFRESH_SCAN_BYTES = 4 * 4096


def _may_refresh(body: bytes) -> bool:
    """False only if the characters Scrapy scans for a meta refresh cannot contain one."""
    head = body[:_REFRESH_SCAN_BYTES]
    # A NUL means UTF-16 or UTF-32, where ASCII letters are not single bytes.
    return b"\x00" in head or b"refresh" in head.lower()


class ScopeMiddleware:
    """Redirects never lead a crawl out of its scope.

    Runs before every other downloader middleware (robots.txt included, so nothing is
    asked of a host the crawl must not visit) and looks only at requests that a redirect
    (HTTP 3xx or meta refresh) produced:

    - in a crawl, the target must be on the outlet's ``domains`` (``spider.scope_for``);
    - always, a chain that began at a public address never continues to a loopback,
      private, link-local (cloud metadata) or reserved one. Host names are resolved for
      this check; ``NEWSARCHIVE_PUBLIC_ADDRESSES`` (``host`` or ``host:port``) names
      addresses to treat as public, so tests on 127.0.0.1 can exercise the rule.

    A refused redirect fails its request with ``OutOfScope``; the spider counts it
    (``skipped_offsite``) and lists it in the manifest.
    """

    def __init__(self, scope_for: Callable[[str | None], tuple[str, ...] | None],
                 public: Iterable[str] = ()) -> None:
        self._scope_for = scope_for
        self._public = frozenset(p.strip().lower() for p in public if p.strip())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ScopeMiddleware":
        def scope_for(outlet: str | None) -> tuple[str, ...] | None:
            lookup = getattr(crawler.spider, "scope_for", None)
            return lookup(outlet) if lookup else None

        return cls(scope_for, crawler.settings.getlist("NEWSARCHIVE_PUBLIC_ADDRESSES"))

    async def process_request(self, request: Request) -> None:
        chain = request.meta.get("redirect_urls")
        if not chain:
            return None
        origin = chain[0]
        domains = self._scope_for(request.meta.get("outlet"))
        if domains and not host_matches(request.url, domains):
            raise OutOfScope(request.url, origin, f"outside the outlet's domains {list(domains)}")
        if await self._scope(origin) == "public":
            target = await self._scope(request.url)
            if target != "public":
                raise OutOfScope(request.url, origin, f"a public address never leads to a {target} one")
        return None

    async def _scope(self, url: str) -> str:
        """The scope of the URL's host: of its literal address, or the least public of what it resolves to."""
        try:
            host, port = host_port(url)
        except InvalidURL:
            return "reserved"
        if host in self._public or f"{host}:{port}" in self._public:
            return "public"
        try:
            return address_scope(host)
        except ValueError:
            pass  # a name, not an address
        addresses = await _resolve(host, port)
        if not addresses:
            return "public"  # unresolvable: the download fails by itself, reaching nothing
        scopes = {address_scope(a) for a in addresses}
        return next((s for s in ("link-local", "loopback", "private", "reserved") if s in scopes), "public")


async def _resolve(host: str, port: int) -> list[str]:
    try:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, RuntimeError, UnicodeError):
        return []
    return [info[4][0] for info in infos]


class NotArchived(IgnoreRequest):
    """The response arrived but the disk refused to archive it: the crawl is stopping
    (``Hub.stop_for_disk_full``), and the next run fetches the page again."""


class WarcCaptureMiddleware:
    """Writes every exchange to the WARC; unchanged payloads become ``revisit`` records.

    Requests flagged ``meta["incremental"]`` (article pages in a crawl) are sent
    conditionally (If-None-Match / If-Modified-Since) when the last capture of the URL
    was fully processed; a 304, or a 200 whose payload equals that capture's, is then
    flagged ``meta["unchanged"]`` so nothing is re-extracted. Other requests (robots.txt,
    feeds, sitemaps, one-off fetches) always get a full response to read, though an
    identical payload is still archived as a revisit.
    """

    def __init__(
        self, session: ArchiveSession, state: CrawlState, stats: StatsCollector,
        disk_full: Callable[[DiskFull], None] = lambda exc: None,
    ) -> None:
        self._session = session
        self._state = state
        self._stats = stats
        self._outlet_stats = OutletStats(stats)
        self._disk_full = disk_full

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WarcCaptureMiddleware":
        hub = Hub.of(crawler)
        return cls(hub.session, hub.state, crawler.stats, hub.stop_for_disk_full)

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or not request.meta.get(INCREMENTAL):
            return None
        previous = self._state.last_capture(request.url)
        if previous is None or not previous.processed:
            return None  # no validators to send, or the last capture still needs its body
        if previous.etag:
            request.headers.setdefault(b"If-None-Match", previous.etag.encode("latin-1"))
        if previous.last_modified:
            request.headers.setdefault(b"If-Modified-Since", previous.last_modified.encode("latin-1"))
        allowed = list(request.meta.get("handle_httpstatus_list", ()))
        if 304 not in allowed:
            request.meta["handle_httpstatus_list"] = allowed + [304]
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        try:
            return self._capture(request, response)
        except DiskFull as exc:
            self._disk_full(exc)
            raise NotArchived(f"{request.url}: not archived, the disk is full") from exc

    def _capture(self, request: Request, response: Response) -> Response:
        exchange: RawExchange | None = request.meta.pop(EXCHANGE_META_KEY, None)
        if exchange is None:
            return response  # not from the network (e.g. a cache): nothing to archive
        fetched_at = datetime.now(timezone.utc)
        raw = bytes(exchange.response)
        state = self._state
        previous = state.last_capture(request.url)
        head = b""
        if previous is not None:
            head, body = split_http(raw)
            same_payload = response.status == 304 or (
                response.status == 200 and payload_digest(body) == previous.warc.payload_digest
            )
        else:
            same_payload = False
        unchanged = False
        if same_payload:
            assert previous is not None
            # Skip extraction only where the crawl asked to, and only once it was done.
            unchanged = bool(request.meta.get(INCREMENTAL)) and previous.processed
            self._session.write_revisit(
                url=request.url,
                request=bytes(exchange.request),
                response_head=head,
                fetched_at=fetched_at,
                refers_to=previous.warc,
                refers_to_url=previous.url,
                refers_to_date=previous.fetched_at,
                profile="server-not-modified" if response.status == 304 else "identical-payload-digest",
            )
            ref = previous.warc  # the response record that holds this payload
        else:
            ref = self._write_exchange(
                request, exchange, raw, fetched_at, truncated="disconnect" if "dataloss" in response.flags else None
            )
            if response.status == 200 and "dataloss" not in response.flags:
                state.record_capture(
                    Capture(
                        url=request.url,
                        warc=ref,
                        fetched_at=fetched_at.isoformat(),
                        etag=_header(response, b"ETag"),
                        last_modified=_header(response, b"Last-Modified"),
                    )
                )
        request.meta[WARC_REF] = ref
        request.meta[FETCHED_AT] = fetched_at.isoformat(timespec="seconds")
        request.meta[UNCHANGED] = unchanged
        if "outlet" in request.meta:  # robots.txt requests belong to no outlet's tally
            self._outlet_stats.inc(request.meta["outlet"], "pages_fetched")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        # Headers arrived but the body did not complete: what did arrive is evidence too,
        # archived as a truncated response. The retry (if any) captures afresh.
        exchange: RawExchange | None = request.meta.pop(EXCHANGE_META_KEY, None)
        if exchange is None or not exchange.response:
            return None
        if isinstance(exception, DownloadTimeoutError):
            reason = "time"
        elif isinstance(exception, DownloadCancelledError):
            reason = "length"
        else:
            reason = "disconnect"
        try:
            self._write_exchange(request, exchange, bytes(exchange.response), datetime.now(timezone.utc),
                                 truncated=reason)
        except DiskFull as exc:
            self._disk_full(exc)
            return None
        self._stats.inc_value(f"newsarchive/truncated/{reason}")
        return None

    def _write_exchange(
        self, request: Request, exchange: RawExchange, response: bytes, fetched_at: datetime, *, truncated: str | None
    ) -> WarcRef:
        hints = request.meta.get("hints")
        return self._session.write_exchange(
            url=request.url,
            request=bytes(exchange.request),
            response=response,
            remote_ip=exchange.remote_ip,
            fetched_at=fetched_at,
            hints=dataclasses.asdict(hints) if dataclasses.is_dataclass(hints) else None,
            truncated=truncated,
            outlet=request.meta.get("outlet"),
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, spaced out: exponential backoff, and Retry-After when sent.

    The wait only delays the retried request; the reactor and other downloads go on.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self._base = settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF_BASE")
        self._cap = settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF_MAX")

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, response))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self._delay(result, None))
        return result

    def _delay(self, retry: Request, response: Response | None) -> float:
        if response is not None:
            after = _retry_after(response)
            if after is not None:
                return min(after, self._cap)
        attempt = retry.meta.get("retry_times", 1)
        return min(self._base * 2 ** (attempt - 1), self._cap)


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC, with no claim about the local zone
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
