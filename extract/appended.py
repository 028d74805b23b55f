"""Stories appended below the one a page is about ("next article", infinite scroll).

Such a page holds two or more complete ``<article>`` elements, each with its own
``<h1>``. The one holding the page's headline is the story; a later one with a
headline of its own is another story, however much text it has, so the main-text
guard of the markup rules (a container with a large share of the page is never
removed) must not protect it.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["remove_appended_articles"]


def _outermost_article(el: etree._Element) -> etree._Element | None:
    found = None
    for node in (el, *el.iterancestors()):
        if node.tag == "article":
            found = node
    return found


def remove_appended_articles(tree: etree._Element, headline: etree._Element) -> int:
    """Remove top-level ``<article>``s with their own ``<h1>`` that follow the headline's."""
    story = _outermost_article(headline)
    if story is None:
        return 0
    # Whatever follows the story at its own level or any level above, in document order.
    later = [
        art for node in (story, *story.iterancestors()) for sib in node.itersiblings() if isinstance(sib.tag, str)
        for art in sib.iter("article")
        if _outermost_article(art) is art and art.find(".//h1") is not None
    ]
    for art in later:
        parent = art.getparent()
        if parent is not None:
            parent.remove(art)
    return len(later)
