"""Quality gate: pinned floors for body F1, leaked noise and metadata accuracy.

A change that makes extraction worse fails here. Floors sit a little below the
figures measured when they were pinned (``newsarchive eval``), and every body-F1
floor on the shared corpus is above bare ``trafilatura.extract``'s score on the same
pages (in the comments), so passing also means beating it. Raise floors when
extraction improves; never lower one to make a change pass.

The in-repo subset and fixtures always run; the full shared corpus runs when
``../shared/corpus`` is present (CI has it) and is skipped with the reason otherwise.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from extract.evaluation import Report, evaluate, load_corpus, load_fixtures

REPO = Path(__file__).resolve().parents[1]
SUBSET = REPO / "tests" / "fixtures" / "corpus_subset"
PAGES = REPO / "tests" / "fixtures" / "pages"

# Full shared corpus (557 pages), extractor 0.3.5: floors ~0.005 under the measured F1.
# trafilatura.extract defaults, same pages, in comments.
CORPUS_F1 = {
    "overall": 0.928,  # measured 0.933; trafilatura 0.885
    "en": 0.931,  # 0.936; 0.923
    "de": 0.966,  # 0.970; 0.942
    "zh": 0.903,  # 0.908; 0.760
    "latin-other": 0.930,  # 0.935; 0.902
    "ja-ko": 0.823,  # 0.828; 0.776
    "non-latin-other": 0.958,  # 0.963; 0.901
}
# Body precision overall (measured 0.925; trafilatura 0.853): spam and boilerplate stay out.
CORPUS_PRECISION = 0.920
# measured title 0.79, date 0.95, language 0.99, author 0.74;
# trafilatura: title 0.70, date 0.90, language (<html lang>) 0.59, author 0.61
CORPUS_META = {"title": 0.77, "date": 0.94, "language": 0.98, "author": 0.73}
CORPUS_MAX_EMPTY = 1  # measured 1 (trafilatura 3)

# In-repo subset (36 pages).
SUBSET_F1 = {
    "overall": 0.90,
    "en": 0.88,
    "zh": 0.89,
    "latin-other": 0.96,
    "ja-ko": 0.73,
    "non-latin-other": 0.93,
    "de": 0.97,
}
SUBSET_META = {"title": 0.84, "date": 0.87, "language": 0.96, "author": 0.45}


def _run(pages) -> Report:
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    (report,) = evaluate(pages, ["newsarchive"])
    return report


def _check(report: Report, f1_floors: dict[str, float], meta_floors: dict[str, float]) -> list[str]:
    misses = []
    for group, floor in f1_floors.items():
        tally = report.overall if group == "overall" else report.by_group[group]
        if tally.f1 < floor:
            misses.append(f"body F1 {group}: {tally.f1:.3f} < floor {floor}")
    for name, floor in meta_floors.items():
        acc = report.overall.accuracy(name)
        if acc is not None and acc < floor:
            misses.append(f"{name} accuracy: {acc:.3f} < floor {floor}")
    return misses


def test_fixture_pages_leak_no_noise_and_get_metadata_right():
    report = _run(load_fixtures(PAGES))
    assert report.noise_lines > 50, "the fixtures should label their noise lines"
    assert report.noise_leaked == [], report.noise_leaked
    # Real subset pages with seeded spam injected (fixtures/pages/spam.json): none leaks.
    assert report.spam_pages >= 60 and report.spam_strings > 200
    assert report.spam_leaked == [], report.spam_leaked
    fixtures = report.by_source["fixtures"]
    for name in ("title", "date", "language"):
        assert fixtures.accuracy(name) in (None, 1.0), f"{name}: {report.failures}"
    assert fixtures.f1 > 0.99


def test_subset_floors():
    report = _run(load_corpus(SUBSET))
    assert report.overall.pages == 36
    assert _check(report, SUBSET_F1, SUBSET_META) == []


@pytest.mark.timeout(900)  # 557 real pages through both extractors: a minute and more on a busy 2-core box
def test_shared_corpus_floors(shared_dir):
    corpus = shared_dir / "corpus"
    if not (corpus / "gold.jsonl").exists():
        pytest.skip(f"shared corpus not found at {corpus} (CI has ../shared beside the checkout)")
    report = _run(load_corpus(corpus))
    assert report.overall.pages >= 557
    assert report.overall.empty <= CORPUS_MAX_EMPTY
    assert report.overall.precision >= CORPUS_PRECISION, report.overall.precision
    assert _check(report, CORPUS_F1, CORPUS_META) == []
