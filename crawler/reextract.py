"""Re-extraction: rebuild article JSON from the archived HTTP responses alone.

Walks the response records through the CDXJ indexes (status 200, HTML-ish), one capture
per URL: the one the newest manifest ``article`` line for the URL names (the capture its
JSON came from; later identical re-extractions were not rewritten), else the newest. Each
is decoded and run through the current ``extract_page`` exactly as the crawl ran it: the
same headers (one value per name), fetch time, feed/sitemap hints (the record's
``Newsarchive-Hints``), outlet (the record's ``Newsarchive-Outlet``, else the manifest's)
and topic filters. The result is compared field by field with the stored JSON; a missing
JSON is written as ``added``, a changed one as ``updated``, through an ``ArchiveSession``
(new JSON object, a WARC ``metadata`` record, manifest lines), so with the same extractor
version a deleted JSON comes back byte-identical and an existing one is not rewritten.

It can run beside a crawl: right before writing, the stored JSON of the id is read again,
and a copy fetched later than the capture at hand is left alone (``skipped``). Written
articles are recorded in the archive's crawl state, as the crawl's pipeline does. Articles
with no id entry (archives written before the id index) get one.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from archive import ArchiveError, ArchiveReader, ArchiveSession, NotFoundError, ObjectStore, StorageError
from archive.layout import ADHOC_OUTLET, IDS_PREFIX, ArticleKey, article_key, parse_article_key, safe_name
from archive.prefetch import ordered_map
from archive.reader import Capture
from crawler.digests import article_digest
from crawler.extraction import extract_job, start_pool
from crawler.identity import own_identity
from crawler.outlets import OutletPolicies, OutletSpec
from crawler.stats import new_run_id
from crawler.state import CrawlState
from extract import EXTRACTOR, ExtractionResult, ExtractOptions, Hints
from extract.article import Article


__all__ = ["STATUSES", "FieldChange", "Outcome", "ReextractReport", "default_jobs", "field_changes", "reextract"]

STATUSES = ("unchanged", "changed", "added", "rejected", "skipped", "failed")
# What the extractor may take for a page (it rejects the rest itself, as in the crawl);
# feeds, sitemaps and robots.txt are never article candidates.
_PAGE_MIMES = frozenset({"text/html", "application/xhtml+xml", "text/plain", "", "unk", "-"})


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Outcome:
    """What re-extraction made of one capture: unchanged, changed, added, rejected, skipped or failed."""

    id: str | None
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
    """Totals; each capture's outcome goes to ``on_outcome`` as it happens (a large
    archive's changes, whole texts included, are never held at once)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    indexed: int = 0  # id entries written for articles that had none
    seconds: float = 0.0
    session: dict[str, Any] | None = None  # the archive session's summary, unless a dry run

    @property
    def total(self) -> int:
        return sum(self.counts.values())


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


def _fetched_at(warc_date: str | None) -> str | None:
    # The crawl gives the extractor the receive time to the second (crawler.middlewares);
    # the record's WARC-Date is the same moment with microseconds.
    if not warc_date:
        return None
    return datetime.fromisoformat(warc_date.replace("Z", "+00:00")).isoformat(timespec="seconds")


def _moment(iso: str | None) -> datetime:
    """An ISO 8601 time, comparable with any other (naive taken as UTC, none as the earliest)."""
    if not iso:
        return datetime.min.replace(tzinfo=timezone.utc)
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class _Target:
    """The capture of one URL to re-extract, and what the manifest knew of it."""

    url: str
    file: str
    offset: int
    length: int
    record_id: str | None = None
    article_id: str | None = None  # from the manifest line
    manifest_key: str | None = None
    manifest_outlet: str | None = None
    listed: bool = False  # a manifest names it as an article or a page the crawl extracted


