"""``outlet``: one generic spider driven by outlet specs (config/outlets.yaml).

Two phases. Discovery fetches feeds, sitemaps (indexes followed, news fields kept) and
section pages (their listing pages followed to ``section_depth``), canonicalising and
filtering every candidate URL and collecting what each source said about it. When
discovery is done (the engine goes idle), the articles are requested, newest first,
each with the evidence of all its sources merged into extraction ``Hints``: so the
result does not depend on which response happened to arrive first, and ``--limit N``
means the N newest. Feeds and sitemaps go through the same capture as articles: they
are archived as evidence of when a story was announced.

    scrapy crawl outlet -a outlet=xinhua-en,tass-en [-a config=my.yaml] [-a since=2026-11-01] [-a limit=50]
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from crawler.candidates import Candidates, LocalCandidates, RedisCandidates
from crawler.discovery import DiscoveryError, Entry, extract_links, parse_feed, parse_sitemap
from crawler.items import PageItem
from crawler.middlewares import INCREMENTAL
from crawler.outlets import OutletPolicies, OutletSpec, load_outlets
from crawler.spiders.base import ArchivingSpider
from crawler.urls import canonicalize_url
from extract import Hints, SiteRules, Topic


__all__ = ["OutletSpider", "merge_hints", "parse_since"]

# In one process the articles go to the scheduler a slice at a time, round-robin over the
# outlets, whenever fewer than RELEASE_LOW_WATER requests wait there: it holds a few
# hundred requests however large the frontier (memory stays flat), and every outlet of a
# multi-outlet crawl has requests waiting for its own download slot.
RELEASE_LOW_WATER = 64
RELEASE_SLICE = 128


def parse_since(text: str | None) -> datetime | None:
    """``--since`` as an aware datetime; a bare date means midnight UTC."""
    if not text:
        return None
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _when(value: str | None) -> datetime | None:
    try:
        return parse_since(value)
    except ValueError:
        return None


class OutletSpider(ArchivingSpider):
    name = "outlet"

    def __init__(
        self,
        outlet: str = "",
        config: str = "",
        since: str | None = None,
        limit: str | int | None = None,
        specs: dict[str, OutletSpec] | None = None,
        seed: bool | str = True,
        candidates: Candidates | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        available = specs if specs is not None else load_outlets([Path(p) for p in config.split(",") if p])
        names = [n for n in outlet.split(",") if n] or sorted(available)
        unknown = [n for n in names if n not in available]
        if unknown:
            raise ValueError(f"unknown outlet(s): {', '.join(unknown)}; known: {', '.join(sorted(available))}")
        # A worker of a shared frontier handles whichever outlet a request is for; it
        # seeds nothing itself.
        self.seed = seed not in (False, "0", "false", "no")
        self.seeded = names if self.seed else []
        self.specs = {n: available[n] for n in names} if self.seed else dict(available)
        self.policies = OutletPolicies(self.specs)
        self.since = parse_since(since)
        self.limit = int(limit) if limit not in (None, "", 0, "0") else None
        self.candidates: Candidates = candidates or LocalCandidates()
        self._params: dict[str, tuple[datetime | None, int | None]] = {}
        self._sources: set[str] = set()
        self._unreleased: deque[Iterator[scrapy.Request]] = deque()  # one stream of article requests per outlet

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "OutletSpider":
        redis_url = crawler.settings.get("NEWSARCHIVE_REDIS")
        if redis_url and "candidates" not in kwargs:
            from crawler.frontier import frontier_keys, redis_client

            kwargs["candidates"] = RedisCandidates(redis_client(redis_url), frontier_keys(crawler.settings))
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._top_up, signal=signals.request_left_downloader)
        return spider

    @property
    def outlet_names(self) -> list[str]:
        """The outlets this crawl seeded, as the run record lists them (a worker's come from its stats)."""
        return list(self.seeded)

    def _outlet_params(self, outlet: str) -> tuple[datetime | None, int | None]:
        """--since and --limit of the crawl that seeded ``outlet`` (on a frontier, maybe another process's)."""
        if outlet not in self._params:
            self._params[outlet] = self.candidates.params(outlet)
        return self._params[outlet]

    # What the pipeline and middlewares ask of the crawl's outlets (crawler.outlets.OutletPolicies).
    def topics_for(self, outlet: str | None) -> tuple[tuple[Topic, ...], bool]:
        return self.policies.topics(outlet)

    def rules_for(self, outlet: str | None) -> SiteRules | None:
        return self.policies.rules(outlet)

    def scope_for(self, outlet: str | None) -> tuple[str, ...] | None:
        return self.policies.scope(outlet)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for name in self.seeded:
            spec = self.specs[name]
            self.candidates.announce(name, self.since, self.limit)
            sources = [(url, self.parse_feed, {}) for url in spec.feeds]
            sources += [(url, self.parse_sitemap, {}) for url in spec.sitemaps]
            sources += [(url, self.parse_section, {"depth": 0, "root": _section_root(url)}) for url in spec.sections]
            for url, callback, meta in sources:
                for request in self._source(spec, url, callback, **meta):
                    yield request

    def _source(self, spec: OutletSpec, url: str, callback: Any, **meta: Any) -> Iterator[scrapy.Request]:
        """A discovery request, at most once per URL in a crawl."""
        if url in self._sources:
            return
        self._sources.add(url)
        yield scrapy.Request(url, callback=callback, errback=self.on_error, meta=self.meta(spec.name, **meta))

    # discovery

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        spec = self.specs[response.meta["outlet"]]
        try:
            entries = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            self._bad_source(spec, response, "bad_feed", exc)
            return
        for entry in entries:
            self._consider(spec, entry.url, entry)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        spec = self.specs[response.meta["outlet"]]
        try:
            doc = parse_sitemap(response.body, response.url)
        except DiscoveryError as exc:
            self._bad_source(spec, response, "bad_sitemap", exc)
            return
        for child, lastmod in doc.children:
            if self._too_old(spec, _when(lastmod)):
                self.outlet_stats().inc(spec.name, "skipped_old")
                continue
            if spec.allows(child):
                yield from self._source(spec, child, self.parse_sitemap)
        for entry in doc.entries:
            self._consider(spec, entry.url, entry)

    def parse_section(self, response: Response) -> Iterator[scrapy.Request]:
        spec = self.specs[response.meta["outlet"]]
        depth, root = response.meta["depth"], response.meta["root"]
        # section_depth 1: the section page's own links; each step more follows listing
        # pages (page 2, 3...) that stay under the section's path.
        follow = depth + 1 < spec.section_depth
        for link in extract_links(response.body, response.url):
            if spec.is_article_url(link):
                self._consider(spec, link, None)
            elif follow and spec.allows(link) and urlsplit(link).path.startswith(root) \
                    and spec.exclusion_reason(link) != "excluded":
                yield from self._source(spec, link, self.parse_section, depth=depth + 1, root=root)

    def _consider(self, spec: OutletSpec, url: str, entry: Entry | None) -> None:
        try:
            url = canonicalize_url(url)
        except ValueError:
            return
        if self.candidates.dropped(spec.name, url):
            return
        if spec.exclusion_reason(url):
            self.candidates.drop(spec.name, url)
            self.outlet_stats().inc(spec.name, "skipped_filter")
            return
        if entry is not None and self._too_old(spec, _when(entry.published) or _when(entry.modified)):
            self.candidates.drop(spec.name, url)
            self.outlet_stats().inc(spec.name, "skipped_old")
            return
        self.candidates.add(spec.name, url, entry)

    # phase two: articles

    def _on_idle(self) -> None:
        if self._unreleased:
            self._release()
            raise DontCloseSpider
        batch = self.candidates.take()
        if batch is None:
            return
        streams = [self._article_requests(name, candidates) for name, candidates in batch.items()]
        if isinstance(self.candidates, LocalCandidates):
            self._unreleased.extend(streams)
            self._release()
        else:
            # A shared frontier: every request is queued in Redis before the candidates go
            # (a worker killed in between loses nothing).
            for stream in streams:
                for request in stream:
                    self.crawler.engine.crawl(request)
        self.candidates.done(batch)
        if any(batch.values()):
            raise DontCloseSpider

    def _article_requests(self, name: str, candidates: dict[str, list[Entry | None]]) -> Iterator[scrapy.Request]:
        ordered = sorted(candidates.items(), key=lambda item: _newest_first(item[1]) + (item[0],))
        limit = self._outlet_params(name)[1]
        if limit is not None:
            ordered = ordered[:limit]
        spec = self.specs[name]
        for url, entries in ordered:
            yield scrapy.Request(
                url, callback=self.parse_article, errback=self.on_error,
                meta=self.meta(spec.name, hints=merge_hints(entries), **{INCREMENTAL: True}),
            )

    def _top_up(self, request: scrapy.Request, spider: Any = None) -> None:
        if self._unreleased:
            self._release()

    def _release(self) -> None:
        """Up to RELEASE_SLICE article requests to the scheduler, round-robin over the
        outlets, if fewer than RELEASE_LOW_WATER wait there."""
        scheduler = self.crawler.engine.scheduler
        try:
            if scheduler is not None and len(scheduler) >= RELEASE_LOW_WATER:  # type: ignore[arg-type]
                return
        except TypeError:  # a scheduler that cannot count: release anyway
            pass
        released = 0
        while self._unreleased and released < RELEASE_SLICE:
            stream = self._unreleased.popleft()
            request = next(stream, None)
            if request is not None:
                self._unreleased.append(stream)
                self.crawler.engine.crawl(request)
                released += 1

    def _too_old(self, spec: OutletSpec, when: datetime | None) -> bool:
        if when is None:
            return False
        since = self._outlet_params(spec.name)[0]
        if since is not None:
            return when < since  # an explicit --since wins over the outlet's max_age_days
        if spec.max_age_days is not None and when < datetime.now(timezone.utc) - timedelta(days=spec.max_age_days):
            return True
        return False

    def _bad_source(self, spec: OutletSpec, response: Response, kind: str, exc: Exception) -> None:
        self.outlet_stats().inc(spec.name, "errors", kind)
        self.logger.warning("%s: %s is not usable: %s", spec.name, response.url, exc)

    # articles

    def parse_article(self, response: Response) -> PageItem | None:
        return self.page_item(response, hints=response.meta.get("hints"))


# Which source to believe first, field by field: a news sitemap is written for news
# crawlers, a feed for readers, a plain sitemap only knows URLs and lastmod.
_SOURCE_RANK = {"news-sitemap": 0, "feed": 1, "sitemap": 2}


def merge_hints(entries: list[Entry | None]) -> Hints | None:
    """One ``Hints`` from every source that announced a URL, independent of arrival order."""
    known = sorted((e for e in entries if e is not None), key=lambda e: (_SOURCE_RANK.get(e.source, 9), e.url))
    if not known:
        return None

    def first(field: str) -> Any:
        return next((getattr(e, field) for e in known if getattr(e, field)), None)

    keywords = tuple(dict.fromkeys(k for e in known for k in e.keywords))
    return Hints(title=first("title"), published=first("published"), language=first("language"),
                 keywords=keywords, source=known[0].source)


def _newest_first(entries: list[Entry | None]) -> tuple[float]:
    dates = [_when(e.published or e.modified) for e in entries if e is not None]
    stamps = [d.timestamp() for d in dates if d is not None]
    return (-max(stamps) if stamps else 0.0,)


def _section_root(url: str) -> str:
    """The path prefix a section's own pages share.

    /world/ and /world/index.htm give /world/; /politics (no file name) gives /politics,
    which still covers /politics?page=2 and /politics/2.
    """
    path = urlsplit(url).path or "/"
    if path.endswith("/"):
        return path
    head, _, last = path.rpartition("/")
    return head + "/" if "." in last else path
