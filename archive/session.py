"""One run's writes to the archive: WARC files, article JSON, manifest, run record.

Everything lands in the spool first. When a WARC file closes (at its size or age limit,
once ``max_warc_articles`` articles wait on it, or at ``close``) it is indexed, closed and
uploaded by a background thread together with the article JSON written while it was open,
so an article never appears in the store before the WARC it points into, and a long
crawl's articles reach the store as it goes rather than all at its end. A store that fails
does not stop the run: the session backs off, keeps writing to the spool, and ``close``
(or a later ``newsarchive flush``) uploads what is left.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from archive.errors import ArchiveError, DiskFull, StorageError, is_disk_full
from archive.layout import (article_key, id_entry, id_key, index_key, manifest_key, parse_article_key, run_key, utc,
                            warc_key, warc_name)
from archive.index import IndexLines
from archive.spool import FlushReport, OpenFile, Spool, flush_spool, index_lines, index_warc
from archive.storage import ObjectStore
from archive.warc import HINTS_FIELD, OUTLET_FIELD, BuiltRecord, WarcWriter, build_article, new_record_id, warc_date
from extract.article import Article, WarcRef

__all__ = ["ArchiveSession", "flush_and_index"]

log = logging.getLogger(__name__)

# One serial sequence per process: two sessions opened in the same second by the same
# process must still name their WARC files differently.
_SERIALS = itertools.count(1)
_SERIALS_LOCK = threading.Lock()
_STORE_RETRY_S = 60.0


def _next_serial() -> int:
    with _SERIALS_LOCK:
        return next(_SERIALS)


@dataclass
class _OpenWarc:
    file: OpenFile
    writer: WarcWriter
    key: str
    opened_at: datetime
    index: IndexLines | None  # None: indexed from its bytes when it closes


class ArchiveSession:
    """Writes one run to the archive; thread-safe, so a crawler may call it off its reactor."""

    def __init__(
        self,
        store: ObjectStore,
        *,
        spool_dir: Path,
        run_id: str,
        warcinfo: Mapping[str, str],
        max_warc_bytes: int = 1_000_000_000,
        max_warc_age_s: float = 3600,
        max_warc_articles: int = 250,
        clock: Callable[[], datetime] | None = None,
        record_id_factory: Callable[[], str] | None = None,
    ) -> None:
        self._store = store
        self._spool = Spool(spool_dir)
        self.run_id = run_id
        self._warcinfo = dict(warcinfo)
        self._max_bytes = max_warc_bytes
        self._max_age_s = max_warc_age_s
        self._max_articles = max_warc_articles
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._record_ids = record_id_factory or new_record_id
        self._host = socket.gethostname()
        self._started = self._clock()
        self._lock = threading.RLock()
        self._warc: _OpenWarc | None = None
        self._waiting: list[str] = []  # article JSON keys to upload after the current WARC
        self._unsent: list[str] = []  # keys of earlier passes still spooled, in upload order
        self._warcs: list[str] = []
        self._counts: Counter[str] = Counter()
        self._store_retry_at = 0.0
        self._storage_errors: list[str] = []
        self._uploaded = 0
        # One background uploader: a closed 1 GB WARC goes up while the crawl writes the
        # next one; its single thread keeps uploads in order (WARC before its articles).
        self._uploader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archive-upload")
        self._manifest_lines = 0
        self._full: DiskFull | None = None  # set by the first write the disk refused
        self._summary: dict[str, Any] | None = None
        self._manifest_key = manifest_key(run_id, self._started)
        self._refuse_used_run_id()
        self._manifest = self._spool.open_file(self._manifest_key)

    # -- records -------------------------------------------------------------------------

    def write_exchange(
        self,
        *,
        url: str,
        request: bytes,
        response: bytes,
        remote_ip: str | None,
        fetched_at: datetime,
        hints: Mapping[str, Any] | None = None,
        truncated: str | None = None,
        outlet: str | None = None,
    ) -> WarcRef:
        """Archive one HTTP exchange, bytes as they crossed the wire; returns the response record.

        ``hints`` (what a feed or sitemap said about the URL, as passed to the extractor)
        are kept in the response record's ``Newsarchive-Hints`` field, so re-extraction
        from the WARC alone sees the same evidence. ``truncated`` is the WARC-Truncated
        reason (``length``, ``time``, ``disconnect``) when the download did not complete.
        ``outlet``, the configured outlet the fetch was for, goes in ``Newsarchive-Outlet``.
        """
        annotations: dict[str, str] = {}
        if outlet:
            annotations[OUTLET_FIELD] = outlet
        if hints:
            annotations[HINTS_FIELD] = json.dumps(dict(hints), sort_keys=True, default=list)
        if truncated:
            annotations["WARC-Truncated"] = truncated
        with self._lock, self._writing():
            ref = self._current_warc().writer.exchange(
                url=url, request=request, response=response, remote_ip=remote_ip, date=fetched_at,
                annotations=annotations or None,
            )
            self._counts["exchanges"] += 1
            return ref

    def write_revisit(
        self,
        *,
        url: str,
        request: bytes,
        response_head: bytes,
        fetched_at: datetime,
        refers_to: WarcRef,
        refers_to_url: str,
        refers_to_date: str,
        profile: str = "identical-payload-digest",
        remote_ip: str | None = None,
    ) -> WarcRef:
        """Archive a fetch whose payload is already archived (or a 304) as a ``revisit``."""
        with self._lock, self._writing():
            ref = self._current_warc().writer.revisit(
                url=url,
                request=request,
                response_head=response_head,
                date=fetched_at,
                refers_to=refers_to,
                refers_to_url=refers_to_url,
                refers_to_date=refers_to_date,
                profile=profile,
                remote_ip=remote_ip,
            )
            self._counts["revisits"] += 1
            return ref

    def write_article(self, article: Article, change: str, *, replaces: str | None = None) -> str:
        """Write the article JSON (object and WARC ``metadata`` record); returns its key.

        ``replaces`` is the key of the article's previous JSON: when an update moved it to
        another date folder, the old object is deleted once the new one is in the store
        (by this session's ``close`` or a later flush: the spool keeps a note of it).
        The article's id entry (``ids/…``, naming its key) is spooled once the store has
        the JSON, so no entry ever names a key that is not stored yet.
        """
        return self.append_article(article, self.article_builder()(article), change, replaces=replaces)

    def article_builder(self) -> Callable[[Article], tuple[bytes, BuiltRecord]]:
        """``write_article`` in two steps: this picklable call, given the article,
        serialises it and builds its record (anywhere: a crawl does it in the extraction
        worker), and ``append_article`` writes them."""
        return functools.partial(build_article, record_id=self._record_ids(), date=self._clock())

    def append_article(self, article: Article, built: tuple[bytes, BuiltRecord], change: str, *,
                       replaces: str | None = None) -> str:
        """Write what an ``article_builder`` built for ``article`` (see ``write_article``); returns its key."""
        if change not in ("added", "updated"):
            raise ArchiveError(f"change must be 'added' or 'updated', not {change!r}")
        key = article_key(article)
        replaced = replaces if replaces and replaces != key else None
        data, record = built
        with self._lock, self._writing():
            metadata = self._current_warc().writer.append(record)
            self._spool.unmark_replaced(key)  # an update that moved the article back
            self._spool.write_bytes(key, data)
            self._waiting.append(key)
            if replaced:
                self._spool.mark_replaced(replaced, key)
            self._counts[f"articles_{change}"] += 1
            self._log(
                kind="article",
                change=change,
                key=key,
                **({"replaces": replaced} if replaced else {}),
                id=article.id,
                url=article.url,
                outlet=article.outlet,
                published=article.published,
                warc=asdict(article.warc) if article.warc else None,
                metadata_record=asdict(metadata),
            )
            if len(self._waiting) >= self._max_articles:
                # The articles go up once their WARC has: rotating now uploads them during
                # the crawl, so closing the run never waits on more than this many.
                self._close_warc()
        return key

    def index_article(self, article_id: str, key: str) -> None:
        """(Re)write the id entry of an article already in the store at ``key`` (for
        archives written before the id index, or an entry that was lost); uploaded by ``close``."""
        with self._lock, self._writing():
            self._check_open()
            self._spool.write_bytes(id_key(article_id), id_entry(article_id, key))

    def record_page(self, *, url: str, page_type: str, reasons: Sequence[str], warc: WarcRef | None) -> None:
        """Note a fetched page that did not become an article (counted, never dropped)."""
        page_type = getattr(page_type, "value", page_type)
        with self._lock, self._writing():
            self._check_open()
            self._counts["pages"] += 1
            self._log(kind="page", url=url, page_type=page_type, reasons=list(reasons), warc=asdict(warc) if warc else None)

    def write_run_record(self, record: Mapping[str, Any]) -> str:
        """Store the run's own record (stats, settings) at ``runs/YYYY/MM/DD/<run_id>.json``."""
        key = run_key(self.run_id, self._started)
        data = (json.dumps(dict(record), ensure_ascii=False, sort_keys=True, indent=2, default=str) + "\n").encode("utf-8")
        with self._lock, self._writing():
            self._check_open()
            self._spool.write_bytes(key, data)
            self._log(kind="run", change="added", key=key)
        return key

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> dict[str, Any]:
        """Close the WARC and manifest, upload everything; idempotent. Returns a summary."""
        with self._lock:
            if self._summary is not None:
                return self._summary
            with contextlib.ExitStack() as finally_:  # whatever fails, the uploads end and the manifest closes
                finally_.callback(self._close_manifest)
                finally_.callback(self._uploader.shutdown, wait=True)
                with self._writing(closing=True):
                    self._close_warc()
            try:
                report = flush_and_index(self._store, self._spool.root)
            except OSError as exc:  # recovering a WARC writes its index: the disk may still be full
                if not is_disk_full(exc):
                    raise
                report = FlushReport(pending=self._spool.pending() or [str(self._spool.root)],
                                     error=str(self._note_full(exc)))
            if report.error:
                log.warning("%s", report.error)
                self._storage_errors.append(report.error)
            self._summary = {
                "run_id": self.run_id,
                "warcs": list(self._warcs),
                "manifest": self._manifest_key if self._manifest_lines else None,
                "exchanges": self._counts["exchanges"],
                "revisits": self._counts["revisits"],
                "articles_added": self._counts["articles_added"],
                "articles_updated": self._counts["articles_updated"],
                "pages": self._counts["pages"],
                "uploaded": self._uploaded + len(report.uploaded),
                "recovered": report.recovered,
                "pending": report.pending,
                "storage_errors": list(dict.fromkeys(self._storage_errors)),
                "disk_full": self._full is not None,
                "store": self._store.uri,
            }
            return self._summary

    def _close_manifest(self) -> None:
        try:
            manifest = self._manifest.close()
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            self._note_full(exc)  # left as .open: a flush keeps its whole lines
            return
        if not self._manifest_lines:
            manifest.unlink()  # a run that wrote nothing leaves nothing behind

    def wait_for_uploads(self) -> None:
        """Block until the files of every WARC closed so far have been uploaded (or left spooled)."""
        self._uploader.submit(lambda: None).result()

    def __enter__(self) -> "ArchiveSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------

    def _refuse_used_run_id(self) -> None:
        """An earlier run's manifest and run record would be overwritten, in the store or the spool."""
        try:
            stored = self._store.exists(self._manifest_key)
        except StorageError as exc:  # the run goes on without the store, as it would later on
            log.warning("could not check that run id %s is new: %s", self.run_id, exc)
            stored = False
        if stored or self._spool.path(self._manifest_key).exists():
            where = self._store.uri if stored else f"the spool {self._spool.root}"
            raise ArchiveError(
                f"run id {self.run_id} was used before: {self._manifest_key} is in {where}; "
                "use a distinct run id (add a random suffix)"
            )

    @contextlib.contextmanager
    def _writing(self, *, closing: bool = False) -> Any:
        """Turn the disk's "no space" into one ``DiskFull``, and refuse further records
        once it said so: each would fail the same way, and a caller stops at the first."""
        if self._full is not None and not closing:
            raise self._full
        try:
            yield
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            raise self._note_full(exc) from exc

    def _note_full(self, exc: BaseException) -> DiskFull:
        if self._full is None:
            self._full = DiskFull(
                f"the disk under the spool ({self._spool.root}) is full: {exc}; what was written is kept, "
                "free space, then run `newsarchive flush` and the same command again"
            )
            self._storage_errors.append(str(self._full))
        return self._full

    def _check_open(self) -> None:
        if self._summary is not None:
            raise ArchiveError(f"archive session {self.run_id} is closed; open a new ArchiveSession")

    def _current_warc(self) -> _OpenWarc:
        self._check_open()
        now = self._clock()
        current = self._warc
        if current is not None:
            age = (utc(now) - utc(current.opened_at)).total_seconds()
            if current.writer.broken or current.writer.size >= self._max_bytes or age >= self._max_age_s:
                self._close_warc()
                current = None
        if current is None:
            current = self._open_warc(now)
        return current

    def _open_warc(self, now: datetime) -> _OpenWarc:
        name = warc_name(now, _next_serial(), self._host, os.getpid())
        key = warc_key(name)
        # Unbuffered: a record that fails half-written can then be cut off again.
        file = self._spool.open_file(key, buffered=False)
        index = None
        try:
            with contextlib.suppress(OSError):  # without it, the WARC is indexed from its bytes
                index = index_lines(self._spool, key)
            writer = WarcWriter(file.stream, file=key, record_ids=self._record_ids, index=index)
            writer.warcinfo(filename=name, info=self._warcinfo, date=now)
        except BaseException:
            if index is not None:
                index.discard()
            file.abandon()
            raise
        self._warc = _OpenWarc(file=file, writer=writer, key=key, opened_at=now, index=index)
        return self._warc

    def _close_warc(self) -> None:
        """Hand the current WARC and the articles written meanwhile to the uploader, which
        indexes, closes and uploads them (``_finish_warc``), off the caller's thread."""
        current, self._warc = self._warc, None
        if current is None:
            return
        keys = [current.key, index_key(current.key)]
        waiting, self._waiting = self._waiting, []
        # Handed over first: should the manifest fail to take the lines below, the WARC
        # is still closed and uploaded, not left locked by this live process.
        self._uploader.submit(self._finish_warc, current, keys, waiting).add_done_callback(_log_failure)
        self._warcs.append(current.key)
        for key in keys:
            self._log(kind="warc" if key == current.key else "index", change="added", key=key)

    def _finish_warc(self, current: _OpenWarc, keys: list[str], waiting: list[str]) -> None:
        """Index, close and upload a WARC that no record is written to any more, then its articles.

        A WARC that cannot be closed (a write could not be undone, indexing or the rename
        failed) is left for `newsarchive flush` (the one in ``close`` too) to recover; the
        run goes on, and the articles pointing into it wait in the spool until then.
        """
        try:
            if current.writer.broken:
                raise ArchiveError("a failed write could not be cut off")
            index_warc(self._spool, current.file.path, current.index)
            current.file.close()
            uploads = keys
        except Exception as exc:  # cdxj-indexer's errors are many and undocumented
            if is_disk_full(exc):  # said once, by whoever reports the session's DiskFull
                self._note_full(exc)
            else:
                log.exception("could not close %s; it stays in the spool, for `newsarchive flush` to recover",
                              current.key)
            if current.index is not None:
                current.index.discard()
            with contextlib.suppress(OSError):
                current.file.abandon()
            uploads = []
        try:
            self._upload(uploads + waiting)
        except OSError as exc:  # spooling the id entries of what was uploaded
            if not is_disk_full(exc):
                raise
            self._note_full(exc)

    def _upload(self, keys: list[str]) -> None:
        """Upload ``keys`` after what earlier passes left, unless the store failed recently.

        Earlier keys first: after an outage an article written since may point into a
        WARC that is still spooled.
        """
        self._unsent += keys
        if time.monotonic() < self._store_retry_at:
            return
        result = self._spool.upload_many(self._store, self._unsent)
        entries = _index_uploaded(self._spool, result.uploaded)
        if entries and not result.error:
            indexed = self._spool.upload_many(self._store, entries)
            result.uploaded += indexed.uploaded
            result.pending += indexed.pending
            result.error = indexed.error
        else:
            result.pending += entries
        self._unsent = result.pending
        self._uploaded += len(result.uploaded)
        if result.error:
            log.warning("%s", result.error)
            self._storage_errors.append(result.error)
            self._store_retry_at = time.monotonic() + _STORE_RETRY_S

    def _log(self, **entry: Any) -> None:
        line = {"run_id": self.run_id, "at": warc_date(self._clock()), **entry}
        self._manifest_lines += 1
        self._manifest.stream.write((json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
        self._manifest.stream.flush()


def _index_uploaded(spool: Spool, keys: list[str]) -> list[str]:
    """Spool the id entries of the article JSON objects among ``keys``, which the store now has.

    Written only now, so an id entry never reaches the store before its article (a flush
    holds back an article whose WARC is still spooled, but not other objects). A key
    that an update replaced is about to be deleted: its id entry is the new key's.
    """
    replaced = {old for old, _ in spool.replaced()}
    entries = []
    for key in keys:
        parts = parse_article_key(key)
        if parts is not None and key not in replaced:
            spool.write_bytes(id_key(parts.id), id_entry(parts.id, key))
            entries.append(id_key(parts.id))
    return list(dict.fromkeys(entries))


def flush_and_index(store: ObjectStore, spool_dir: Path) -> FlushReport:
    """``flush_spool``, then the id entries of the articles it uploaded (see ``write_article``)."""
    report = flush_spool(store, spool_dir)
    if _index_uploaded(Spool(spool_dir), report.uploaded) and not report.error:
        indexed = flush_spool(store, spool_dir)
        report.uploaded += indexed.uploaded
        report.pending, report.removed, report.error = indexed.pending, report.removed + indexed.removed, indexed.error
    return report


def _log_failure(upload: Future[None]) -> None:
    if upload.exception() is not None:
        log.error("an upload pass failed; its files stay in the spool", exc_info=upload.exception())
