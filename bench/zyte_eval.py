"""Body extraction on Zyte's article-extraction benchmark, scored by the benchmark's own script.

    git clone https://github.com/scrapinghub/article-extraction-benchmark ../article-extraction-benchmark
    .venv/bin/python -m bench.zyte_eval ../article-extraction-benchmark [--bootstrap N]

The best published body figures (AutoExtract and rs-trafilatura, F1 0.970) are on this
benchmark: 181 English news and blog pages of 181 sites. This runs newsarchive's
``extract_page`` and bare ``trafilatura.extract`` on the same page bytes, writes both in
the benchmark's prediction format beside its published outputs in a temporary copy, and
runs its ``evaluate.py`` there, so every row of the table it prints is scored by the same
code. The checkout is only read. It is not part of ``bench.run``: the data is not ours
to ship and CI has no network. ``newsarchive eval CHECKOUT`` reads the same checkout and
scores it by the corpus rules (same figures; per-source rows, no published outputs).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import trafilatura

from bench.figures import host_facts, write_result
from extract import EXTRACTOR, extract_page

OURS, BASELINE = "newsarchive", "trafilatura_same_run"
# Published rows worth printing beside ours (the benchmark's own names for its outputs).
PUBLISHED = ("AutoExtract", "rs_trafilatura", "trafilatura", "go_trafilatura", "readability_js", "newspaper")


def predict(checkout: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
    """Both extractors' ``{id: {"articleBody": text}}`` on every page, and ms per page each."""
    truth = json.loads((checkout / "ground-truth.json").read_text("utf-8"))
    ours: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    spent = {OURS: 0.0, BASELINE: 0.0}
    for key, item in truth.items():
        # Saved by the benchmark as UTF-8; the bytes go in as a crawl would give them.
        body = gzip.decompress((checkout / "html" / f"{key}.html.gz").read_bytes())
        url = item.get("url") or ""
        start = time.perf_counter()
        article = extract_page(body, url).article
        spent[OURS] += time.perf_counter() - start
        ours[key] = {"articleBody": article.text if article else ""}
        start = time.perf_counter()
        text = trafilatura.extract(body.decode("utf-8", "replace"), url=url or None)
        spent[BASELINE] += time.perf_counter() - start
        theirs[key] = {"articleBody": text or ""}
    return ours, theirs, {name: 1000 * value / max(len(truth), 1) for name, value in spent.items()}


def score(checkout: Path, predictions: dict[str, dict[str, Any]], bootstrap: int) -> dict[str, Any]:
    """Run the benchmark's ``evaluate.py`` on its published outputs plus ``predictions``."""
    with tempfile.TemporaryDirectory(prefix="zyte-eval-") as tmp:
        work = Path(tmp)
        shutil.copy(checkout / "evaluate.py", work)
        shutil.copy(checkout / "ground-truth.json", work)
        (work / "output").mkdir()
        for path in (checkout / "output").glob("*.json"):
            if path.stem in PUBLISHED:
                shutil.copy(path, work / "output")
        for name, output in predictions.items():
            (work / "output" / f"{name}.json").write_text(json.dumps(output), "utf-8")
        subprocess.run([sys.executable, "evaluate.py", "--n-bootstrap", str(bootstrap), "--output", "results.json"],
                       cwd=work, check=True, stdout=subprocess.DEVNULL)
        return json.loads((work / "results.json").read_text("utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a clone of scrapinghub/article-extraction-benchmark")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap samples for the ± (default 1000)")
    args = parser.parse_args()
    missing = [name for name in ("evaluate.py", "ground-truth.json", "html") if not (args.checkout / name).exists()]
    if missing:
        print(f"bench.zyte_eval: {args.checkout} is not a checkout of the benchmark (no {', '.join(missing)})",
              file=sys.stderr)
        return 2
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    ours, theirs, ms = predict(args.checkout)
    results = score(args.checkout, {OURS: ours, BASELINE: theirs}, args.bootstrap)
    print(f"{'':22} {'version':10} {'F1':>13}  {'precision':>13}  {'recall':>13}")
    rows = sorted(results.items(), key=lambda item: -item[1]["f1"])
    for name, m in rows:
        version = EXTRACTOR.version if name == OURS else (trafilatura.__version__ if name == BASELINE else m["version"])
        print(f"{name:22} {version or '-':10} {m['f1']:.3f} ± {m['f1_std']:.3f}  "
              f"{m['precision']:.3f} ± {m['precision_std']:.3f}  {m['recall']:.3f} ± {m['recall_std']:.3f}")
    print(f"ms per page: newsarchive {ms[OURS]:.1f}, trafilatura {ms[BASELINE]:.1f} (one pass, not the speed bench)")
    keep = ("f1", "precision", "recall", "f1_std", "precision_std", "recall_std", "accuracy")
    write_result("zyte_eval", {
        "pages": len(ours), "extractor": EXTRACTOR.version, "trafilatura": trafilatura.__version__,
        "host": host_facts(), "ms_per_page": {k: round(v, 1) for k, v in ms.items()},
        "scores": {name: {k: round(m[k], 4) for k in keep} | {"version": m.get("version") or ""}
                   for name, m in results.items()},
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
