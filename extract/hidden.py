"""Hidden text: elements a reader never sees, hidden inline or by the page's own <style>."""

from __future__ import annotations

import re

from lxml import etree

from extract.dom_helpers import _KEEP_TAGS, _page_chars, _remove_unless_main
from extract.options import ExtractOptions

__all__ = ["remove_hidden"]


_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em|rem)?\s*(?:;|$)"
    r"|(?:left|top|text-indent)\s*:\s*-\d{3,}|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)"
    r"|(?<![-\w])height\s*:\s*0(?:px)?\s*;[^\"]*overflow\s*:\s*hidden",
    re.I,
)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_MAX_STYLE = 100_000
_SIMPLE_SELECTOR = re.compile(r"^\s*[a-z0-9]*([.#])([\w-]+)\s*$", re.I)
# In a stylesheet only these hide for good; opacity and offsets are animated.
_CSS_HIDING = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CSS_HIDING_LOWER = re.compile(_CSS_HIDING.pattern)
_CSS_SHOWN = re.compile(r"display\s*:\s*(?!none)[a-z]", re.I)


def _hiding_at(css: str) -> list[int]:
    """Where ``_CSS_HIDING`` matches in ``css``, in one scan.

    A case-insensitive scan of tens of kilobytes of CSS costs several times a plain
    one over a lower-cased copy, which finds the same places whenever lower-casing
    keeps every position (the same length) and no dotless i or long s stands in for
    an "i" or "s" (``re.I`` matches those, ``str.lower`` leaves them).
    """
    low = css.lower()
    if len(low) == len(css) and "\u0131" not in css and "\u017f" not in css:
        return [m.start() for m in _CSS_HIDING_LOWER.finditer(low)]
    return [m.start() for m in _CSS_HIDING.finditer(css)]


def _css_rules(css: str, starts: list[int]) -> list[tuple[str, int]]:
    """(selector list, brace depth) of each rule with a declaration at one of ``starts``.

    Pages inline megabytes of CSS: only the matches are located (one scan), and each
    one's selector is read back to the opening brace, with the depth counted on the way.
    """
    found = []
    depth, last = 0, 0
    for at in starts:
        depth += css.count("{", last, at) - css.count("}", last, at)
        last = at
        open_at = css.rfind("{", 0, at)
        if open_at < 0 or css.find("}", open_at, at) >= 0:
            continue  # not inside a declaration block
        start = max(css.rfind("}", 0, open_at), css.rfind("{", 0, open_at), css.rfind(";", 0, open_at)) + 1
        found.append((css[start:open_at], depth))
    return found


def _style_hidden_names(tree: etree._Element) -> tuple[frozenset[str], frozenset[str]]:
    """Classes and ids that the page's own <style> rules hide (``.x{display:none}``).

    Only simple selectors at the top level count (inside @media what is hidden depends
    on the screen); a class that some rule shows again (``.d-md-block{display:block}``)
    makes its element visible.
    """
    # Injected hiding rules come in small blocks; stylesheet bundles of hundreds of
    # kilobytes inlined by site builders are layout, and scanning them costs most.
    css = " ".join(el.text for el in tree.iter("style") if el.text and len(el.text) <= _MAX_STYLE)
    if not _CSS_HIDING.search(css):
        return frozenset(), frozenset()
    if "/*" in css:
        css = _CSS_COMMENT.sub(" ", css)
    hidden: dict[str, set[str]] = {".": set(), "#": set()}
    for selectors, depth in _css_rules(css, _hiding_at(css)):
        if depth == 1:
            for m in map(_SIMPLE_SELECTOR.match, selectors.split(",")):
                if m:
                    hidden[m.group(1)].add(m.group(2))
    return (frozenset(c for c in hidden["."] if not _shown_again(css, "." + c)),
            frozenset(i for i in hidden["#"] if not _shown_again(css, "#" + i)))


def _shown_again(css: str, selector: str) -> bool:
    """True when a rule naming ``selector`` in its selector list sets a visible display."""
    at = css.find(selector)
    while at >= 0:
        end = at + len(selector)
        if end < len(css) and not (css[end].isalnum() or css[end] in "-_\\"):
            open_at = css.find("{", end)
            between = css[end:open_at].strip() if open_at >= 0 else "x"
            if not between or between.startswith(","):
                close_at = css.find("}", open_at)
                if _CSS_SHOWN.search(css, open_at, close_at if close_at >= 0 else len(css)):
                    return True
        at = css.find(selector, end)
    return False


def _hidden_by(el: etree._Element, classes: frozenset[str], ids: frozenset[str]) -> bool:
    if el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""):
        return True
    if (el.get("aria-hidden") or "").strip().lower() == "true" and not _prose_paragraph(el):
        return True
    tokens = (el.get("class") or "").split()
    # Utility frameworks pair a hiding class with a responsive one that shows the
    # element on other screens ("hidden md:block"): the stylesheet decides, not us.
    if classes and not classes.isdisjoint(tokens) and not any(":" in t for t in tokens):
        return True
    return el.get("id") in ids


def _prose_paragraph(el: etree._Element) -> bool:
    """A paragraph of sentences: metered sites mark their own article text aria-hidden
    until the paywall script runs, so such a paragraph is the article, not spam."""
    if el.tag != "p":
        return False
    text = " ".join("".join(el.itertext()).split())
    return len(text.split()) >= 8 and bool(re.search(r"[.!?。！？]['\"’”»)]?(?:\s|$)", text))


def remove_hidden(tree: etree._Element, options: ExtractOptions) -> int:
    """Elements a reader never sees: hidden-text spam and off-screen link farms.

    Hidden inline (display:none, off-screen, zero size, ``hidden``, ``aria-hidden``) or
    by a class or id the page's own <style> hides.
    """
    total = _page_chars(tree)
    classes, ids = _style_hidden_names(tree)
    # Let libxml2 pick the candidates: a Python proxy per element is what costs. Asked
    # from the attributes' side (the elements carrying such an attribute, in document
    # order), libxml2 tests only the attributes there are, not each test on each element.
    tests = ["//@hidden", "//@style", "//@aria-hidden"]
    # A substring test is the cheap prefilter; _hidden_by checks whole class tokens.
    class_tests = [f"contains(., '{c}')" for c in sorted(classes) if "'" not in c]
    id_tests = [f".='{i}'" for i in sorted(ids) if "'" not in i]
    if class_tests:
        tests.append(f"//@class[{' or '.join(class_tests)}]")
    if id_tests:
        tests.append(f"//@id[{' or '.join(id_tests)}]")
    hits = [el for el in tree.xpath(f"({' | '.join(tests)})/..")
            if el.tag not in _KEEP_TAGS and _hidden_by(el, classes, ids)]
    return _remove_unless_main(hits, total)
