"""The article record shared by extraction and the archive.

One frozen type, serialised to the versioned JSON documented in the README and
published as ``extract/schema/article.schema.json``. Serialisation is canonical
(sorted keys, fixed indentation) so that re-extracting the same capture with the
same extractor version gives byte-identical JSON.
"""

from __future__ import annotations

import hashlib
import json
from copy import deepcopy
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from enum import Enum
from typing import Any, Mapping

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "Disagreement",
    "ExtractorInfo",
    "PageType",
    "Rejection",
    "WarcRef",
    "article_id",
]

SCHEMA_VERSION = "1.0"


class PageType(str, Enum):
    """What a fetched page is; only ``ARTICLE`` pages become article records."""

    ARTICLE = "article"
    INDEX = "index"
    SPAM = "spam"
    PAYWALL = "paywall"
    BLOCKED = "blocked"
    ERROR = "error"


class Rejection(str, Enum):
    """Why extraction produced no article; each value becomes a crawl stat."""

    NOT_HTML = "not_html"
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    NOT_ARTICLE = "not_article"
    SPAM = "spam"
    PAYWALL = "paywall"
    BLOCKED = "blocked"
    ERROR_PAGE = "error_page"


def article_id(canonical_url: str) -> str:
    """Stable article id: the first 16 hex digits of SHA-256 of the canonical URL."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class WarcRef:
    """Where the response record an article came from sits in the archive."""

    file: str
    record_id: str
    offset: int
    length: int
    payload_digest: str


@dataclass(frozen=True)
class ExtractorInfo:
    name: str
    version: str


@dataclass(frozen=True)
class Disagreement:
    """A field on which the page and the feed/sitemap evidence disagreed."""

    field: str
    page: str | None
    evidence: str | None
    source: str
    chosen: str | None


@dataclass(frozen=True)
class Article:
    id: str
    url: str
    canonical_url: str
    title: str | None
    text: str
    language: str | None
    published: str | None
    extractor: ExtractorInfo
    fetched_at: str | None = None
    outlet: str | None = None
    authors: tuple[str, ...] = ()
    modified: str | None = None
    description: str | None = None
    site_name: str | None = None
    tags: tuple[str, ...] = ()
    source_credit: str | None = None
    topics: tuple[str, ...] = ()
    cluster: str | None = None
    disagreements: tuple[Disagreement, ...] = ()
    warc: WarcRef | None = None
    schema_version: str = field(default=SCHEMA_VERSION)

    def to_dict(self) -> dict[str, Any]:
        # What dataclasses.asdict gives, read field by field: asdict deep-copies every
        # value, and the crawl serialises each article twice (JSON and digest).
        data = {name: getattr(self, name) for name in _ARTICLE_FIELDS}
        data["extractor"] = _flat(self.extractor)
        data["warc"] = None if self.warc is None else _flat(self.warc)
        data["disagreements"] = [_flat(d) for d in self.disagreements]
        for name in ("authors", "tags", "topics"):
            data[name] = list(data[name])
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Article":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown article fields: {', '.join(sorted(unknown))}")
        values = dict(data)
        values["extractor"] = ExtractorInfo(**values["extractor"])
        if values.get("warc") is not None:
            values["warc"] = WarcRef(**values["warc"])
        values["disagreements"] = tuple(Disagreement(**d) for d in values.get("disagreements", ()))
        for name in ("authors", "tags", "topics"):
            values[name] = tuple(values.get(name, ()))
        return cls(**values)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Article":
        return cls.from_dict(json.loads(text))

    def with_provenance(self, *, warc: WarcRef, fetched_at: str, outlet: str | None) -> "Article":
        return replace(self, warc=warc, fetched_at=fetched_at, outlet=outlet)


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))
# The nested records hold plain values only, so a shallow dict is what asdict gives.
_FLAT_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (ExtractorInfo, WarcRef, Disagreement)}


def _flat(record: Any) -> Any:
    """A nested record (extractor, warc, disagreement) as ``asdict`` gives it."""
    names = _FLAT_FIELDS.get(type(record))
    if names is None:  # not one of ours: whatever asdict would make of it
        return asdict(record) if is_dataclass(record) else deepcopy(record)
    return {name: getattr(record, name) for name in names}
