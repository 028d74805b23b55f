"""Where benchmarks put their figures: one JSON file per benchmark in ``bench/results/``."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["RESULTS", "host_facts", "read_results", "write_result"]

RESULTS = Path(__file__).with_name("results")


def host_facts() -> dict[str, Any]:
    """What the figures depend on: cores, load when measured, Python."""
    return {"cores": os.cpu_count(), "load_1min": round(os.getloadavg()[0], 2), "python": platform.python_version(),
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    print(f"wrote {path.relative_to(RESULTS.parent.parent)}")
    return path


def read_results() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}
