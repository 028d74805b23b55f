"""What spiders hand to the pipeline: one fetched page, before extraction."""

from __future__ import annotations

from dataclasses import dataclass

from extract import Hints
from extract.article import WarcRef

__all__ = ["PageItem"]


@dataclass
class PageItem:
    url: str
    body: bytes
    headers: dict[str, str]
    warc: WarcRef
    fetched_at: str
    outlet: str | None = None
    hints: Hints | None = None
