"""Crawl throughput: newsarchive vs bare Scrapy (and bare Scrapy + bare trafilatura),
on the same loopback site of noisy article pages, in the same run.

    python -m bench.crawl_throughput [--pages 400]

Each variant runs in its own process (one reactor each) against the same server. Each is
also run on a one-page site, and that time (interpreter, imports, worker start-up,
archive close) is reported as start-up and subtracted for the steady-state rate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from tests.servers import Page, StaticSite
from tests.sim.content import compose
from tests.sim.formats import Entry, urlset
from tests.sim.noise import comment_form, footer, related, share_bar


def article_html(i: int, url: str) -> bytes:
    story = compose("en", f"bench-{i}")
    body = "".join(f"<p>{p}</p>" for p in story.paragraphs)
    links = [(f"/news/{(i + k) % 97}.html", f"Related story {k}") for k in range(1, 6)]
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{story.title}</title>"
            f"<meta property='og:title' content='{story.title}'>"
            f"<meta property='article:published_time' content='2026-11-20T10:00:00+00:00'></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/world/'>World</a></nav>{share_bar('en', url)}"
            f"<article><h1>{story.title}</h1><div class='body'>{body}</div></article>"
            f"{related('en', links)}{comment_form('en')}{footer('en', 'Bench News', 2026)}"
            "</body></html>").encode()


def build_site(pages: int) -> StaticSite:
    site = StaticSite().start()
    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    entries = []
    for i in range(pages):
        path = f"/news/2026/11/20/story-{i:05d}.html"
        site.pages[path] = Page(article_html(i, site.url(path)))
        entries.append(Entry(url=site.url(path), title=f"story {i}", published=now))
    site.pages["/sitemap.xml"] = Page(urlset(entries).encode(), headers={"Content-Type": "application/xml"})
    site.pages["/sitemap-one.xml"] = Page(urlset(entries[:1]).encode(), headers={"Content-Type": "application/xml"})
    return site


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=400)
    args = parser.parse_args()
    site = build_site(args.pages)
    urls = [site.url(p) for p in site.pages if p.startswith("/news/")]
    work = Path(tempfile.mkdtemp(prefix="na-bench-"))
    configs = {}
    for size, sitemap in (("all", "/sitemap.xml"), ("one", "/sitemap-one.xml")):
        configs[size] = work / f"bench-{size}.yaml"
        configs[size].write_text(
            "outlets:\n  - name: bench\n    domains: ['127.0.0.1']\n    language: en\n"
            f"    sitemaps: ['{site.url(sitemap)}']\n    article_patterns: ['^/news/.*\\.html$']\n"
            "    max_age_days: 100000\n"
        )
    py = sys.executable
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-q"]

    def bare(extract: bool) -> Callable[[str], float]:
        flag = ["--extract"] if extract else []
        return lambda size: timed([py, "-m", "bench.bare_scrapy", str(work / f"urls-{size}.txt"), *flag])

    def ours(workers: int) -> Callable[[str], float]:
        def run(size: str) -> float:
            name = f"{workers}-{size}"
            env = dict(os.environ, NEWSARCHIVE_HOME=str(work / f"home-{name}"))
            return timed([py, "-m", "crawler.cli", "crawl", "bench", "--config", str(configs[size]),
                          "--archive", str(work / f"archive-{name}"), *fast,
                          "-s", f"NEWSARCHIVE_EXTRACT_WORKERS={workers}"], env=env)
        return run

    (work / "urls-all.txt").write_text("\n".join(urls))
    (work / "urls-one.txt").write_text(urls[0])
    variants = {
        "bare scrapy": bare(False),
        "bare scrapy + trafilatura.extract": bare(True),
        "newsarchive (2 extract workers)": ours(2),
        "newsarchive (extract in-process)": ours(0),
    }
    results = {name: (run("one"), run("all")) for name, run in variants.items()}
    site.stop()
    rate = {name: (args.pages - 1) / max(total - one, 1e-6) for name, (one, total) in results.items()}
    print(f"{args.pages} article pages from a loopback site, one process per variant, same run")
    print(f"{'variant':36} {'start-up s':>10} {'total s':>8} {'pages/s':>8} {'vs bare':>8} {'vs bare+traf':>13}")
    for name, (one, total) in results.items():
        print(f"{name:36} {one:10.2f} {total:8.2f} {rate[name]:8.1f} "
              f"{rate['bare scrapy'] / rate[name]:7.2f}x {rate['bare scrapy + trafilatura.extract'] / rate[name]:12.2f}x")
    print("pages/s: steady state, (pages - 1) / (total - start-up); 'vs' columns: how many times slower")


if __name__ == "__main__":
    main()
