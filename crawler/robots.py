"""robots.txt, obeyed by every request, including those that arrive while it loads.

Scrapy 2.19's ``RobotsTxtMiddleware`` lets the requests of a host wait on one Deferred
while that host's robots.txt downloads, and awaits it with ``asFuture``, whose callback
returns None: the first waiter gets the parser, every later one gets None and is let
through unchecked (the refactor in scrapy/scrapy#6802 dropped the per-waiter Deferred).
A single crawl rarely shows it (discovery requests come first); a worker of a shared
frontier starts with a burst of article requests and fetched pages robots.txt forbids.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

__all__ = ["ObeyingRobotsTxtMiddleware"]


class ObeyingRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's middleware, with one Deferred per waiter so every waiter gets the parser."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        loading = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(loading, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred[RobotParser | None] = Deferred()

        def relay(result: RobotParser | None) -> RobotParser | None:
            waiter.callback(result)
            return result  # left in place for the next waiter

        loading.addCallback(relay)
        return await maybe_deferred_to_future(waiter)
