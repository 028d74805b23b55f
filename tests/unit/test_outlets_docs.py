"""The YAML examples users copy from the docs must load: a doc that rots fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.outlets import load_outlets

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "docs" / "how_to_add_an_outlet.md", REPO / "README.md"]
EXAMPLES = [
    pytest.param(doc, index, block, id=f"{doc.name}#{index}")
    for doc in DOCS
    for index, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S))
    if "outlets:" in block
]


def test_the_docs_have_examples():
    assert len([p for p in EXAMPLES if p.values[0].name == "how_to_add_an_outlet.md"]) == 2


@pytest.mark.parametrize(("doc", "index", "block"), EXAMPLES)
def test_doc_example_loads(tmp_path, doc, index, block):
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    names = {entry_name for entry_name in re.findall(r"^\s*- name: ([a-z0-9_-]+)", block, re.M)}
    specs = load_outlets([path])
    assert names and names <= set(specs)
