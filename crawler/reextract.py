"""Re-extraction: rebuild article JSON from the archived HTTP responses alone.

After an extractor upgrade, each archived article's response record is read back from
its WARC, decoded, and run through the current ``extract_page``; the result is compared
field by field with the stored JSON. Changed articles are written through an
``ArchiveSession`` (new JSON object, a WARC ``metadata`` record, manifest lines marked
``updated``), so the archive stays complete and traceable. With the same extractor
version and inputs the JSON comes out byte-identical and nothing is written.

Feed/sitemap hints the crawl gave the extractor are read back from the response
record's ``Newsarchive-Hints`` field (written when the crawler passes ``hints`` to
``ArchiveSession.write_exchange``); captures without them are re-extracted without hints.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from archive import ArchiveError, ArchiveReader, ArchiveSession, ObjectStore, StorageError
from archive.layout import article_key
from crawler.hub import new_run_id
from extract import EXTRACTOR, ExtractOptions, Hints, Topic, extract_page
from extract.article import Article

__all__ = ["STATUSES", "FieldChange", "Outcome", "ReextractReport", "field_changes", "reextract"]

STATUSES = ("unchanged", "changed", "rejected", "failed")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Outcome:
    """What re-extraction made of one article: unchanged, changed, rejected or failed."""

    id: str
    url: str
    status: str
    changes: tuple[FieldChange, ...] = ()
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "status": self.status,
            "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in self.changes],
            "detail": self.detail,
        }


@dataclass
class ReextractReport:
    """Totals; each article's outcome goes to ``on_outcome`` as it happens (a large
    archive's changes, whole texts included, are never held at once)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    session: dict[str, Any] | None = None  # the archive session's summary, unless a dry run


def field_changes(old: Article, new: Article) -> tuple[FieldChange, ...]:
    """The top-level JSON fields whose values differ, in field order."""
    before, after = old.to_dict(), new.to_dict()
    return tuple(FieldChange(name, before[name], after[name]) for name in before if before[name] != after[name])


def _header_map(headers: list[tuple[str, str]]) -> dict[str, str]:
    # The crawler hands the extractor one value per header name, repeats joined with
    # ", " (Scrapy's view); re-extraction must see the same.
    merged: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, value in headers:
        names.setdefault(name.lower(), name)
        merged.setdefault(name.lower(), []).append(value)
    return {names[key]: ", ".join(values) for key, values in merged.items()}


def _hints(archived: dict[str, Any] | None) -> Hints | None:
    if not archived:
        return None
    try:
        return Hints(**{**archived, "keywords": tuple(archived.get("keywords", ()))})
    except TypeError as exc:
        raise ArchiveError(f"archived hints {archived} do not fit this extractor's Hints: {exc}") from exc


def reextract(
    store: ObjectStore,
    *,
    spool_dir: Path,
    since: date | str | None = None,
    until: date | str | None = None,
    outlet: str | None = None,
    dry_run: bool = False,
    topics_for: Callable[[str | None], tuple[Topic, ...]] = lambda outlet: (),
    run_id: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> ReextractReport:
    """Re-extract the selected articles; write the changed ones unless ``dry_run``."""
    report = ReextractReport()
    reader = ArchiveReader(store)
    session = None
    if not dry_run:
        run_id = run_id or "reextract-" + new_run_id()
        session = ArchiveSession(store, spool_dir=spool_dir, run_id=run_id, warcinfo=_warcinfo(run_id))
    try:
        for old, outcome, new in _outcomes(reader, since, until, outlet, topics_for):
            report.counts[outcome.status] += 1
            if on_outcome:
                on_outcome(outcome)
            if session is not None and new is not None and outcome.status == "changed":
                session.write_article(new, "updated", replaces=article_key(old))
    finally:
        if session is not None:
            report.session = session.close()
    return report


def _outcomes(
    reader: ArchiveReader,
    since: date | str | None,
    until: date | str | None,
    outlet: str | None,
    topics_for: Callable[[str | None], tuple[Topic, ...]],
) -> Iterator[tuple[Article, Outcome, Article | None]]:
    for old in reader.articles(outlet=outlet, since=since, until=until):
        try:
            capture = reader.capture(old)
            hints = _hints(capture.hints)
        except (ArchiveError, StorageError) as exc:
            yield old, Outcome(old.id, old.url, "failed", detail=str(exc)), None
            continue
        result = extract_page(
            capture.body,
            old.url,
            headers=_header_map(capture.headers),
            fetched_at=old.fetched_at,
            hints=hints,
            options=ExtractOptions(topics=topics_for(old.outlet)),
        )
        if result.article is None:
            reason = f"{result.rejection.value if result.rejection else result.page_type.value}: {'; '.join(result.reasons)}"
            yield old, Outcome(old.id, old.url, "rejected", detail=f"{reason} (stored JSON kept)"), None
            continue
        new = result.article.with_provenance(warc=old.warc, fetched_at=old.fetched_at, outlet=old.outlet)
        changes = field_changes(old, new)
        yield old, Outcome(old.id, old.url, "changed" if changes else "unchanged", changes), new


def _warcinfo(run_id: str) -> dict[str, str]:
    from crawler import __version__

    return {
        "software": f"newsarchive/{__version__} reextract ({EXTRACTOR.name} extractor {EXTRACTOR.version})",
        "format": "WARC File Format 1.1",
        "isPartOf": run_id,
        "hostname": socket.gethostname(),
        "description": "article JSON re-extracted from archived responses",
    }
