"""Baseline for crawl benchmarks: bare Scrapy fetching a list of URLs, optionally with
bare ``trafilatura.extract`` in the callback. Run by bench/crawl_throughput.py:

    python -m bench.bare_scrapy URLS_FILE [--extract]
"""

from __future__ import annotations

import sys
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], extract: bool, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.extract = extract

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        if self.extract:
            import trafilatura

            trafilatura.extract(response.text)


def main() -> None:
    urls = Path(sys.argv[1]).read_text().split()
    process = CrawlerProcess({
        "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0,
    })
    process.crawl(BareSpider, urls=urls, extract="--extract" in sys.argv)
    process.start()


if __name__ == "__main__":
    main()
