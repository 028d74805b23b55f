"""Markup-level noise rules, applied to the parsed page before the main block is chosen.

Each rule is a small named function that removes elements from the tree and returns
how many it removed. Signals are markup, not wording: hidden elements, widget class
names, link density.
"""

from __future__ import annotations

import re
from typing import Callable

from lxml import etree

from extract.options import ExtractOptions

__all__ = ["RULES", "apply_rules", "remove_element"]

_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt|em|rem)?\s*(?:;|$)"
    r"|(?:left|top|text-indent)\s*:\s*-\d{3,}|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)"
    r"|(?<![-\w])height\s*:\s*0(?:px)?\s*;[^\"]*overflow\s*:\s*hidden",
    re.I,
)
# Class/id tokens that name page furniture rather than content. Matched as whole
# tokens between non-alphanumerics, so "shared" or "adapt" do not hit.
_WIDGET_TOKENS = frozenset(
    """share sharing social sharebar print fontsize font-size textsize comment comments
    newsletter subscribe subscription related recommended recommend advert advertisement
    ads ad adsbygoogle sponsor sponsored promo breadcrumb breadcrumbs copyright disclaimer
    captcha popup modal cookie cookies toolbar""".split()
)
_WIDGET_NAME = re.compile(
    r"(?<![a-z0-9])(?:" + "|".join(re.escape(t) for t in sorted(_WIDGET_TOKENS, key=len, reverse=True)) + r")(?![a-z0-9])"
)
_KEEP_TAGS = frozenset({"html", "body", "article", "main"})


def _text_len(el: etree._Element) -> int:
    return len(etree.tostring(el, method="text", encoding=str, with_tail=False).strip())


def remove_element(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping its tail text in the parent."""
    parent = el.getparent()
    if parent is None:
        return
    # Keep the tail: it is text of the parent that merely follows the element.
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _holds_main_text(el: etree._Element, page_chars: int) -> bool:
    """True for containers holding a large share of the page's text.

    Sites hide the article until a script runs, or put a widget-like class on the
    article wrapper; removing such a container would remove the article itself.
    """
    return _text_len(el) > 0.2 * page_chars or len(el.findall(".//p")) >= 3


def _page_chars(tree: etree._Element) -> int:
    body = tree.find("body")
    return _text_len(body if body is not None else tree)


def remove_hidden(tree: etree._Element, options: ExtractOptions) -> int:
    """Elements a reader never sees: hidden-text spam and off-screen link farms."""
    total = _page_chars(tree)
    hits = [
        el
        for el in tree.xpath("//*[@hidden or @style]")
        if el.tag not in _KEEP_TAGS
        and (el.get("hidden") is not None or _HIDDEN_STYLE.search(el.get("style") or ""))
        and not _holds_main_text(el, total)
    ]
    for el in hits:
        remove_element(el)
    return len(hits)


def remove_widgets(tree: etree._Element, options: ExtractOptions) -> int:
    """Share, print, font-size, comment, newsletter and ad blocks, named by class or id."""
    hits = [
        el
        for el in tree.xpath("//*[@class or @id]")
        if el.tag not in _KEEP_TAGS and _WIDGET_NAME.search(f"{el.get('class') or ''} {el.get('id') or ''}".lower())
    ]
    total = _page_chars(tree)
    count = 0
    for el in hits:
        if el.getparent() is not None and not _holds_main_text(el, total):
            remove_element(el)
            count += 1
    return count


def _text_sizes(tree: etree._Element) -> dict[etree._Element, tuple[int, int, int]]:
    """(text length, link text length, link count) of every element, in one pass.

    Children come after their parent in document order, so walking it backwards
    sums each subtree exactly once instead of re-reading it for every ancestor.
    """
    sizes: dict[etree._Element, tuple[int, int, int]] = {}
    for el in reversed(list(tree.iter(etree.Element))):
        text = len((el.text or "").strip())
        linked = links = 0
        for child in el:
            if not isinstance(child.tag, str):
                continue
            c_text, c_linked, c_links = sizes[child]
            text += c_text + len((child.tail or "").strip())
            linked += c_linked
            links += c_links
        if el.tag == "a":
            linked, links = text, links + 1
        sizes[el] = (text, linked, links)
    return sizes


# Not <p>: a paragraph of many links is the article's own list (towns, names,
# topics linked one by one); navigation and link farms come in containers.
_LIST_TAGS = frozenset({"ul", "ol", "div", "section", "aside", "nav", "table", "td", "li", "span"})


def remove_link_lists(tree: etree._Element, options: ExtractOptions) -> int:
    """Blocks that are mostly link text: navigation, related links, link farms."""
    sizes = _text_sizes(tree)
    hits = []
    for el, (total, linked, links) in sizes.items():
        if el.tag in _LIST_TAGS and links >= 3 and total and linked / total > options.max_link_density:
            hits.append(el)
    hit_set = set(hits)
    count = 0
    for el in hits:
        # Remove only the outermost hit; nested ones go with it.
        if any(a in hit_set for a in el.iterancestors()):
            continue
        remove_element(el)
        count += 1
    return count


def remove_link_paragraphs(tree: etree._Element, options: ExtractOptions) -> int:
    """Short paragraphs or list items that are mostly one or two links: "read also" teasers."""
    hits = []
    for el in tree.iter("p", "li", "h3", "h4"):
        links = el.findall(".//a")
        if not 0 < len(links) <= 2:
            continue
        total = _text_len(el)
        if 0 < total <= 200 and sum(_text_len(a) for a in links) / total > options.max_link_density:
            hits.append(el)
    for el in hits:
        remove_element(el)
    return len(hits)


RULES: tuple[Callable[[etree._Element, ExtractOptions], int], ...] = (
    remove_hidden,
    remove_widgets,
    remove_link_lists,
    remove_link_paragraphs,
)


def apply_rules(tree: etree._Element, options: ExtractOptions) -> dict[str, int]:
    """Run every rule on ``tree`` in place; returns how many elements each removed."""
    removed = {}
    for rule in RULES:
        n = rule(tree, options)
        if n:
            removed[rule.__name__] = n
    return removed
