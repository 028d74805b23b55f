"""Configured topic filters matched over an article's title and text."""

from __future__ import annotations

import re

from extract.options import Topic

__all__ = ["match_topics"]


def match_topics(topics: tuple[Topic, ...], title: str | None, text: str) -> tuple[str, ...]:
    """Names of the topics whose pattern occurs (case-insensitively) in title or text."""
    haystack = f"{title or ''}\n{text}"
    return tuple(t.name for t in topics if re.search(t.pattern, haystack, re.IGNORECASE))
