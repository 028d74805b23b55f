"""Markup-level noise rules, applied to the parsed page before the main block is chosen.

Each rule is a small named function that removes elements from the tree and returns
how many it removed. Signals are markup, not wording: hidden elements, widget class
names, link density. The rules live in modules named for what they remove (``hidden``,
``widgets``, ``links``, ``cards``, ``forms``); their shared helpers in ``dom_helpers``.
This module lists them in the order they run.
"""

from __future__ import annotations

from typing import Callable

from lxml import etree

from extract.cards import remove_excerpt_cards, remove_teaser_cards
from extract.forms import remove_form_fields
from extract.hidden import remove_hidden
from extract.links import (
    remove_link_farms,
    remove_link_lists,
    remove_link_paragraphs,
    remove_tag_lists,
)
from extract.options import ExtractOptions
from extract.widgets import remove_widgets

__all__ = ["RULES", "SPAM_RULES", "apply_rules"]


RULES: tuple[Callable[[etree._Element, ExtractOptions], int], ...] = (
    remove_form_fields,
    remove_hidden,
    remove_link_farms,
    remove_tag_lists,
    remove_widgets,
    remove_link_lists,
    remove_teaser_cards,
    remove_excerpt_cards,
    remove_link_paragraphs,
)


# Spam removers: kept even when the other rules are undone for taking too much.
SPAM_RULES = (remove_hidden, remove_link_farms)


def apply_rules(tree: etree._Element, options: ExtractOptions, rules=RULES) -> dict[str, int]:
    """Run ``rules`` (every rule) on ``tree`` in place; returns how many elements each removed."""
    removed = {}
    for rule in rules:
        n = rule(tree, options)
        if n:
            removed[rule.__name__] = n
    return removed
