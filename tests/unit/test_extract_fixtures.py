"""Every stored page gives its expected article (Fundus style: page + expected JSON beside it).

A page without expected JSON fails, so a fixture cannot be added half-done. Seeds are
rebuilt in their outlets' markup with all their noise; ``noise`` lists lines that must
be gone from the body.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from extract import Hints, extract_page
from extract.evaluation import leaked_noise

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "extract" / "schema" / "article.schema.json").read_text())
FIXTURES = sorted(PAGES.glob("*.html"))


def test_fixture_set_is_not_empty():
    assert len(FIXTURES) >= 5


@pytest.mark.parametrize("page", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_page_gives_expected_article(page: Path):
    spec_path = page.with_suffix(".json")
    assert spec_path.exists(), f"{page.name} has no expected JSON; add {spec_path.name} beside it"
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    hints = Hints(**{**spec["hints"], "keywords": tuple(spec["hints"].get("keywords", ()))}) if spec.get("hints") else None
    result = extract_page(page.read_bytes(), spec["url"], headers=spec.get("headers"), hints=hints)
    expect = dict(spec["expect"])
    assert result.page_type.value == expect.pop("page_type"), result.reasons
    if result.article is None:
        assert expect.pop("rejection") == result.rejection.value
        assert not expect, f"expected fields {sorted(expect)} but the page was rejected"
        return
    article = result.article
    assert not leaked_noise(article.text, spec.get("noise", ())), "noise leaked into the body"
    for field, value in expect.items():
        got = getattr(article, field)
        if isinstance(got, tuple) and field != "disagreements":
            got = list(got)
        if field == "disagreements":
            got = [d.field for d in got]
        assert got == value, f"{field}: got {got!r}, expected {value!r}"
    # The record round-trips through its JSON, which the published schema accepts.
    assert type(article).from_json(article.to_json()) == article
    jsonschema.validate(json.loads(article.to_json()), SCHEMA)
