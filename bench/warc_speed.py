"""WARC writing speed: MB/s of real pages through ``ArchiveSession.write_exchange``, with the
gzip members written as the archive writes them and, as the baseline in the same run,
by zlib at level 6 (the writer before ISA-L). Closing (index, upload to a local folder)
is timed apart.

    python -m bench.warc_speed [--pages 200] [--rounds 3]

Rounds alternate between the two; the best round of each is reported. Results go to
``bench/results/warc_speed.json``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

import archive.warc as warc
from archive import ArchiveSession, LocalStore
from bench.corpus_site import corpus_pages
from bench.figures import host_facts, write_result

REQUEST = b"GET /news/1.html HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept-Encoding: gzip\r\n\r\n"


def one_round(pages: list[bytes], work: Path) -> tuple[float, float, int]:
    """(seconds writing, seconds closing, WARC bytes)."""
    shutil.rmtree(work, ignore_errors=True)
    session = ArchiveSession(LocalStore(work / "archive"), spool_dir=work / "spool", run_id="bench",
                             warcinfo={"software": "bench"})
    now = datetime.now(timezone.utc)
    start = time.perf_counter()
    for i, page in enumerate(pages):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(page)
        session.write_exchange(url=f"http://127.0.0.1/news/{i}.html", request=REQUEST, response=head + page,
                               remote_ip="127.0.0.1", fetched_at=now)
    written = time.perf_counter() - start
    session.close()
    closed = time.perf_counter() - start - written
    size = sum(p.stat().st_size for p in (work / "archive" / "warc").rglob("*.warc.gz"))
    return written, closed, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pages = corpus_pages(limit=args.pages)
    megabytes = sum(len(p) for p in pages) / 1e6
    ours = (warc._deflate, warc.GZIP_LEVEL)
    variants = {f"archive writer ({warc.DEFLATE} level {warc.GZIP_LEVEL})": ours, "zlib level 6 (before)": (zlib, 6)}
    work = Path(tempfile.mkdtemp(prefix="na-bench-warc-"))
    best: dict[str, tuple[float, float, int]] = {}
    try:
        for _ in range(args.rounds):
            for name, (module, level) in variants.items():
                warc._deflate, warc.GZIP_LEVEL = module, level
                result = one_round(pages, work)
                if name not in best or result[0] < best[name][0]:
                    best[name] = result
    finally:
        warc._deflate, warc.GZIP_LEVEL = ours
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(pages)} real pages ({megabytes:.0f} MB) through ArchiveSession.write_exchange, best of {args.rounds}")
    print(f"{'gzip members by':34} {'MB/s':>7} {'ms/exchange':>12} {'close s':>8} {'WARC/page bytes':>16}")
    results = {}
    for name, (written, closed, size) in best.items():
        results[name] = {"mb_per_s": round(megabytes / written, 1), "ms_per_exchange": round(1000 * written / len(pages), 2),
                         "close_s": round(closed, 2), "warc_to_page_bytes": round(size / (megabytes * 1e6), 3)}
        r = results[name]
        print(f"{name:34} {r['mb_per_s']:7.1f} {r['ms_per_exchange']:12.2f} {r['close_s']:8.2f} {r['warc_to_page_bytes']:16.3f}")
    write_result("warc_speed", {"pages": len(pages), "megabytes": round(megabytes, 1), "host": host_facts(),
                                "results": results})


if __name__ == "__main__":
    main()
