"""Helpers the markup noise rules share: text sizes, removal, and the main-text guard."""

from __future__ import annotations

import re

from lxml import etree

__all__ = ["remove_element"]


# Tag sets and patterns that more than one rule reads.
_KEEP_TAGS = frozenset({"html", "body", "article", "main"})
_INLINE = frozenset({"a", "span", "em", "i", "b", "strong", "abbr", "cite", "mark", "sup", "time"})
_SENTENCE_STOP = re.compile(r"[.!?。！？…][\"'’”»)]*(?:\s|$)")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template"})


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


# Three paragraphs are an article's only with this much text between them: a hidden
# tool-tip or log-in box of four one-line <p> ("save this article: members only") is not.
_MIN_HELD_CHARS = 400


def _holds_main_text(el: etree._Element, page_chars: int) -> bool:
    """True for containers holding a large share of the page's text.

    Sites hide the article until a script runs, or put a widget-like class on the
    article wrapper; removing such a container would remove the article itself.
    """
    chars = _text_len(el)
    return chars > 0.2 * page_chars or (chars >= _MIN_HELD_CHARS and len(el.findall(".//p")) >= 3)


def _page_chars(tree: etree._Element) -> int:
    body = tree.find("body")
    return _text_len(body if body is not None else tree)


def _remove_unless_main(hits: list[etree._Element], total: int) -> int:
    """Remove ``hits`` (in document order) unless one holds the page's main text.

    A hit inside one already removed is gone with it and is not measured again.
    """
    removed: set[etree._Element] = set()
    for el in hits:
        if removed and any(a in removed for a in el.iterancestors()):
            continue
        if not _holds_main_text(el, total):
            remove_element(el)
            removed.add(el)
    return len(removed)


def _remove_outermost(hits: list[etree._Element], labels: bool = False) -> int:
    """Remove the hits that are not inside another hit (nested ones go with it).

    With ``labels``, a short title standing right before a removed block goes with it.
    """
    hit_set = set(hits)
    count = 0
    for el in hits:
        if any(a in hit_set for a in el.iterancestors()):
            continue
        if labels:
            _remove_label_of(el)
        remove_element(el)
        count += 1
    return count


_MAX_LABEL_CHARS = 40
_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "p", "div", "span", "strong", "b"})


def _remove_label_of(el: etree._Element) -> None:
    """Remove the title of a removed widget: "Related news", "DON'T MISS", "Top stories".

    The element right before it, with no loose text between them, holding only a
    short line (up to five words, no link, no sentence stop) and nothing else.
    """
    label = el.getprevious()
    if label is None or label.tag not in _LABEL_TAGS or (label.tail or "").strip():
        return
    if label.find(".//a") is not None or label.find(".//img") is not None:
        return
    text = _visible_text(label)
    cjk = len(_CJK_CHAR.findall(text))
    if 0 < len(text) <= _MAX_LABEL_CHARS and len(text.split()) + cjk // 2 <= 5 and not _SENTENCE_STOP.search(text):
        remove_element(label)


def _visible_text(el: etree._Element) -> str:
    """Text of ``el`` without its scripts and styles, whitespace-normalised."""
    parts = [el.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _NON_TEXT_TAGS:
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    return " ".join(" ".join(parts).split())

