"""The story's lead when the template sets it apart from the body container.

Wire and news templates often put the first paragraph (with its dateline) or a
standfirst in the article header, next to the headline and date, and the rest of
the text in a separate body container; the main-block search then keeps only the
container. A block is taken back as the lead when it sits between the headline and
the start of the chosen body, reads as prose (a sentence of some length, little link
text, no date-and-time stamp), is not a caption, and either opens with a wire
dateline or is marked as a lead by its class or id (lead, standfirst, intro,
summary, ...). A block repeating the body (a teaser of it) or the headline is not a
lead. The signals are markup and text shapes, never wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from lxml import etree

from extract.credits import opens_with_dateline
from extract.text_rules import _SENTENCE_END, _shingle_set, _units

__all__ = ["HeadlineMark", "find_lead", "mark_headline"]

# Blocks a lead can be written in, and containers that make their parent no leaf
# (a wrapper around a figure is not a text block). A block counts once none of its
# children is one.
_TEXT_BLOCKS = frozenset({"p", "div", "section", "header", "h2", "h3", "h4", "h5", "h6", "li", "td", "blockquote"})
_BLOCK_TAGS = _TEXT_BLOCKS | {"figure", "figcaption", "picture", "ul", "ol", "table", "nav", "aside", "form"}
# Class/id tokens that name a lead or standfirst in templates, whole tokens only
# ("leaderboard" is an ad slot, not a lead).
_LEAD_TOKENS = frozenset(
    "lead lede standfirst intro introduction summary excerpt abstract teaser sapo chapo chapeau preamble ingress "
    "description".split()
)
# Where a prose block is not the story: captions, credits, navigation, forms, and
# the "dek", which US templates use for a subtitle that summarises the story
# rather than begins it (even when it is also called a summary).
_NOT_LEAD_TAGS = frozenset({"figure", "figcaption", "a", "nav", "aside", "footer", "form", "button", "label", "time"})
_NOT_LEAD_TOKENS = frozenset(
    "caption figcaption credit credits photo picture pic image img media figure gallery video byline author "
    "dek deck".split()
)
_MEDIA_TAGS = frozenset({"img", "picture", "figure", "video"})
# A numeric date and a clock time together: a publication or broadcast stamp line.
_STAMP = re.compile(r"\b(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}-\d{2}-\d{2})\b.*?\b\d{1,2}:\d{2}\b")
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
# A header with more blocks than this before the body is not a header: the body
# start was matched somewhere unexpected.
_MAX_BLOCKS = 40


def _tokens(el: etree._Element) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return set(_TOKEN_SPLIT.split(_CAMEL.sub(" ", raw).lower())) - {""}


def _norm(text: str) -> str:
    return " ".join(text.split())


_UNSEEN = frozenset({"script", "style", "noscript", "template"})


def _text(el: etree._Element) -> str:
    """Visible text of ``el``: a script or style inside a block is not its words."""
    if not any(True for _ in el.iter(*_UNSEEN)):
        return _norm(etree.tostring(el, method="text", encoding=str, with_tail=False))
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _UNSEEN:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return _norm("".join(parts))


def _is_leaf_block(el: etree._Element) -> bool:
    return el.tag in _TEXT_BLOCKS and not any(child.tag in _BLOCK_TAGS for child in el)


@dataclass(frozen=True)
class HeadlineMark:
    """The headline and where the page goes on after it, taken before the markup rules.

    The rules may remove the headline with its wrapper (an <h1> inside a breadcrumb
    bar); the elements that followed it at each level still say where the header ends.
    """

    headline: etree._Element
    followers: tuple[etree._Element, ...]  # next siblings of the headline and its ancestors, in document order


def mark_headline(tree: etree._Element, title: str | None) -> HeadlineMark | None:
    """The <h1> showing ``title`` (else the page's only <h1>), or None.

    With several, one that does not show the title is a logo or section name.
    """
    if not title:
        return None
    want = title.casefold()
    h1s = [(h1, text.casefold()) for h1 in tree.iter("h1") if (text := _text(h1))]
    headline = next(
        (h1 for h1, text in h1s if text == want or (len(text) >= 0.6 * len(want) and (text in want or want in text))),
        h1s[0][0] if len(h1s) == 1 else None,
    )
    if headline is None:
        return None
    followers = (sib for node in (headline, *headline.iterancestors()) for sib in node.itersiblings())
    return HeadlineMark(headline, tuple(islice(followers, _MAX_BLOCKS)))


def _attached(el: etree._Element, root: etree._Element) -> bool:
    # A removed element still belongs to the document (getroottree() finds the
    # root), but its chain of parents ends elsewhere.
    top = el
    for top in el.iterancestors():
        pass
    return top is root


def _starts_body(text: str, first: str) -> bool:
    # The body's first paragraph is the text of one block, give or take the
    # whitespace and inline furniture trafilatura drops: compare their openings.
    size = min(len(first), 60)
    return len(text) >= min(size, 12) and text[:size] == first[:size]


def _region(
    tree: etree._Element, mark: HeadlineMark, first: str
) -> tuple[list[etree._Element], etree._Element] | None:
    """Leaf blocks after the headline up to the body's first block, and that block."""
    root = tree.getroottree().getroot()
    if _attached(mark.headline, root):
        start, skip = mark.headline, set(mark.headline.iter())
    else:
        start = next((el for el in mark.followers if _attached(el, root)), None)
        skip = set()
        if start is None:
            return None
    blocks: list[etree._Element] = []
    after = False
    for el in tree.iter(etree.Element):
        if el is start:
            after = True
        if not after or el in skip or not _is_leaf_block(el):
            continue
        text = _text(el)
        if not text:
            continue
        if _starts_body(text, first):
            return blocks, el
        blocks.append(el)
        if len(blocks) > _MAX_BLOCKS:
            return None
    return None


def _marked_as_lead(el: etree._Element, shared: set[etree._Element]) -> bool | None:
    """True for a lead class on the block or its parent, None for a caption.

    Wrappers further up name regions (a "lede" area holding image, headline and
    subtitle), not this block; wrappers of the body too say nothing about it.
    """
    marked = False
    for depth, node in enumerate((el, *el.iterancestors())):
        if node in shared:
            break
        if node.tag in _NOT_LEAD_TAGS:
            return None
        tokens = _tokens(node)
        if tokens & _NOT_LEAD_TOKENS:
            return None
        marked = marked or (depth <= 1 and bool(tokens & _LEAD_TOKENS))
    # A text next to an image is its caption, whatever the class says.
    for sibling in (el.getprevious(), el.getnext()):
        if sibling is not None and sibling.tag in _MEDIA_TAGS:
            return None
    return marked


def _link_share(el: etree._Element, text: str) -> float:
    linked = sum(len(_text(a)) for a in el.iter("a"))
    return linked / len(text) if text else 1.0


def _repeats(text: str, seen: set[tuple[str, ...]]) -> bool:
    shingles = _shingle_set(text)
    return len(shingles & seen) >= 0.5 * len(shingles)


def find_lead(tree: etree._Element, mark: HeadlineMark | None, first_paragraph: str, body: list[str]) -> list[str]:
    """Lead paragraphs between the headline and ``first_paragraph`` that ``body`` lacks.

    ``first_paragraph`` is where the main block starts in the page; ``body`` the
    paragraphs kept of it. A block restating the headline or repeating the body (a
    teaser of it) is not a lead.
    """
    if mark is None or not first_paragraph:
        return []
    found = _region(tree, mark, _norm(first_paragraph))
    if not found:
        return []
    region, body_start = found
    shared = set(body_start.iterancestors())
    seen: set[tuple[str, ...]] | None = None  # shingles of headline and body, when needed
    leads = []
    for el in region:
        text = _text(el)
        if _units(text) < 10 or _link_share(el, text) > 0.3 or _STAMP.search(text):
            continue
        marked = _marked_as_lead(el, shared)
        if marked is None:
            continue
        # A block marked as the lead may be a standfirst without a full stop; a
        # dateline makes a block the lead only if it reads as a sentence.
        if not (marked and _units(text) >= 12 or _SENTENCE_END.search(text) and (marked or opens_with_dateline(text))):
            continue
        if seen is None:
            seen = _shingle_set(" ".join([_text(mark.headline), *body]))
        if not _repeats(text, seen):
            leads.append(text)
            seen |= _shingle_set(text)
    return leads
