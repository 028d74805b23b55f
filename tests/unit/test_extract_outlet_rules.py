"""Per-outlet extraction rules: selectors as data, tried before the general rules.

Every shipped outlet has a page in its markup (``tests/fixtures/outlets/<name>.html``,
rendered by the outlet simulator) that must give the expected article both with the
outlet's ``rules`` and without them (so a site redesign that breaks a selector falls
back to general extraction, not to nothing). ``harbour-gazette`` is a page general
extraction gets wrong and its rules put right.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from crawler.outlets import load_outlets
from extract import ExtractOptions, SiteRules, extract_page

OUTLET_PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "outlets"
SHIPPED = load_outlets()


def _fixture(name: str) -> tuple[bytes, dict]:
    return (OUTLET_PAGES / f"{name}.html").read_bytes(), json.loads((OUTLET_PAGES / f"{name}.json").read_text("utf-8"))


def _rules(spec: dict) -> SiteRules:
    raw = spec["rules"]
    return SiteRules(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})


def test_every_shipped_outlet_has_rules_and_a_fixture():
    for name, spec in SHIPPED.items():
        assert spec.rules, f"{name}: give it rules in config/outlets.yaml"
        assert (OUTLET_PAGES / f"{name}.html").exists(), f"{name}: add tests/fixtures/outlets/{name}.html and .json"


@pytest.mark.parametrize("name", sorted(SHIPPED))
@pytest.mark.parametrize("with_rules", [True, False], ids=["rules", "general"])
def test_shipped_outlet_page_with_and_without_its_rules(name, with_rules):
    body, spec = _fixture(name)
    options = ExtractOptions(rules=SHIPPED[name].rules if with_rules else None)
    result = extract_page(body, spec["url"], headers=spec["headers"], options=options)
    art = result.article
    assert art is not None, result.reasons
    expect = spec["expect"]
    assert art.text == expect["text"]
    assert art.title == expect["title"]
    assert art.published[:10] == expect["published_day"]
    assert list(art.authors) == expect["authors"]
    assert art.published == spec["expect_with_rules" if with_rules else "expect_without_rules"]["published"]
    assert ("outlet rule: body" in result.reasons) is with_rules


def test_rules_fix_a_page_general_extraction_gets_wrong():
    body, spec = _fixture("harbour-gazette")
    expect = spec["expect"]
    plain = extract_page(body, spec["url"], headers=spec["headers"]).article
    assert plain.title != expect["title"] and plain.text != expect["text"] and plain.published is None
    result = extract_page(body, spec["url"], headers=spec["headers"], options=ExtractOptions(rules=_rules(spec)))
    art = result.article
    assert (art.title, art.text, list(art.authors)) == (expect["title"], expect["text"], expect["authors"])
    assert art.published == spec["expect_with_rules"]["published"]
    for note in ("outlet rule: body", "outlet rule: title", "outlet rule: published", "outlet rule: authors"):
        assert note in result.reasons


def test_a_rule_that_matches_nothing_falls_back_to_the_general_rules():
    body, spec = _fixture("ria")
    stale = SiteRules(body=(".gone",), title=("#nothing",), date=("//time[@nope]",), authors=(".nobody",))
    art = extract_page(body, spec["url"], headers=spec["headers"], options=ExtractOptions(rules=stale)).article
    assert art.text == spec["expect"]["text"] and art.title == spec["expect"]["title"]


def test_drop_rules_remove_nodes_before_anything_reads_the_page():
    page = (b"<html><body><article><p>" + b"Storm damage closed the outer berths of the harbour. " * 6 + b"</p>"
            b"<p class='promo'>Subscribe to the Harbour Gazette for daily news from the quays today.</p></article></body></html>")
    rules = SiteRules(drop=("p.promo",))
    art = extract_page(page, "https://x.example/a", options=ExtractOptions(rules=rules)).article
    assert "Subscribe" not in art.text


def test_site_rules_validate_when_built_and_pickle():
    with pytest.raises(ValueError, match=r"body\[1\]: 'div\[' is not a valid CSS selector"):
        SiteRules(body=("#ok", "div["))
    with pytest.raises(ValueError, match=r"date\[0\]: '//span\[' is not valid XPath"):
        SiteRules(date=("//span[",))
    with pytest.raises(ValueError, match="timezone"):
        SiteRules(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="tuple"):
        SiteRules(body="#detail")  # type: ignore[arg-type]
    rules = SiteRules(body=("#detail",), timezone="Asia/Shanghai")
    assert pickle.loads(pickle.dumps(ExtractOptions(rules=rules))).rules == rules
    assert not SiteRules() and rules
