"""Many workers on one Redis: pages/s with 1, 2, 3 workers, and Redis operations per page.

    python -m bench.workers [--pages 300] [--workers 1 2 3] [--extract-workers 1]

Real pages (the shared corpus, cycled, unique payloads) from a loopback site, politeness
off, a local archive. Each worker is its own `newsarchive worker` process with its own
NEWSARCHIVE_HOME, as on separate machines; `newsarchive crawl --enqueue-only` seeds the
shared queue. The same run measures one plain `newsarchive crawl` (no Redis) as the
baseline. Every variant also runs on a one-page site; that time (start-up, the workers'
idle wait before they exit, archive close) is subtracted for the steady-state rate.

Redis operations per page come from the server's own count (INFO total_commands_processed);
with `redis-benchmark`'s rate for the same commands on this machine they say, on paper, how
many workers one Redis serves. Results go to bench/results/workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from bench.corpus_site import CorpusSite, outlet_yaml

RESULTS = Path(__file__).with_name("results")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "NEWSARCHIVE_REDIS_IDLE=1", "-q"]


def _redis_server(work: Path) -> tuple[subprocess.Popen[bytes], str, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(work)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0", port


def _commands(client: redis.Redis) -> int:
    return int(client.info("stats")["total_commands_processed"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--extract-workers", type=int, default=1, help="extraction processes per worker")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed: `make services` installs it")
    work = Path(tempfile.mkdtemp(prefix="na-bench-workers-"))
    site = CorpusSite(args.pages).start()
    configs = {}
    for size, sitemap in (("all", "/sitemap.xml"), ("one", "/sitemap-one.xml")):
        configs[size] = work / f"{size}.yaml"
        configs[size].write_text(outlet_yaml(site, sitemap))
    server, url, port = _redis_server(work)
    client = redis.Redis(port=port)
    py = [sys.executable, "-m", "crawler.cli"]
    extract = ["-s", f"NEWSARCHIVE_EXTRACT_WORKERS={args.extract_workers}"]

    def baseline(size: str) -> tuple[float, int]:
        env = dict(os.environ, NEWSARCHIVE_HOME=str(work / f"home-base-{size}"))
        start = time.perf_counter()
        subprocess.run([*py, "crawl", "bench", "--config", str(configs[size]), "--archive",
                        str(work / f"archive-base-{size}"), *FAST, "-s", "NEWSARCHIVE_EXTRACT_WORKERS=2"],
                       env=env, capture_output=True, check=False)
        return time.perf_counter() - start, 0

    def workers(count: int) -> "callable":
        def run(size: str) -> tuple[float, int]:
            client.flushdb()
            before = _commands(client)
            archive = work / f"archive-{count}-{size}"
            start = time.perf_counter()
            procs = [subprocess.Popen([*py, "worker", "--config", str(configs[size]), "--archive", str(archive),
                                       "--redis", url, *FAST, *extract],
                                      env=dict(os.environ, NEWSARCHIVE_HOME=str(work / f"home-{count}-{size}-{i}")),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for i in range(count)]
            subprocess.run([*py, "crawl", "bench", "--config", str(configs[size]), "--archive", str(archive),
                            "--redis", url, "--enqueue-only", "-q"],
                           env=dict(os.environ, NEWSARCHIVE_HOME=str(work / "home-seed")), check=False,
                           capture_output=True)
            for proc in procs:
                proc.wait()
            return time.perf_counter() - start, _commands(client) - before
        return run

    variants = {"newsarchive crawl (no Redis, 2 extract workers)": baseline}
    variants.update({f"{n} worker{'s' if n > 1 else ''} on Redis ({args.extract_workers} extract each)": workers(n)
                     for n in args.workers})
    results = {}
    for name, run in variants.items():
        one, ops_one = run("one")
        total, ops_all = run("all")
        rate = (args.pages - 1) / max(total - one, 1e-6)
        results[name] = {"startup_s": round(one, 2), "total_s": round(total, 2), "pages_per_s": round(rate, 1),
                         "redis_ops_per_page": round((ops_all - ops_one) / (args.pages - 1), 1) if ops_all else None}
    bench = subprocess.run(["redis-benchmark", "-p", str(port), "-q", "-n", "100000", "-t", "get,set,sadd,hset,zadd"],
                           capture_output=True, text=True).stdout
    rates = [float(line.split(":")[1].split()[0]) for line in bench.splitlines() if "requests per second" in line]
    redis_ops_s = sum(rates) / len(rates) if rates else None
    server.kill()
    site.stop()
    print(f"{args.pages} real corpus pages from a loopback site, politeness off, local archive, same run")
    print(f"{'variant':52} {'start-up s':>10} {'total s':>8} {'pages/s':>8} {'Redis ops/page':>15}")
    for name, r in results.items():
        ops = r["redis_ops_per_page"]
        print(f"{name:52} {r['startup_s']:10.2f} {r['total_s']:8.2f} {r['pages_per_s']:8.1f} "
              f"{ops if ops is not None else '-':>15}")
    worker_rows = [r for name, r in results.items() if r["redis_ops_per_page"]]
    summary = {"pages": args.pages, "results": results, "redis_benchmark_ops_per_s": redis_ops_s}
    if redis_ops_s and worker_rows:
        per_worker = worker_rows[0]["pages_per_s"]
        ops_page = max(r["redis_ops_per_page"] for r in worker_rows)
        served = redis_ops_s / (ops_page * per_worker)
        summary["workers_one_redis_serves"] = round(served)
        print(f"redis-benchmark on this machine: {redis_ops_s:,.0f} simple ops/s (no pipelining); at "
              f"{ops_page:.1f} ops/page and {per_worker:.1f} pages/s per worker, one Redis serves ~{served:,.0f} "
              "such workers on paper (its CPU, before the network or the store limits)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "workers.json").write_text(json.dumps(summary, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
