"""Form fields: text areas and select boxes, whose text is never the article."""

from __future__ import annotations

from lxml import etree

from extract.dom_helpers import remove_element
from extract.options import ExtractOptions

__all__ = ["remove_form_fields"]


def remove_form_fields(tree: etree._Element, options: ExtractOptions) -> int:
    """Text areas and select boxes: a form's values or a template stored as text.

    Their text is never the article (sites park gallery markup in a hidden-looking
    ``<textarea>`` for scripts to expand), and read as text it is escaped HTML.
    """
    hits = list(tree.iter("textarea", "select"))
    for el in hits:
        remove_element(el)
    return len(hits)
