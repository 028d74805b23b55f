"""Teaser cards and excerpt cards: rows of other stories' headlines and openings."""

from __future__ import annotations

import re

from lxml import etree

from extract.dom_helpers import (
    _CJK_CHAR,
    _KEEP_TAGS,
    _NON_TEXT_TAGS,
    _remove_outermost,
    _text_len,
    _visible_text,
)
from extract.options import ExtractOptions

__all__ = ["remove_excerpt_cards", "remove_teaser_cards"]


# Blocks that end a link's line of text: a link alone in one of them is a headline.
_LINE_BLOCKS = frozenset({
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dd", "dt", "section", "article",
    "header", "footer", "figure", "figcaption", "blockquote", "ul", "ol", "table", "tr", "body",
})
_MAX_CARD_CHARS = 500  # a headline, a kicker, a date and a sentence or two of summary
_CARD_LEVELS = 6  # how far above a headline link its card may start


def _line_text(block: etree._Element) -> str:
    """Text of ``block`` outside its nested blocks: the line its inline content forms."""
    parts = [block.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _LINE_BLOCKS:
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(block)
    return " ".join("".join(parts).split())


def _headline_link(a: etree._Element) -> bool:
    """A link that reads as a headline: three or more words, most of its line, its end.

    Links inside sentences share their line with the sentence; a teaser's headline
    stands alone in its heading or block (a kicker or a screen-reader copy before it).
    """
    text = " ".join("".join(a.itertext()).split())
    cjk = len(_CJK_CHAR.findall(text))
    if not 3 <= len(text.split()) + cjk // 3 or len(text) > 200:
        return False
    block = next((b for b in a.iterancestors() if b.tag in _LINE_BLOCKS), None)
    if block is None:
        return False
    # It ends its line: a link inside a sentence has the rest of the sentence after it.
    line = _line_text(block)
    return len(text) >= 0.5 * len(line) and line.endswith(text)


def remove_teaser_cards(tree: etree._Element, options: ExtractOptions) -> int:
    """Three or more sibling cards, each a headline link to another page and a short summary.

    "More stories" streams and related-article rails: their summaries are prose, so the
    block's link density stays low, but every card is built the same way around its own
    headline link. A card is small (a teaser, not a post); links inside sentences, and
    lists of short names, are not headlines.
    """
    # container -> card -> (href, headline link)
    items: dict[etree._Element, dict[etree._Element, tuple[str, etree._Element]]] = {}
    chains: list[list[etree._Element]] = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")) or not _headline_link(a):
            continue
        chain, node = [], a
        for _ in range(_CARD_LEVELS):
            parent = node.getparent()
            if parent is not None and parent.tag in ("td", "th"):
                # A table of one row lays out a thumbnail beside its headline: the
                # card is around the table. Table rows are records (a filmography,
                # results), not cards.
                table = next((t for t in parent.iterancestors("table")), None)
                if table is None or len(table.xpath(".//tr")) != 1:
                    break
                node, parent = table, table.getparent()
            # Table rows are records (a filmography, results), not cards.
            if parent is None or parent.tag in _KEEP_TAGS or parent.tag in _TABLE_TAGS:
                break
            items.setdefault(parent, {}).setdefault(node, (href, a))
            chain.append(parent)
            node = parent
        chains.append(chain)
    checked: dict[etree._Element, bool] = {}
    hits: dict[etree._Element, None] = {}
    for chain in chains:
        # The lowest container holding three cards with different targets is the list.
        for container in chain:
            cards = items[container]
            if len(cards) < 3 or len({href for href, _ in cards.values()}) < 3:
                continue
            for card, (_, link) in cards.items():
                if card not in checked:
                    checked[card] = _is_card(card, link)
                if checked[card]:
                    hits[card] = None
            break
    return _remove_outermost(list(hits), labels=True)


_TABLE_TAGS = frozenset({"table", "tbody", "thead", "tfoot", "tr", "td", "th"})


# A teaser's summary is the post's opening cut short: "... um plano paralelo para …".
_TRUNCATED = re.compile(r"(?:…|\.\.\.|\[(?:…|\.\.\.)\])\s*$")
_EXCERPT_CARD_TAGS = frozenset({"article", "div", "li", "section"})
_MAX_EXCERPT_CARD_CHARS = 1000
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def remove_excerpt_cards(tree: etree._Element, options: ExtractOptions) -> int:
    """A row of post excerpts cut short with an ellipsis: "you may also like" blocks.

    Three or more sibling containers of one kind (articles, divs, list items), each
    teaser-sized, at least three of them and half of all ending in "…" or "[...]": a
    blog's related posts show each post's opening, truncated, whether or not a headline
    link leads it. A paragraph is never a card (prose ends in an ellipsis too). A short
    heading right before the row ("You may also like...") goes with it.
    """
    # Sibling groups first; each member's text is read by libxml2 (scripts included,
    # an upper bound): a Python walk of every container costs far more.
    groups: dict[tuple[etree._Element, str], list[etree._Element]] = {}
    for el in tree.iter(*_EXCERPT_CARD_TAGS):
        parent = el.getparent()
        if parent is not None and parent.tag != "html":
            groups.setdefault((parent, el.tag), []).append(el)
    rows = []
    for key, siblings in groups.items():
        if len(siblings) < 3:
            continue
        ends = 0
        for el in siblings:
            raw = etree.tostring(el, method="text", encoding=str, with_tail=False)
            if len(raw) <= 4 * _MAX_EXCERPT_CARD_CHARS and _TRUNCATED.search(raw):
                ends += 1
        if ends >= 3:
            rows.append(key)
    hits: list[etree._Element] = []
    for parent, tag in rows:
        siblings = groups[(parent, tag)]
        cards, cut = [], 0
        for el in siblings:
            text = _visible_text(el)
            if not 0 < len(text) <= _MAX_EXCERPT_CARD_CHARS:
                continue
            cards.append(el)
            cut += bool(_TRUNCATED.search(text))
        if cut < 3 or cut < 0.5 * len(cards):
            continue
        hits.extend(cards)
        head = cards[0].getprevious()
        if head is not None and head.tag in _HEADING_TAGS and len(_visible_text(head).split()) <= 8:
            hits.append(head)
    return _remove_outermost(hits)


def _is_card(card: etree._Element, link: etree._Element) -> bool:
    """Teaser-sized, its headline on a line of its own, and led by it: at most a
    kicker, source or date before it.

    A feature list ending each entry with "Learn more about X" links its last line,
    not its headline.
    """
    if card.tag in ("ul", "ol", "dl"):
        return False  # a list of entries, not one entry
    size = _text_len(card)
    if not 0 < size <= _MAX_CARD_CHARS:
        return False
    # A card sets its headline on a line of its own (a heading or block); a link
    # filling the single line of a list item is a reference or a plain link list.
    line = next((b for b in link.iterancestors() if b.tag in _LINE_BLOCKS), None)
    if line is None or line is card or card not in line.iterancestors():
        return False
    before = 0
    for node in card.iter():
        if node is link:
            return before <= _MAX_KICKER_CHARS
        if isinstance(node.tag, str) and node.tag not in _NON_TEXT_TAGS:
            before += len((node.text or "").strip())
        if node is not card:
            before += len((node.tail or "").strip()) if link not in node.iterancestors() else 0
    return False


_MAX_KICKER_CHARS = 40
