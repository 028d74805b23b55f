"""Link noise: link lists, "read also" link paragraphs, link farms and tag lists."""

from __future__ import annotations

import re

from lxml import etree

from extract.dom_helpers import (
    _INLINE,
    _KEEP_TAGS,
    _NON_TEXT_TAGS,
    _SENTENCE_STOP,
    _page_chars,
    _remove_label_of,
    _remove_outermost,
    _remove_unless_main,
    _text_len,
    remove_element,
)
from extract.options import ExtractOptions

__all__ = ["remove_link_farms", "remove_link_lists", "remove_link_paragraphs", "remove_tag_lists"]


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
    stories = []
    for el, (total, linked, links) in sizes.items():
        if el.tag in _LIST_TAGS and links >= 3 and total and linked / total > options.max_link_density:
            hits.append(el)
        elif total >= _STORY_CHARS and linked < _STORY_LINKED * total and el.tag not in _NON_TEXT_TAGS:
            stories.append(el)
    # A wrapper round the whole page (menus, the story, the footer) can be mostly link
    # text when the story is short; it holds a story of its own, a block of 1,000+
    # characters nearly without links, so only the link lists inside it go.
    holding = {a for el in stories for a in el.iterancestors()}
    return _remove_outermost([el for el in hits if el not in holding])


_STORY_CHARS = 1000
_STORY_LINKED = 0.2


def _is_link_stack(el: etree._Element) -> bool:
    """A paragraph of three or more linked headlines, one per line (``<br>`` between),
    with at most a short tag beside each ("[VIDEO]"): a "don't miss" box set as text."""
    links = el.findall(".//a")
    if len(links) < 3 or len(el.findall(".//br")) < len(links) - 1:
        return False
    outside = _text_outside_links(el)
    return len(" ".join(outside.split())) <= 15 * len(links) and all(_text_len(a) >= 15 for a in links)


