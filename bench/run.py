"""The whole benchmark suite, one benchmark after another (``make bench``).

    python -m bench.run [--quick]

Each benchmark runs in its own process and prints its own baseline measured in the same
run (bare trafilatura, bare Scrapy, zlib); nothing here is asserted, only reported. Each
writes its figures to ``bench/results/<name>.json``; at the end one chart of them all is
drawn, ``bench/results/bench.png``. ``--quick`` uses fewer pages and rounds, for a smoke
run. ``workers`` needs ``redis-server`` and is left out unless named.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    # name: (full arguments, quick arguments)
    "extract_speed": (["--rounds", "3"], ["--rounds", "1", "--every", "8"]),
    "warc_speed": (["--pages", "200", "--rounds", "3"], ["--pages", "40", "--rounds", "1"]),
    "crawl_throughput": (["--pages", "400", "--small", "100", "--repeat", "2"],
                         ["--pages", "60", "--small", "20", "--repeat", "1"]),
    "growth": (["--sizes", "1000", "10000"], ["--sizes", "50", "200"]),
    "workers": (["--pages", "300"], ["--pages", "60", "--workers", "1", "2"]),
}
DEFAULT = ["extract_speed", "warc_speed", "crawl_throughput", "growth"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages and rounds")
    parser.add_argument("only", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    args = parser.parse_args()
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    failed = []
    for name in args.only or DEFAULT:
        full, quick = BENCHMARKS[name]
        print(f"== bench.{name} ==", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", f"bench.{name}", *(quick if args.quick else full)])
        print(f"== bench.{name}: {'ok' if code == 0 else f'exit {code}'} in {time.monotonic() - started:.0f} s ==\n",
              flush=True)
        if code:
            failed.append(name)
    from bench.chart import draw

    print(f"chart: {draw()}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
