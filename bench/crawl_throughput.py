"""Crawl throughput on real news pages: newsarchive beside bare Scrapy and bare Scrapy +
trafilatura, on the same loopback site, in the same run.

    python -m bench.crawl_throughput [--pages 400] [--small 100] [--repeat 2] [--only "2 extract workers"]

The site serves the shared corpus's pages (~280 KiB each), cycled with unique payloads
(``bench.corpus_site``); politeness is off and the archive is a local folder, with WARC,
JSON, indexes and state all written. Each variant is its own process (one reactor each),
run at two sizes; the steady-state rate is ``(pages - small) / (time(pages) - time(small))``,
so start-up and shutdown costs that do not grow with the crawl cancel out. The crawl
process's own CPU per page (what it takes from the cores extraction could use) is its CPU
time against pages served, between 20% and 85% of the large crawl (two-size differences
of CPU time proved noisy on a shared machine; both are in the JSON); the same two-size
difference of all its processes (workers included) gives the CPU per page of the whole
crawler: ``min(cores / all CPU per page, 1 / crawl CPU per page)`` is the rate the
machine's cores would give if nothing else ran, a figure that other load on a shared
machine disturbs far less than wall time. Variants are interleaved and repeated; the median is
reported with the spread. Results go to ``bench/results/crawl_throughput.json``.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Callable

from bench.corpus_site import CorpusSite, corpus_pages, outlet_yaml
from bench.procs import Measured, measure
from bench.figures import host_facts, write_result

# Politeness off: no delays, no robots.txt, 16 connections to the one host.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-q"]


BASELINE = "bare scrapy + trafilatura"


Progress = Callable[[int], Callable[[], int]]  # crawl size -> pages its site has served so far


def newsarchive(work: Path, site_config: Callable[[int], Path], progress: Progress, workers: int,
                extra: tuple[str, ...] = ()) -> Callable[[int, str], Measured]:
    def run(pages: int, tag: str) -> Measured:
        home, archive = work / f"home-{tag}", work / f"archive-{tag}"
        env = dict(os.environ, NEWSARCHIVE_HOME=str(home))
        try:
            return measure(["crawler.cli", "crawl", "bench", "--config", str(site_config(pages)), "--archive",
                            str(archive), *FAST, "-s", f"NEWSARCHIVE_EXTRACT_WORKERS={workers}", *extra], env=env,
                           progress=progress(pages))
        finally:
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(archive, ignore_errors=True)
    return run


def bare(work: Path, urls: Callable[[int], Path], progress: Progress, extract: bool) -> Callable[[int, str], Measured]:
    def run(pages: int, tag: str) -> Measured:
        return measure(["bench.bare_scrapy", str(urls(pages)), *(["--extract"] if extract else [])],
                       progress=progress(pages))
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=400, help="pages of the large crawl")
    parser.add_argument("--small", type=int, default=100, help="pages of the small crawl (start-up, shutdown)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", nargs="+", metavar="TEXT",
                        help="only the variants whose name contains one of these (and the baseline)")
    args = parser.parse_args()
    pages = corpus_pages()
    # One site per crawl size (same pages, same URLs paths): each sitemap lists exactly its crawl.
    servers = {n: CorpusSite(n, pages).start() for n in (args.small, args.pages)}
    work = Path(tempfile.mkdtemp(prefix="na-bench-crawl-"))

    def site_config(n: int) -> Path:
        path = work / f"site-{n}.yaml"
        path.write_text(outlet_yaml(servers[n], "/sitemap.xml"))
        return path

    def url_list(n: int) -> Path:
        path = work / f"urls-{n}.txt"
        path.write_text("\n".join(servers[n].article_urls()))
        return path

    def progress(n: int) -> Callable[[], int]:
        start = servers[n].served
        return lambda: servers[n].served - start

    variants: dict[str, Callable[[int, str], Measured]] = {
        "bare scrapy": bare(work, url_list, progress, False),
        BASELINE: bare(work, url_list, progress, True),
        "newsarchive, extract in-process": newsarchive(work, site_config, progress, 0),
        "newsarchive, 2 extract workers": newsarchive(work, site_config, progress, 2),
        # Scrapy runs each response's items through CONCURRENT_ITEMS asyncio tasks; a page
        # gives one item, so newsarchive sets 1. What Scrapy's default would cost:
        "newsarchive, 2 workers, CONCURRENT_ITEMS=100": newsarchive(work, site_config, progress, 2,
                                                                   ("-s", "CONCURRENT_ITEMS=100")),
    }
    if args.only:  # the baseline is always measured: every ratio is against it
        variants = {name: run for name, run in variants.items()
                    if name == BASELINE or any(part in name for part in args.only)}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    for round_ in range(args.repeat):
        for name, run in variants.items():
            small = run(args.small, f"{round_}-s")
            large = run(args.pages, f"{round_}-l")
            extra = args.pages - args.small
            runs[name].append({
                # Bare Scrapy can finish both sizes within start-up noise of each other: no rate then.
                "pages_per_s": extra / (large.wall_s - small.wall_s) if large.wall_s > small.wall_s else float("nan"),
                "crawl_cpu_ms_per_page": 1000 * (large.cpu_s - small.cpu_s) / extra,
                # the same from the large crawl alone: CPU against pages served, in its middle
                "crawl_cpu_ms_per_page_steady": large.steady_cpu_ms_per_unit or float("nan"),
                "all_cpu_ms_per_page": 1000 * (large.cpu_all_s - small.cpu_all_s) / extra,
                "startup_s": small.wall_s - args.small * (large.wall_s - small.wall_s) / extra,
                "peak_rss_mb": large.peak_rss_mb,
            })
            print(f"  round {round_ + 1} {name}: {runs[name][-1]['pages_per_s']:.1f} pages/s", flush=True)
    for server in servers.values():
        server.stop()
    shutil.rmtree(work, ignore_errors=True)

    def summary(rows: list[dict[str, float]], field: str) -> dict[str, float]:
        values = [row[field] for row in rows if not math.isnan(row[field])] or [float("nan")]
        return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
                "max": round(max(values), 2)}

    results = {name: {field: summary(rows, field) for field in rows[0]} for name, rows in runs.items()}
    cores = os.cpu_count() or 1
    for r in results.values():
        # The cores share the work, but the crawling process is one thread: neither limit can be passed.
        r["cpu_bound_pages_per_s"] = round(min(1000 * cores / r["all_cpu_ms_per_page"]["median"],
                                               1000 / r["crawl_cpu_ms_per_page_steady"]["median"]), 1)
    base = results[BASELINE]["pages_per_s"]["median"]
    cpu_base = results[BASELINE]["cpu_bound_pages_per_s"]
    # CPU time on a shared machine runs slow with the load: the crawl process's CPU per
    # page is also given as a share of bare Scrapy + trafilatura's, measured alike.
    traf_cpu = results[BASELINE]["all_cpu_ms_per_page"]["median"]
    for r in results.values():
        r["crawl_cpu_vs_bare_trafilatura_cpu"] = round(r["crawl_cpu_ms_per_page_steady"]["median"] / traf_cpu, 3)
    print(f"{args.pages} vs {args.small} real corpus pages (~280 KiB) from a loopback site, politeness off, "
          f"local archive; median of {args.repeat} interleaved rounds [min-max]")
    print(f"{'variant':42} {'pages/s':>20} {'vs bare+traf':>12} {'crawl CPU ms/page':>22} "
          f"{'all CPU ms/page':>16} {f'{cores} cores: pages/s':>17} {'vs':>6} {'peak RSS MB':>12}")
    for name, r in results.items():
        rate, cpu, every = r["pages_per_s"], r["crawl_cpu_ms_per_page_steady"], r["all_cpu_ms_per_page"]
        print(f"{name:42} {rate['median']:7.1f} [{rate['min']:5.1f}-{rate['max']:5.1f}] "
              f"{rate['median'] / base:11.2f}x {cpu['median']:8.1f} [{cpu['min']:5.1f}-{cpu['max']:5.1f}] "
              f"{every['median']:16.1f} {r['cpu_bound_pages_per_s']:17.1f} {r['cpu_bound_pages_per_s'] / cpu_base:5.2f}x "
              f"{r['peak_rss_mb']['median']:12.0f}")
    print("pages/s: steady state between the two sizes; crawl CPU: the crawling process alone (bare: the whole "
          "crawler, extraction included), against pages served between 20% and 85% of the large crawl; all CPU: "
          "every process of the crawler, between the two sizes; cores: pages/s if the crawler had the cores to "
          "itself (one-process variants use one core at most)")
    print("crawl process CPU per page as a share of bare Scrapy + trafilatura's: "
          + ", ".join(f"{name} {r['crawl_cpu_vs_bare_trafilatura_cpu']:.0%}" for name, r in results.items()
                      if name.startswith("newsarchive")))
    write_result("crawl_throughput", {"pages": args.pages, "small": args.small, "repeat": args.repeat,
                                      "host": host_facts(), "results": results,
                                      "ratio_vs_bare_trafilatura": {name: round(r["pages_per_s"]["median"] / base, 2)
                                                                    for name, r in results.items()},
                                      "cpu_bound_ratio_vs_bare_trafilatura": {
                                          name: round(r["cpu_bound_pages_per_s"] / cpu_base, 2)
                                          for name, r in results.items()}})


if __name__ == "__main__":
    main()
