"""What spiders hand to the pipeline: one fetched page, before extraction."""

from __future__ import annotations

from dataclasses import dataclass, field

from extract import Hints
from extract.article import WarcRef

__all__ = ["PageItem"]


@dataclass
class PageItem:
    url: str
    body: bytes
    headers: dict[str, str]
    status: int
    warc: WarcRef
    fetched_at: str
    outlet: str | None = None
    hints: Hints | None = None
    # Pages that are expected to be articles; anything else is recorded, not extracted.
    expect_article: bool = True
    extra: dict[str, str] = field(default_factory=dict)
