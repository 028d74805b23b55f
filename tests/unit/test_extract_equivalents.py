"""Cheaper forms of lookups the extractor borrows: same answers as the originals."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from trafilatura.xpaths import AUTHOR_XPATHS

from extract.decode import decode_body
from extract.evaluation import load_corpus, load_fixtures
from extract.hidden import _CSS_HIDING, _hiding_at
from extract.pipeline import _AUTHOR_XPATHS, _parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _pages():
    return load_fixtures(FIXTURES / "pages") + load_corpus(FIXTURES / "corpus_subset")


@pytest.fixture(scope="module")
def trees():
    return [(page.id, _parse(decode_body(page.body, page.headers)[0])) for page in _pages()]


def test_the_byline_xpaths_select_what_trafilaturas_select(trees):
    selected = 0
    for page_id, tree in trees:
        for ours, theirs in zip(_AUTHOR_XPATHS, AUTHOR_XPATHS, strict=True):
            expected = theirs(tree)
            assert ours(tree) == expected, page_id
            selected += len(expected)
    assert selected > 50  # the pages do carry bylines, so the comparison means something


def test_the_byline_xpaths_on_built_markup():
    html = """<html><body>
      <span rel="author">A</span><div id="author">B</div><p itemprop="author name">C</p>
      <a data-testid="AuthorURL">D</a><strong class="x author-name">E</strong><div><rel>me</rel>F</div>
      <author>G</author><h3 class="byline">H</h3><h4 id="bianji-1">I</h4><span class="posted-by">J</span>
      <section class="ArticleAuthor">K</section><em data-component="Byline">L</em><b id="xAuthor">M</b>
      <section class="author-name">not in the first two: a section</section><p class="AUTHOR">none</p>
    </body></html>"""
    tree = _parse(html)
    for ours, theirs in zip(_AUTHOR_XPATHS, AUTHOR_XPATHS, strict=True):
        assert ours(tree) == theirs(tree) and ours(tree)


def test_the_element_classes_are_lxml_htmls(trees):
    html = "<html><body><form><input name=q><select></select><textarea></textarea><label>L</label></form><p>x</p></body></html>"
    ours, theirs = _parse(html), lxml.html.document_fromstring(html)
    assert [type(el) for el in ours.iter()] == [type(el) for el in theirs.iter()]
    assert all(isinstance(el, lxml.html.HtmlElement) for _, tree in trees for el in tree.iter("p", "div"))


@pytest.mark.parametrize("css", [
    ".a{display:none}", ".a{DISPLAY : None}", "#b { Visibility:\tHIDDEN }", ".c{display:block}",
    ".d{dısplay:none}",  # dotless i: re.I matches it as "i", str.lower keeps it
    ".e{viſibility:hidden}",  # long s
    "İ .f{display:none}",  # lower-cases to two characters: positions would shift
    ".g{DİSPLAY:none} .h{display:none}",
])
def test_hiding_declarations_are_found_where_the_case_insensitive_pattern_finds_them(css):
    assert _hiding_at(css) == [m.start() for m in _CSS_HIDING.finditer(css)]


def test_hiding_declarations_in_the_fixture_pages_stylesheets(trees):
    for page_id, tree in trees:
        css = " ".join(el.text for el in tree.iter("style") if el.text)
        assert _hiding_at(css) == [m.start() for m in re.compile(_CSS_HIDING.pattern, re.I).finditer(css)], page_id


@pytest.mark.parametrize("names", [
    "site-header g-recaptcha", "cf_chl_opt", "qc-cmp2-container", "fc-consent-root", "cmp", "x cmp-banner y",
    "cmpnt-list", "acmp", "tp-modal piano-inline", "nothing-to-see", "", "bot-detection", "sp_message_iframe",
])
def test_wall_and_challenge_names_are_found_as_the_regex_alternations_found_them(names):
    from extract.pagetype import page_signals

    tree = _parse(f'<html><body><div class="{names}">x</div></body></html>')
    signals = page_signals(tree, None)
    alternations = (
        r"captcha|recaptcha|hcaptcha|cf-challenge|cf_chl|challenge-form|turnstile|px-captcha|bot-detect",
        r"consent|gdpr|cookie-wall|cookiewall|privacy-wall|\bcmp\b|sp_message|didomi|onetrust",
        r"paywall|piano|subscriber-only|premium-content|regwall|meter-wall|tp-modal",
    )
    expected = tuple(bool(re.search(pattern, names)) for pattern in alternations)
    assert (signals.captcha, signals.consent, signals.paywall_markup) == expected
