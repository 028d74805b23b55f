"""Growth: does a crawl ten times longer cost ten times the time and the same memory?

    python -m bench.growth [--sizes 1000 10000] [--workers 2]

newsarchive crawls the real-page loopback site (``bench.corpus_site``) at each size,
politeness off, local archive. For each: wall time, pages/s, the crawl process's CPU per
page, peak RSS of all its processes together (crawl, forkserver, extraction workers;
sampled every 0.1 s) and of the crawl process alone, and shutdown: from the spider's end
(the run record's ``finished``, to the second) to the process's exit, i.e. closing the
WARC, its index, uploads. Results go to ``bench/results/growth.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.corpus_site import CorpusSite, corpus_pages, outlet_yaml
from bench.crawl_throughput import FAST
from bench.figures import host_facts, write_result
from bench.procs import measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=2, help="extraction workers")
    args = parser.parse_args()
    pages = corpus_pages()
    work = Path(tempfile.mkdtemp(prefix="na-bench-growth-"))
    results = {}
    for size in args.sizes:
        site = CorpusSite(size, pages).start()
        config = work / f"site-{size}.yaml"
        config.write_text(outlet_yaml(site, "/sitemap.xml"))
        home, archive, stats = work / f"home-{size}", work / f"archive-{size}", work / f"stats-{size}.json"
        run = measure(["crawler.cli", "crawl", "bench", "--config", str(config), "--archive", str(archive),
                       "--stats-json", str(stats), *FAST, "-s", f"NEWSARCHIVE_EXTRACT_WORKERS={args.workers}"],
                      env=dict(os.environ, NEWSARCHIVE_HOME=str(home)))
        ended = time.time()
        site.stop()
        record = json.loads(stats.read_text())
        finished = datetime.fromisoformat(record["finished"]).timestamp()
        articles = sum(1 for _ in (archive / "articles").rglob("*.json"))
        warc_mb = sum(p.stat().st_size for p in (archive / "warc").rglob("*.warc.gz")) / 2**20
        results[str(size)] = {
            "wall_s": round(run.wall_s, 1), "pages_per_s": round(size / run.wall_s, 1),
            "crawl_cpu_ms_per_page": round(1000 * run.cpu_s / size, 2),
            "peak_rss_mb_all": round(run.peak_rss_mb), "peak_rss_mb_crawl": round(run.peak_own_rss_mb),
            "shutdown_s": round(ended - finished, 1), "articles": articles, "warc_mb": round(warc_mb),
        }
        print(f"  {size} pages: {results[str(size)]}", flush=True)
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(archive, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    small, large = str(min(args.sizes)), str(max(args.sizes))
    ratio = results[large]["peak_rss_mb_all"] / results[small]["peak_rss_mb_all"]
    print(f"newsarchive ({args.workers} extract workers), real corpus pages from a loopback site, politeness off")
    print(f"{'pages':>7} {'wall s':>8} {'pages/s':>8} {'crawl CPU ms/page':>18} {'peak RSS all MB':>16} "
          f"{'crawl MB':>9} {'shutdown s':>11} {'articles':>9}")
    for size, r in results.items():
        print(f"{size:>7} {r['wall_s']:8.1f} {r['pages_per_s']:8.1f} {r['crawl_cpu_ms_per_page']:18.2f} "
              f"{r['peak_rss_mb_all']:16} {r['peak_rss_mb_crawl']:9} {r['shutdown_s']:11.1f} {r['articles']:9}")
    print(f"peak RSS of all processes, {large} vs {small} pages: {ratio:.2f}x (target <= 1.10)")
    write_result("growth", {"workers": args.workers, "host": host_facts(), "results": results,
                            "peak_rss_ratio": round(ratio, 2)})


if __name__ == "__main__":
    main()
