"""Crawl throughput: newsarchive vs bare Scrapy (and bare Scrapy + bare trafilatura),
on the same loopback site of noisy article pages, in the same run.

    python -m bench.crawl_throughput [--pages 400]

Each variant runs in its own process (one reactor each) against the same server; wall
time includes process start-up, which is reported separately as the time of a crawl of
one page, so per-page figures subtract it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

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
    (work / "urls.txt").write_text("\n".join(urls))
    (work / "one.txt").write_text(urls[0])
    config = work / "bench.yaml"
    config.write_text(
        "outlets:\n  - name: bench\n    domains: ['127.0.0.1']\n    language: en\n"
        f"    sitemaps: ['{site.url('/sitemap.xml')}']\n    article_patterns: ['^/news/.*\\.html$']\n"
        "    max_age_days: 100000\n"
    )
    py = sys.executable
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-q"]

    def ours(name: str, extra: list[str]) -> float:
        home = work / f"home-{name}"
        env = {"NEWSARCHIVE_HOME": str(home), "PATH": ""}
        return timed([py, "-m", "crawler.cli", "crawl", "bench", "--config", str(config),
                      "--archive", str(work / f"archive-{name}"), *fast, *extra], env=env)

    variants = {
        "bare scrapy": lambda: timed([py, "-m", "bench.bare_scrapy", str(work / "urls.txt")]),
        "bare scrapy + trafilatura.extract": lambda: timed([py, "-m", "bench.bare_scrapy", str(work / "urls.txt"), "--extract"]),
        "newsarchive (2 extract workers)": lambda: ours("pool", []),
        "newsarchive (extract in-process)": lambda: ours("inline", ["-s", "NEWSARCHIVE_EXTRACT_WORKERS=0"]),
    }
    startup = {
        "bare scrapy": timed([py, "-m", "bench.bare_scrapy", str(work / "one.txt")]),
    }
    results = {name: run() for name, run in variants.items()}
    site.stop()
    base = results["bare scrapy"]
    base_extract = results["bare scrapy + trafilatura.extract"]
    print(f"{args.pages} article pages from a loopback site; wall time per variant (one process each)")
    print(f"process start-up of bare scrapy alone: {startup['bare scrapy']:.2f}s\n")
    print(f"{'variant':40} {'seconds':>8} {'pages/s':>8} {'vs bare':>8} {'vs bare+traf':>13}")
    for name, seconds in results.items():
        print(f"{name:40} {seconds:8.2f} {args.pages / seconds:8.1f} {seconds / base:7.2f}x {seconds / base_extract:12.2f}x")


if __name__ == "__main__":
    main()
