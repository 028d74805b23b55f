"""One-way imports: crawler -> extract, archive; archive -> extract.article only; extract -> nothing.

Only crawler/ may import Scrapy or Twisted, so extraction and archiving stay testable
(and runnable in worker processes) without a reactor.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "extract": {"crawler", "archive", "scrapy", "twisted", "boto3", "botocore"},
    "archive": {"crawler", "scrapy", "twisted"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downstream(package: str) -> None:
    offences = []
    for path in sorted((REPO / package).rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package]:
                offences.append(f"{path.relative_to(REPO)} imports {name}")
    assert not offences, "\n".join(offences)


def test_archive_uses_only_the_record_from_extract() -> None:
    offences = []
    for path in sorted((REPO / "archive").rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] == "extract" and name != "extract.article":
                offences.append(f"{path.relative_to(REPO)} imports {name}")
    assert not offences, "\n".join(offences)


def test_the_scheduling_service_runs_without_scrapy_or_twisted() -> None:
    # In a fresh interpreter: whatever this test process imported before must not count.
    modules = ["crawler.service"] + sorted(
        f"crawler.service.{path.stem}" for path in (REPO / "crawler" / "service").glob("*.py") if path.stem != "__init__"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted'})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"crawler.service pulls in {result.stdout.strip()}"
