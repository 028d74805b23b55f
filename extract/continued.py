"""Body containers that continue the one the main text was found in.

Templates that put an advert or a "read also" row inside the story close the body
container and open another of the same class after it (``<div class="body
articleBody">`` twice, ``body__inner-container`` three times). trafilatura takes one
of them as the main block and the rest of the story is lost. A later element with the
exact class attribute of the main text's container, holding paragraphs that are not
in the main text yet, is the same story continued.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["continuations", "new_paragraphs"]

_ANCHOR = etree.XPath("//p[starts-with(normalize-space(.), $s)]")
# Asked from the attributes' side: libxml2 then tests only the class attributes there are.
_SAME_CLASS = etree.XPath("//@class[. = $c]/..")
_PROBE = 40  # characters of a paragraph that find it in the markup
# Whole-page wrappers: everything shares their class, and nothing continues them.
_PAGE_TAGS = frozenset({"html", "body", "main"})


def _text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def continuations(tree: etree._Element, paragraphs: list[str]) -> list[etree._Element]:
    """Later containers of the main text's class whose paragraphs ``paragraphs`` lacks."""
    probe = next((p for p in paragraphs[:3] if len(p) >= _PROBE), None)
    if probe is None:
        return []
    joined = " ".join(" ".join(p.split()) for p in paragraphs)
    for anchor in _ANCHOR(tree, s=probe[:_PROBE]):
        found = _after(anchor, joined, tree)
        if found:
            return found
    return []


def _after(anchor: etree._Element, joined: str, tree: etree._Element) -> list[etree._Element]:
    # The nearest ancestor with a class, within three levels: the body container.
    container = anchor.getparent()
    for _ in range(3):
        if container is None or container.get("class"):
            break
        container = container.getparent()
    if container is None or container.tag in _PAGE_TAGS or not container.get("class", "").strip():
        return []
    same = _SAME_CLASS(tree, c=container.get("class"))
    if len(same) < 2 or container not in same:
        return []
    found = []
    for el in same[same.index(container) + 1:]:
        if el.tag != container.tag or container in el.iterancestors() or el in container.iterancestors():
            continue
        texts = [t for t in (_text(p) for p in el.iter("p")) if t]
        new = [t for t in texts if len(t) >= _PROBE and t[:_PROBE] not in joined]
        # Two new paragraphs at least, and mostly new text: a "read also" teaser or
        # label repeated from the main text may sit in it, a copy of the story may not.
        if len(new) >= 2 and sum(map(len, new)) >= 2 / 3 * sum(map(len, texts)):
            found.append(el)
    return found


def new_paragraphs(found: list[str], paragraphs: list[str]) -> list[str]:
    """``found`` without the paragraphs the main text already has."""
    if not found:
        return []
    joined = " ".join(" ".join(p.split()) for p in paragraphs)
    return [p for p in found if " ".join(p.split())[:_PROBE] not in joined]
