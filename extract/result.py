"""What ``extract_page`` returns: an article, or the reason there is none."""

from __future__ import annotations

from dataclasses import dataclass

from extract.article import Article, PageType, Rejection

__all__ = ["ExtractionResult"]


@dataclass(frozen=True)
class ExtractionResult:
    """The outcome for one page; ``article`` is None exactly when ``rejection`` is set."""

    article: Article | None
    page_type: PageType
    reasons: tuple[str, ...]
    rejection: Rejection | None
    encoding: str
