"""The knobs of extraction, and what a feed or sitemap said about a page.

Both are frozen and picklable: the crawler builds them once and ships them to the
extraction process pool with every page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.rules import SiteRules

__all__ = ["ExtractOptions", "Hints", "SiteRules", "Topic"]


@dataclass(frozen=True)
class Topic:
    """A named topic filter: a case-insensitive regex matched over title and text."""

    name: str
    pattern: str

    def __post_init__(self) -> None:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise ValueError(
                f"topic {self.name!r}: pattern {self.pattern!r} is not a valid regular "
                f"expression ({exc}); fix the pattern in the topic configuration"
            ) from exc


@dataclass(frozen=True)
class Hints:
    """What a feed or (news) sitemap said about the URL, used as outside evidence."""

    title: str | None = None
    published: str | None = None
    language: str | None = None
    keywords: tuple[str, ...] = ()
    source: str = "feed"


@dataclass(frozen=True)
class ExtractOptions:
    """Every tuning knob of ``extract_page`` in one validated object."""

    # Bodies shorter than this (in characters) are rejected as too short. CJK text
    # carries about three times the information per character, so it gets a third.
    min_text_chars: int = 200
    topics: tuple[Topic, ...] = ()
    # Trafilatura's own switches; comments are off because on news pages they are
    # reader comments, not article text.
    include_tables: bool = True
    include_comments: bool = False
    # A paragraph of at least this many items between separators (| , 、 ·), nearly
    # all one to three words long, is a keyword or link-farm run, not prose.
    min_separator_run: int = 6
    # A block whose visible text is more than this share link text is navigation,
    # a related-links box or a link farm, not article prose.
    max_link_density: float = 0.6
    # The outlet's own selectors (built by the crawler from its spec), tried before
    # the general rules; None for ad-hoc pages.
    rules: SiteRules | None = None

    def __post_init__(self) -> None:
        if self.min_text_chars < 0:
            raise ValueError("min_text_chars must be >= 0")
        if self.min_separator_run < 3:
            raise ValueError("min_separator_run must be >= 3; shorter runs match ordinary prose")
        if not 0.0 < self.max_link_density <= 1.0:
            raise ValueError("max_link_density must be in (0, 1]")
        if self.rules is not None and not isinstance(self.rules, SiteRules):
            raise ValueError(f"rules must be a SiteRules, got {type(self.rules).__name__}")
        names = [t.name for t in self.topics]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate topic names in {names}; give each topic a unique name")
