"""``newsarchive eval`` reads a checkout of Zyte's article-extraction benchmark as a corpus.

Built here in that layout (``ground-truth.json`` + ``html/<id>.html.gz``) from two of
the repo's fixture pages, so the test needs no network and no benchmark checkout.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from extract import extract_page
from extract.evaluation import BENCHMARK_SOURCE, evaluate, is_corpus, load_corpus
from extract.scoring import body_score
from tests.cli import newsarchive

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
NAMES = ("001_asianlite_ani_wordpress", "002_zeenews")


def _benchmark(root: Path) -> dict[str, str]:
    (root / "html").mkdir(parents=True)
    truth, gold = {}, {}
    for name in NAMES:
        spec = json.loads((PAGES / f"{name}.json").read_text("utf-8"))
        # Half of the expected text as gold: found whole, with as much again that is not gold.
        lines = spec["expect"]["text"].split("\n")
        gold[name] = "\n".join(lines[: max(1, len(lines) // 2)])
        truth[name] = {"url": spec["url"], "articleBody": gold[name]}
        (root / "html" / f"{name}.html.gz").write_bytes(gzip.compress((PAGES / f"{name}.html").read_bytes()))
    (root / "ground-truth.json").write_text(json.dumps(truth), "utf-8")
    return gold


def test_benchmark_checkout_loads_as_one_unlabelled_source(tmp_path: Path) -> None:
    gold = _benchmark(tmp_path)
    assert is_corpus(tmp_path)
    pages = load_corpus(tmp_path)
    assert [p.id for p in pages] == [f"{BENCHMARK_SOURCE}/{name}" for name in NAMES]
    assert {p.source for p in pages} == {BENCHMARK_SOURCE}
    assert {p.language for p in pages} == {"und"}  # no language check on unlabelled pages
    assert [p.gold for p in pages] == [gold[name] for name in NAMES]
    assert pages[0].body == (PAGES / f"{NAMES[0]}.html").read_bytes()


def test_eval_scores_a_benchmark_checkout_with_the_corpus_rules(tmp_path: Path) -> None:
    _benchmark(tmp_path / "aeb")
    (tmp_path / "none").mkdir()
    pages = load_corpus(tmp_path / "aeb")
    (report,) = evaluate(pages, ["newsarchive"])
    proc = newsarchive("eval", str(tmp_path / "aeb"), "--fixtures", str(tmp_path / "none"), "--only", "newsarchive",
                       check=True)
    row = next(line for line in proc.stdout.splitlines() if line.startswith(BENCHMARK_SOURCE))
    precision, recall, f1 = (float(x) for x in row.split()[2:5])
    tally = report.by_source[BENCHMARK_SOURCE]
    assert (precision, recall) == (round(tally.precision, 3), round(tally.recall, 3))
    assert recall > 0.95 and precision < 0.8
    # The figures are the per-page shingle scores averaged, as the benchmark's evaluate.py does.
    scores = [body_score(extract_page(p.body, p.url).article.text, p.gold) for p in pages]
    assert round(sum(s.recall for s in scores) / len(scores), 3) == recall
    assert round(sum(s.precision for s in scores) / len(scores), 3) == precision
    assert 0 < f1 < 1


def test_eval_refuses_a_folder_that_is_no_corpus(tmp_path: Path) -> None:
    proc = newsarchive("eval", str(tmp_path))
    assert proc.returncode == 2
    assert "ground-truth.json" in proc.stderr and "gold.jsonl" in proc.stderr
