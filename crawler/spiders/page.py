"""``page``: fetch given URLs once, through the same capture and pipeline as crawls."""

from __future__ import annotations

from typing import Any, AsyncIterator

import scrapy
from scrapy.http import Response

from archive.layout import ADHOC_OUTLET
from crawler.items import PageItem
from crawler.spiders.base import ArchivingSpider

__all__ = ["PageSpider"]


class PageSpider(ArchivingSpider):
    name = "page"

    def __init__(self, url: str = "", outlet: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not url:
            raise ValueError("the page spider needs a URL: -a url=https://...")
        self.urls = [u for u in url.split(",") if u]
        self.outlet = outlet or None

    @property
    def outlet_names(self) -> list[str]:
        return [self.outlet or ADHOC_OUTLET]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            # Not incremental: a one-off fetch always reads the page, the user asked for it.
            yield scrapy.Request(
                url,
                callback=self.parse,
                errback=self.on_error,
                dont_filter=True,
                meta=self.meta(self.outlet),
            )

    def parse(self, response: Response) -> PageItem | None:
        return self.page_item(response)