@dataclass
class _Job:
    target: _Target
    capture: Capture | None = None
    stored: tuple[Article, str] | None = None  # the stored JSON the listing found, and its key
    outlet: str | None = None
    fetched_at: str | None = None
    require_topic: bool = False
    scope: tuple[str, ...] | None = None  # see OutletPolicies.scope
    kwargs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class _Selection:
    """The --outlet/--since/--until filter, applied to a key (or, lacking one, a capture)."""

    def __init__(self, outlet: str | None, since: date | str | None, until: date | str | None) -> None:
        self.outlet = safe_name(outlet) if outlet else None
        self.since = date.fromisoformat(str(since)[:10]) if since else None
        self.until = date.fromisoformat(str(until)[:10]) if until else None

    def admits(self, outlet_folder: str, day: date) -> bool:
        if self.outlet and outlet_folder != self.outlet:
            return False
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def admits_key(self, parts: ArticleKey) -> bool:
        return self.admits(parts.outlet, parts.day)


def reextract(
    store: ObjectStore,
    *,
    spool_dir: Path,
    since: date | str | None = None,
    until: date | str | None = None,
    outlet: str | None = None,
    dry_run: bool = False,
    specs: Mapping[str, OutletSpec] | None = None,
    jobs: int = 1,
    state: CrawlState | None = None,
    run_id: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ReextractReport:
    """Re-extract the selected captures; write what is missing or changed unless ``dry_run``.

    ``jobs`` > 1 extracts in that many worker processes; outcomes still come in URL order.
    ``state``, the archive's crawl state, learns of every article written.
    ``on_progress(done, total)`` is called after each capture. ``specs`` (the outlets'
    config) give what the crawl did with each outlet's pages: topic filters, which URLs
    are articles (a capture no manifest names is extracted only if the crawl would have),
    and which canonical URLs may set an id.
    """
    started = time.monotonic()
    report = ReextractReport()
    reader = ArchiveReader(store)
    selection = _Selection(outlet, since, until)
    stored = _stored_keys(store)
    indexed = {key.rsplit("/", 1)[-1].removesuffix(".json") for key in store.list(IDS_PREFIX)}
    targets, named_ids = _targets(reader)
    session = None
    if not dry_run:
        run_id = run_id or "reextract-" + new_run_id()
        session = ArchiveSession(store, spool_dir=spool_dir, run_id=run_id, warcinfo=_warcinfo(run_id))
    written: set[str] = set()
    try:
        outlets = OutletPolicies(specs or {})
        prepared = ordered_map(lambda target: _prepare(reader, target, stored, selection, outlets), targets)
        for done, (job, result) in enumerate(_extracted(prepared, jobs), 1):
            if job is not None:
                outcome = _settle(reader, session, state, job, result, stored, named_ids, written)
                report.counts[outcome.status] += 1
                if on_outcome:
                    on_outcome(outcome)
            if on_progress:
                on_progress(done, len(targets))
        for article_id, keys in stored.items():
            if article_id in indexed or article_id in written:
                continue
            chosen = _newest_key(reader, keys, selection)
            if chosen is not None:
                report.indexed += 1
                if session is not None:
                    session.index_article(article_id, chosen)
    finally:
        if session is not None:
            report.session = session.close()
        report.seconds = time.monotonic() - started
    return report


def _stored_keys(store: ObjectStore) -> dict[str, list[str]]:
    """Keys of the stored article JSON by id (one listing; an id moved may have two)."""
    keys: dict[str, list[str]] = {}
    for key in store.list("articles/"):
        parts = parse_article_key(key)
        if parts is not None:
            keys.setdefault(parts.id, []).append(key)
    return keys


def _targets(reader: ArchiveReader) -> tuple[list[_Target], set[str]]:
    """One capture per URL, in URL order (see the module's docstring for which), and the
    ids of the articles the manifests name."""
    named: dict[str, dict[str, Any]] = {}
    listed: set[str] = set()
    for entry in reader.manifest_entries():
        if not entry.get("url") or not entry.get("warc"):
            continue
        if entry.get("kind") == "article":
            named[entry["url"]] = entry  # oldest manifest first: the last one is the newest
        if entry.get("kind") in ("article", "page"):
            listed.add(entry["url"])
    newest: dict[str, tuple[str, str, int, int]] = {}
    for line in reader.index_lines():
        if line.status != "200" or line.mime.lower() not in _PAGE_MIMES:
            continue
        candidate = (line.timestamp, line.filename, line.offset, line.length)
        if line.url not in newest or candidate > newest[line.url]:
            newest[line.url] = candidate
    targets = []
    for url in sorted(set(named) | set(newest)):
        entry = named.get(url)
        if entry is not None:
            ref = entry["warc"]
            targets.append(_Target(url, ref["file"], int(ref["offset"]), int(ref["length"]), ref.get("record_id"),
                                   entry.get("id"), entry.get("key"), entry.get("outlet"), listed=True))
        else:
            _, file, offset, length = newest[url]
            targets.append(_Target(url, file, offset, length, listed=url in listed))
    return targets, {entry["id"] for entry in named.values() if entry.get("id")}


def _prepare(
    reader: ArchiveReader,
    target: _Target,
    stored: dict[str, list[str]],
    selection: _Selection,
    outlets: OutletPolicies,
) -> _Job | None:
    """Read the capture (on a reader thread) and build the extractor's arguments; None if
    the selection leaves it out."""
    job = _Job(target)
    keys = stored.get(target.article_id or "", [])
    known = [parts for parts in map(parse_article_key, keys or [target.manifest_key or ""]) if parts]
    if known and not any(selection.admits_key(parts) for parts in known):
        return None
    try:
        job.capture = reader.capture_at(target.file, target.offset, target.length, record_id=target.record_id,
                                        what=f"the capture of {target.url}")
        if keys:
            job.stored = reader.newest_copy(keys)
        hints = _hints(job.capture.hints)
    except (ArchiveError, StorageError) as exc:
        job.error = str(exc)
        return job
    capture = job.capture
    job.outlet = capture.outlet or target.manifest_outlet
    if not target.listed and not outlets.candidate(job.outlet, target.url):
        return None
    job.scope = outlets.scope(job.outlet)
    # The JSON of this very capture knows the fetch time the crawl gave the extractor
    # (a revisit's, when an identical payload was extracted again); else the record's.
    same = job.stored is not None and job.stored[0].warc is not None and capture.ref is not None \
        and job.stored[0].warc.record_id == capture.ref.record_id
    job.fetched_at = job.stored[0].fetched_at if same and job.stored else _fetched_at(capture.date)
    if not known:
        day = _moment(job.fetched_at).date() if job.fetched_at else None
        if day is None or not selection.admits(safe_name(job.outlet) if job.outlet else ADHOC_OUTLET, day):
            return None
    topics, job.require_topic = outlets.topics(job.outlet)
    job.kwargs = {
        "headers": _header_map(capture.headers),
        "fetched_at": job.fetched_at,
        "hints": hints,
        "options": ExtractOptions(topics=topics, rules=outlets.rules(job.outlet)),
    }
    return job


_Pending = tuple["_Job | None", "Future[ExtractionResult] | ExtractionResult | None"]


def _extracted(jobs: Iterable[_Job | None], workers: int) -> Iterator[tuple[_Job | None, ExtractionResult | None]]:
    """(job, extraction result) in the order of ``jobs`` (None: left out, or unreadable);
    on ``workers`` processes when more than one, at most a few pages per worker ahead."""
    if workers <= 1:
        for job in jobs:
            yield job, extract_job(job.capture.body, job.target.url, job.kwargs) if _ready(job) else None
        return
    # The crawl's own pool: forkserver workers with the extractor loaded and warmed up.
    pool: Executor = start_pool(workers)
    ahead: deque[_Pending] = deque()
    try:
        for job in jobs:
            ahead.append((job, pool.submit(extract_job, job.capture.body, job.target.url, job.kwargs) if _ready(job) else None))
            while len(ahead) > 4 * workers:
                yield _take(ahead)
        while ahead:
            yield _take(ahead)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _ready(job: _Job | None) -> bool:
    return job is not None and job.error is None and job.capture is not None


def _take(ahead: deque[_Pending]) -> tuple[_Job | None, ExtractionResult | None]:
    job, future = ahead.popleft()
    return job, future.result() if isinstance(future, Future) else future


def _settle(
    reader: ArchiveReader,
    session: ArchiveSession | None,
    state: CrawlState | None,
    job: _Job,
    result: ExtractionResult | None,
    stored: dict[str, list[str]],
    named_ids: set[str],
    written: set[str],
) -> Outcome:
    """Decide what one extraction means for the archive, and write it unless a dry run."""
    url = job.target.url
    if result is None:
        return Outcome(job.target.article_id, url, "failed", detail=job.error)
    kept = " (stored JSON kept)" if job.stored else ""
    if result.article is None:
        reason = f"{result.rejection.value if result.rejection else result.page_type.value}: {'; '.join(result.reasons)}"
        return Outcome(job.target.article_id, url, "rejected", detail=reason + kept)
    assert job.capture is not None and job.capture.ref is not None
    new = own_identity(result.article.with_provenance(warc=job.capture.ref, fetched_at=job.fetched_at,
                                                      outlet=job.outlet), job.scope)
    topics, require = job.kwargs["options"].topics, job.require_topic
    if require and topics and not new.topics:
        return Outcome(new.id, url, "rejected", detail="off_topic: no topic matched" + kept)
    if new.id in written:
        return Outcome(new.id, url, "skipped", detail="another capture of this article was written in this run")
    if job.target.article_id is None and new.id in named_ids:
        # A manifest names another URL's capture as the one this article's JSON came from.
        return Outcome(new.id, url, "skipped", detail="the manifests name another capture for this article")
    # Read again right before writing: a crawl beside us may have stored a later fetch.
    current = _current(reader, new, stored.get(new.id, []))
    if current is not None and _moment(current[0].fetched_at) > _moment(new.fetched_at):
        return Outcome(new.id, url, "skipped", detail=f"newer: the stored JSON was fetched at {current[0].fetched_at}")
    if current is None:
        status, changes = "added", ()
    else:
        changes = field_changes(current[0], new)
        if not changes:
            return Outcome(new.id, url, "unchanged")
        status = "changed"
    if session is not None:
        key = session.write_article(new, "added" if current is None else "updated",
                                    replaces=current[1] if current else None)
        written.add(new.id)
        if state is not None:
            state.record_article(url, new.id, article_digest(new), key)
            state.mark_processed(url, job.capture.ref.payload_digest)
    return Outcome(new.id, url, status, changes)


def _current(reader: ArchiveReader, new: Article, listed: list[str]) -> tuple[Article, str] | None:
    """The stored JSON of ``new``'s id as it is now: the listed keys, its own key, and
    whatever its id entry names (a write since the listing)."""
    keys = dict.fromkeys([*listed, article_key(new)])
    try:
        indexed = reader.indexed_key(new.id)
    except ArchiveError:
        indexed = None
    if indexed:
        keys[indexed] = None
    copies = []
    for key in keys:
        try:
            found = reader.newest_copy([key])
        except NotFoundError:
            continue
        if found is not None:
            copies.append(found)
    return max(copies, key=lambda pair: (pair[0].fetched_at or "", pair[1])) if copies else None


def _newest_key(reader: ArchiveReader, keys: list[str], selection: _Selection) -> str | None:
    """The key an id entry should name among an article's stored copies, if selected."""
    parts = [p for p in map(parse_article_key, keys) if p]
    if not any(selection.admits_key(p) for p in parts):
        return None
    if len(keys) == 1:
        return keys[0]
    try:
        found = reader.newest_copy(keys)
    except (ArchiveError, StorageError):
        return None
    return found[1] if found else None


def default_jobs() -> int:
    """Worker processes when not told: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _warcinfo(run_id: str) -> dict[str, str]:
    from crawler import __version__

    return {
        "software": f"newsarchive/{__version__} reextract ({EXTRACTOR.name} extractor {EXTRACTOR.version})",
        "format": "WARC File Format 1.1",
        "isPartOf": run_id,
        "hostname": socket.gethostname(),
        "description": "article JSON re-extracted from archived responses",
    }
