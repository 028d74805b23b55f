"""Per-page cost of newsarchive's extract_page vs bare trafilatura.extract (defaults).

    .venv/bin/python -m bench.extract_speed [CORPUS_DIR] [--every N] [--rounds R]

Both run on the same page bytes, interleaved page by page so machine load affects
them alike; the best of R rounds is reported per extractor. Target: ratio <= 1.1.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import trafilatura

from bench.figures import host_facts, write_result
from extract import extract_page
from extract.evaluation import load_corpus, load_fixtures

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--every", type=int, default=2, help="use every Nth page (default 2)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    if (args.corpus / "gold.jsonl").exists():
        pages = load_corpus(args.corpus)[:: args.every]
    else:
        pages = load_fixtures(REPO / "tests" / "fixtures" / "pages")
        pages += load_corpus(REPO / "tests" / "fixtures" / "corpus_subset")
    for page in pages[:5]:  # warm up imports and models outside the timing
        extract_page(page.body, page.url)
        trafilatura.extract(page.body, url=page.url)
    best = {"newsarchive": float("inf"), "trafilatura": float("inf")}
    for _ in range(args.rounds):
        spent = {"newsarchive": 0.0, "trafilatura": 0.0}
        for page in pages:
            start = time.perf_counter()
            extract_page(page.body, page.url)
            spent["newsarchive"] += time.perf_counter() - start
            start = time.perf_counter()
            trafilatura.extract(page.body, url=page.url)
            spent["trafilatura"] += time.perf_counter() - start
        best = {k: min(best[k], v) for k, v in spent.items()}
    ours, theirs = (1000 * best[k] / len(pages) for k in ("newsarchive", "trafilatura"))
    print(f"pages: {len(pages)}  rounds: {args.rounds} (best round per extractor)")
    print(f"newsarchive extract_page      {ours:7.1f} ms/page")
    print(f"trafilatura.extract defaults  {theirs:7.1f} ms/page")
    print(f"ratio                         {ours / theirs:7.2f}x  (target <= 1.10)")
    write_result("extract_speed", {"pages": len(pages), "rounds": args.rounds, "host": host_facts(),
                                   "newsarchive_ms_per_page": round(ours, 2), "trafilatura_ms_per_page": round(theirs, 2),
                                   "ratio": round(ours / theirs, 3)})


if __name__ == "__main__":
    main()
