"""``outlet``: one generic spider driven by outlet specs (config/outlets.yaml).

Discovery goes feeds -> sitemaps (indexes followed, news fields kept) -> section pages
(followed within the section, to ``section_depth``). Every candidate URL is
canonicalised and filtered before a request is made; what feeds and sitemaps say about
an article travels with its request as extraction ``Hints``. Feeds and sitemaps are
fetched through the same capture, so they are archived as evidence of announcement.

    scrapy crawl outlet -a outlet=xinhua-en,tass-en [-a config=my.yaml] [-a since=2026-11-01] [-a limit=50]
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.discovery import DiscoveryError, Entry, extract_links, parse_feed, parse_sitemap
from crawler.items import PageItem
from crawler.middlewares import UNCHANGED
from crawler.outlets import OutletSpec, load_outlets
from crawler.spiders.base import ArchivingSpider
from crawler.urls import canonicalize_url
from extract import Hints, Topic

__all__ = ["OutletSpider", "parse_since"]


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
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        available = specs if specs is not None else load_outlets([Path(p) for p in config.split(",") if p])
        names = [n for n in outlet.split(",") if n] or sorted(available)
        unknown = [n for n in names if n not in available]
        if unknown:
            raise ValueError(f"unknown outlet(s): {', '.join(unknown)}; known: {', '.join(sorted(available))}")
        self.specs = {n: available[n] for n in names}
        self.since = parse_since(since)
        self.limit = int(limit) if limit not in (None, "", 0, "0") else None
        self._queued: dict[str, set[str]] = {n: set() for n in names}
        self._filtered: set[str] = set()

    def topics_for(self, outlet: str | None) -> tuple[tuple[Topic, ...], bool]:
        spec = self.specs.get(outlet or "")
        return (spec.topics, spec.require_topic) if spec else ((), False)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for spec in self.specs.values():
            for url in spec.feeds:
                yield self._request(spec, url, self.parse_feed, priority=20)
            for url in spec.sitemaps:
                yield self._request(spec, url, self.parse_sitemap, priority=20)
            for url in spec.sections:
                yield self._request(spec, url, self.parse_section, priority=10, depth=0, root=_section_root(url))

    def _request(self, spec: OutletSpec, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        priority = meta.pop("priority", 0)
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, priority=priority,
            meta=self.meta(spec.name, **meta),
        )

    # discovery

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if response.meta.get(UNCHANGED):
            return  # nothing announced since the last crawl
        spec = self.specs[response.meta["outlet"]]
        try:
            entries = parse_feed(response.body, response.url)
        except DiscoveryError as exc:
            self._bad_source(spec, response, "bad_feed", exc)
            return
        for entry in entries:
            yield from self._consider(spec, entry.url, entry)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        if response.meta.get(UNCHANGED):
            return
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
                yield self._request(spec, child, self.parse_sitemap, priority=15)
        for entry in doc.entries:
            yield from self._consider(spec, entry.url, entry)

    def parse_section(self, response: Response) -> Iterator[scrapy.Request]:
        if response.meta.get(UNCHANGED):
            return
        spec = self.specs[response.meta["outlet"]]
        depth, root = response.meta["depth"], response.meta["root"]
        for link in extract_links(response.body, response.url):
            if spec.is_article_url(link):
                yield from self._consider(spec, link, None)
            elif depth < spec.section_depth and spec.allows(link) and urlsplit(link).path.startswith(root) \
                    and spec.exclusion_reason(link) != "excluded":
                yield self._request(spec, link, self.parse_section, priority=5, depth=depth + 1, root=root)

    def _consider(self, spec: OutletSpec, url: str, entry: Entry | None) -> Iterator[scrapy.Request]:
        try:
            url = canonicalize_url(url)
        except ValueError:
            return
        queued = self._queued[spec.name]
        if url in queued or url in self._filtered:
            return
        if spec.exclusion_reason(url):
            self._filtered.add(url)
            self.outlet_stats().inc(spec.name, "skipped_filter")
            return
        if entry is not None and self._too_old(spec, _when(entry.published) or _when(entry.modified)):
            self._filtered.add(url)
            self.outlet_stats().inc(spec.name, "skipped_old")
            return
        if self.limit is not None and len(queued) >= self.limit:
            return
        queued.add(url)
        hints = None
        if entry is not None:
            hints = Hints(
                title=entry.title, published=entry.published, language=entry.language,
                keywords=tuple(entry.keywords), source=entry.source,
            )
        yield self._request(spec, url, self.parse_article, priority=0, hints=hints)

    def _too_old(self, spec: OutletSpec, when: datetime | None) -> bool:
        if when is None:
            return False
        if self.since is not None and when < self.since:
            return True
        if spec.max_age_days is not None and when < datetime.now(timezone.utc) - timedelta(days=spec.max_age_days):
            return True
        return False

    def _bad_source(self, spec: OutletSpec, response: Response, kind: str, exc: Exception) -> None:
        self.outlet_stats().inc(spec.name, "errors", kind)
        self.logger.warning("%s: %s is not usable: %s", spec.name, response.url, exc)

    # articles

    def parse_article(self, response: Response) -> PageItem | None:
        return self.page_item(response, hints=response.meta.get("hints"))


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
