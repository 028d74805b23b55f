"""One PNG of the latest benchmark figures: ``bench/results/bench.png``, drawn from the JSON
files the benchmarks wrote to ``bench/results/`` (whichever are there).

    python -m bench.chart
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.figures import RESULTS, read_results

__all__ = ["draw"]


def _bars(ax: Any, labels: list[str], values: list[float], title: str, unit: str) -> None:
    ax.barh(range(len(values)), values, color="#4c72b0")
    ax.set_yticks(range(len(values)), labels, fontsize=8)
    ax.invert_yaxis()
    for i, value in enumerate(values):
        ax.text(value, i, f" {value:g}", va="center", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(unit, fontsize=8)
    ax.margins(x=0.2)


def draw(out: Path = RESULTS / "bench.png") -> Path | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = read_results()
    panels = [name for name in ("crawl_throughput", "workers", "growth", "warc_speed") if name in results]
    if not panels:
        return None
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 2.6 * len(panels)), squeeze=False)
    for ax, name in zip(axes[:, 0], panels):
        data = results[name]
        if name == "crawl_throughput":
            rows = data["results"]
            _bars(ax, list(rows), [r["pages_per_s"]["median"] for r in rows.values()],
                  f"Crawl throughput, real pages ({data['pages']} vs {data['small']}, median of {data['repeat']}; "
                  f"load {data['host']['load_1min']})", "pages/s (steady state)")
        elif name == "workers":
            rows = data["results"]
            _bars(ax, list(rows), [r["pages_per_s"] for r in rows.values()],
                  f"Workers on one Redis ({data['pages']} real pages; bench.workers)", "pages/s")
        elif name == "growth":
            rows = data["results"]
            labels = [f"{size} pages: {key}" for size in rows for key in ("peak RSS all MB", "shutdown s")]
            values = [float(r[key]) for r in rows.values() for key in ("peak_rss_mb_all", "shutdown_s")]
            _bars(ax, labels, values, f"Growth (peak RSS {data['peak_rss_ratio']}x from smallest to largest)", "")
        else:
            rows = data["results"]
            _bars(ax, list(rows), [r["mb_per_s"] for r in rows.values()],
                  f"WARC writing, {data['pages']} real pages", "MB/s of pages archived")
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def main() -> None:
    out = draw()
    print(f"wrote {out}" if out else f"no results in {RESULTS}")


if __name__ == "__main__":
    main()
