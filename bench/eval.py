"""Body and metadata scores of newsarchive vs bare trafilatura on the gold corpus.

    .venv/bin/python -m bench.eval [CORPUS_DIR] [--fixtures DIR] [--failures]

Same numbers as ``newsarchive eval``; this script also lists per-page metadata misses
and leaked noise lines with ``--failures``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from extract.evaluation import evaluate, format_reports, load_corpus, load_fixtures

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--fixtures", type=Path, default=REPO / "tests" / "fixtures" / "pages")
    parser.add_argument("--failures", action="store_true", help="list per-page misses")
    parser.add_argument("--only", nargs="*", default=None, help="extractor names to run")
    args = parser.parse_args()
    pages = load_corpus(args.corpus) if (args.corpus / "gold.jsonl").exists() else []
    if args.fixtures.is_dir():
        pages += load_fixtures(args.fixtures)
    reports = evaluate(pages, args.only or ("newsarchive", "trafilatura"))
    print(format_reports(reports))
    if args.failures:
        for report in reports:
            print(f"== {report.name}: metadata misses and leaked noise")
            print("\n".join(report.failures + report.noise_leaked))


if __name__ == "__main__":
    main()