# Where a link may stand as a paragraph of its own: between the blocks of a text container.
_LINK_BLOCK_PARENTS = frozenset({"div", "section", "article", "main", "body"})
_PARAGRAPH_BLOCKS = frozenset({"p", "div", "figure", "blockquote", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table"})


def _is_block_link(a: etree._Element) -> bool:
    """A link set as a block between the article's paragraphs: an inline "read more" card.

    ``<p>...</p><a href="/other-story"><span>Also on X</span><span>Headline</span></a><p>``:
    a paragraph would hold words of its own; a link that is the whole block, with a
    paragraph on each side and no loose text around it, points the reader elsewhere.
    Its text reads as a headline (three or more words, no sentence stop).
    """
    parent = a.getparent()
    if parent is None or parent.tag not in _LINK_BLOCK_PARENTS:
        return False
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:")):
        return False
    prev, nxt = a.getprevious(), a.getnext()
    if prev is None or nxt is None or prev.tag not in _PARAGRAPH_BLOCKS or nxt.tag not in _PARAGRAPH_BLOCKS:
        return False
    if (prev.tail or "").strip() or (a.tail or "").strip() or not any(c.tag == "p" for c in (prev, nxt)):
        return False
    # Its words are a headline, not a sentence: a "click to tweet" box links the
    # article's own sentence to a share page, and that sentence is the article's.
    text = " ".join(" ".join(a.itertext()).split())
    return len(text.split()) >= 3 and len(text) <= 300 and not _SENTENCE_STOP.search(text)


_CLOSES_SENTENCE = re.compile(r"[.!?。！？…][\"'’”»)]*\s*$")


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
    for el in tree.iter("p"):
        if _is_link_stack(el):
            hits.append(el)
    for a in tree.iter("a"):
        if _is_block_link(a):
            hits.append(a)
    # An item of a list whose other items are mostly prose is the article's list (a
    # digest of linked headlines, each followed by its sentence); a "read also" list is
    # all links.
    hit_set = set(hits)
    keep = set()
    for el in hits:
        parent = el.getparent()
        after = _text_outside_links(el).strip()
        if el.tag == "li" and parent is not None and len(after) >= 20 and _CLOSES_SENTENCE.search(after):
            items = [c for c in parent if c.tag == "li"]
            if len(items) >= 3 and sum(1 for c in items if c in hit_set) < 0.5 * len(items):
                keep.add(el)
        elif el.tag == "p" and _beside_quote(el):
            keep.add(el)
    hits = [el for el in hits if el not in keep]
    stacks = {el for el in hits if el.tag == "p" and _is_link_stack(el)}
    parents = {el.getparent(): None for el in hits if el.getparent() is not None}
    for el in hits:
        if el in stacks:
            _remove_label_of(el)  # a "don't miss" box's title; not a one-link line's
        remove_element(el)
    # A list left empty by its links' removal ("related news" over two linked
    # headings) was a widget: its title goes with it.
    for parent in parents:
        emptied = None
        while parent is not None and parent.tag not in _KEEP_TAGS and _text_len(parent) == 0:
            emptied, parent = parent, parent.getparent()
        if emptied is not None and emptied.getparent() is not None:
            _remove_label_of(emptied)
    return len(hits)


def _beside_quote(el: etree._Element) -> bool:
    """A linked name (up to three words) right above or below a block quote is the
    quote's source, "[<a>The Verge</a>]"; a "read also" headline link is longer."""
    return any(sib is not None and sib.tag == "blockquote" for sib in (el.getprevious(), el.getnext())) and all(
        len(" ".join(a.itertext()).split()) <= 3 for a in el.iter("a"))


# What may stand between the links of a link farm: whitespace and bars, bullets or
# slashes. Not commas or 、: a sentence listing linked names is the article's own.
_FARM_GLUE = re.compile(r"^[\s|｜/·•・\-–—_]*$")
# A short label in front: "友情链接：", "Partner sites:", "相关搜索".
_FARM_LABEL = re.compile(r"^\s*[^\s|｜:：]{1,12}(?:\s[^\s|｜:：]{1,12}){0,2}\s*[:：]")
_FARM_TAGS = frozenset({"p", "div", "span", "td", "li", "center", "font", "section", "dd", "blockquote", "strong", "b"})
_FARM_BLOCKS = frozenset({"p", "div", "ul", "ol", "li", "table", "section", "article", "h1", "h2", "h3", "br"})


def _text_outside_links(el: etree._Element) -> str:
    """Text of ``el`` that is not inside one of its links: labels, glue, wrappers."""
    parts = [el.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if child.tag != "a":
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    return " ".join(parts)


def remove_link_farms(tree: etree._Element, options: ExtractOptions) -> int:
    """A paragraph that is nothing but links: anchors separated by bars or spaces.

    Injected link farms sit as one paragraph anywhere in the article container, with
    or without a label in front (``友情链接：A | B | C``). Nothing joins the links but
    separators, so it says nothing; a sentence that links names has words between them.
    """
    hits = []
    # Candidates are the anchors' parents and grandparents (links wrapped in a span).
    candidates: dict[etree._Element, None] = {}
    for a in tree.iter("a"):
        for el in (a.getparent(), a.getparent().getparent() if a.getparent() is not None else None):
            if el is not None and el.tag in _FARM_TAGS:
                candidates[el] = None
    for el in candidates:
        anchors = el.findall(".//a")
        if len(anchors) < 4 or any(c.tag in _FARM_BLOCKS for c in el.iterdescendants()):
            continue
        if _FARM_GLUE.match(_FARM_LABEL.sub(" ", _text_outside_links(el), count=1)):
            hits.append(el)
    # A name inside a sentence that carries a pop-up of links ("Rep. <span>Name<span
    # class=popup>links...</span></span> (D-Minn.)"): the pop-up goes, the name stays.
    return _remove_outermost([el for el in hits if not _between_words(el)])


def _between_words(el: etree._Element) -> bool:
    """An inline element with words right before and after it, at any depth of its paragraph."""
    if el.tag not in _INLINE or not (el.tail or "").strip():
        return False
    prev, parent = el.getprevious(), el.getparent()
    return bool(((prev.tail if prev is not None else parent.text if parent is not None else "") or "").strip())


# rel="tag" (a microformat; WordPress and most blog engines mark every tag and category
# link so): a block of them is the post's filing, not its text.
_TAG_LINKS = etree.XPath("//@rel[contains(concat(' ', normalize-space(.), ' '), ' tag ')]/parent::a")
_TAG_GLUE = re.compile(r"[\s,;|/·•#]+")
_MAX_TAG_LABEL = 30  # "Tags", "Tagged with:", "Posted in", "Categorias:"
_TAG_LEVELS = 3


def _tag_label(el: etree._Element, tags: set[etree._Element]) -> str:
    """Text of ``el`` outside its tag links, scripts and styles, separators removed."""
    parts = [el.text or ""]

    def walk(node: etree._Element) -> None:
        for child in node:
            if isinstance(child.tag, str) and child not in tags and child.tag not in _NON_TEXT_TAGS:
                parts.append(child.text or "")
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    return _TAG_GLUE.sub(" ", " ".join(parts)).strip()


def remove_tag_lists(tree: etree._Element, options: ExtractOptions) -> int:
    """Tag and category lists: blocks of ``rel="tag"`` links and at most a short label.

    The links name the post's tags (``Tags: <a rel=tag>stock car</a>, <a rel=tag>...``);
    the block is lifted to the largest of up to three ancestors that still holds nothing
    else (a list of one tag per item, with its "Tags:" heading). A tag linked inside a
    sentence has the sentence's words around it and stays.
    """
    tags = set(_TAG_LINKS(tree))
    if not tags:
        return 0
    hits: dict[etree._Element, None] = {}
    for a in tags:
        block = a.getparent()
        if block is None or block.tag in _KEEP_TAGS or len(_tag_label(block, tags)) > _MAX_TAG_LABEL:
            continue
        for _ in range(_TAG_LEVELS):
            parent = block.getparent()
            if parent is None or parent.tag in _KEEP_TAGS or len(_tag_label(parent, tags)) > _MAX_TAG_LABEL:
                break
            block = parent
        hits[block] = None
    return _remove_unless_main(list(hits), _page_chars(tree))
