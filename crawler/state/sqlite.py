"""``CrawlState`` in one SQLite file per archive, on the machine that crawls."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from archive.errors import DiskFull
from crawler.state.base import Capture
from extract.article import WarcRef

__all__ = ["SQLiteCrawlState"]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    url TEXT PRIMARY KEY,
    warc_file TEXT NOT NULL,
    record_id TEXT NOT NULL,
    "offset" INTEGER NOT NULL,
    length INTEGER NOT NULL,
    payload_digest TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    article_id TEXT,
    article_digest TEXT,
    article_key TEXT,
    processed_digest TEXT
)
"""


_BY_ARTICLE = "CREATE INDEX IF NOT EXISTS captures_by_article ON captures (article_id)"


# Writes are committed in batches: one transaction per this many writes or seconds,
# whichever comes first (and at close), not one per statement. A killed crawl loses at
# most that much of its state; those pages are fetched again in full, as after a power cut.
BATCH_WRITES = 500
BATCH_SECONDS = 1.0


class SQLiteCrawlState:
    """``CrawlState`` in one SQLite file (WAL, so a reader never blocks the crawl).

    Reads see this process's uncommitted writes (one connection); other processes see
    them once their batch is committed (``BATCH_WRITES``, ``BATCH_SECONDS``, ``close``).
    """

    def __init__(self, path: Path, *, batch_writes: int = BATCH_WRITES, batch_seconds: float = BATCH_SECONDS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._full: DiskFull | None = None  # the disk refused a write: every later one fails too
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: durable across a killed process (what we guard against), without an
        # fsync per page; a power cut may lose the last captures, which are refetched.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._add_columns("article_key", "processed_digest")
        self._db.execute(_BY_ARTICLE)
        self._lock = threading.Lock()
        self._batch_writes = batch_writes
        self._batch_seconds = batch_seconds
        self._pending = 0  # writes in the open transaction
        self._opened = 0.0  # when it began (monotonic)
        # Commits a batch that no further write comes to end: an open transaction holds
        # the file's write lock, which another crawl of the archive may be waiting for.
        self._timer: threading.Timer | None = None
        self._closed = False

    def _add_columns(self, *names: str) -> None:
        """Upgrade a state file written before these columns existed."""
        for name in names:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(captures)")}
            if name in columns:
                continue
            try:
                self._db.execute(f"ALTER TABLE captures ADD COLUMN {name} TEXT")
            except sqlite3.OperationalError:
                # Another crawl starting at the same moment added it first.
                if name not in {row[1] for row in self._db.execute("PRAGMA table_info(captures)")}:
                    raise

    def empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM captures LIMIT 1").fetchone() is None

    def last_capture(self, url: str) -> Capture | None:
        with self._lock:
            row = self._db.execute(
                'SELECT url, warc_file, record_id, "offset", length, payload_digest, fetched_at,'
                " etag, last_modified, article_id, article_digest, article_key, processed_digest"
                " FROM captures WHERE url = ?",
                (url,),
            ).fetchone()
        if row is None:
            return None
        return Capture(
            url=row[0],
            warc=WarcRef(file=row[1], record_id=row[2], offset=row[3], length=row[4], payload_digest=row[5]),
            fetched_at=row[6],
            etag=row[7],
            last_modified=row[8],
            article_id=row[9],
            article_digest=row[10],
            article_key=row[11],
            processed_digest=row[12],
        )

    def record_capture(self, capture: Capture) -> None:
        ref = capture.warc
        # The article fields are kept (the update sets only the capture's): the pipeline
        # compares the next extraction with them. processed_digest is kept too; it no
        # longer matches the new payload.
        self._write(
            'INSERT INTO captures (url, warc_file, record_id, "offset", length, payload_digest,'
            " fetched_at, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET warc_file=excluded.warc_file,"
            ' record_id=excluded.record_id, "offset"=excluded."offset", length=excluded.length,'
            " payload_digest=excluded.payload_digest, fetched_at=excluded.fetched_at,"
            " etag=excluded.etag, last_modified=excluded.last_modified",
            (capture.url, ref.file, ref.record_id, ref.offset, ref.length, ref.payload_digest,
             capture.fetched_at, capture.etag, capture.last_modified),
        )

    def record_article(self, url: str, article_id: str, article_digest: str, article_key: str) -> None:
        self._write(
            "UPDATE captures SET article_id = ?, article_digest = ?, article_key = ? WHERE url = ?",
            (article_id, article_digest, article_key, url),
        )
        # Other URLs of the same story point at the one JSON the id has, wherever it moved.
        self._write(
            "UPDATE captures SET article_key = ? WHERE article_id = ? AND url != ? AND article_key != ?",
            (article_key, article_id, url, article_key),
        )

    def key_of(self, article_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT article_key FROM captures WHERE article_id = ? AND article_key IS NOT NULL LIMIT 1",
                (article_id,),
            ).fetchone()
        return row[0] if row else None

    def mark_processed(self, url: str, payload_digest: str) -> None:
        self._write("UPDATE captures SET processed_digest = ? WHERE url = ?", (payload_digest, url))

    def _write(self, sql: str, values: tuple) -> None:
        with self._lock, self._disk():
            if not self._pending:
                self._db.execute("BEGIN")
                self._opened = time.monotonic()
                self._timer = threading.Timer(self._batch_seconds, self._flush_in_background)
                self._timer.daemon = True
                self._timer.start()
            self._db.execute(sql, values)
            self._pending += 1
            if self._pending >= self._batch_writes or time.monotonic() - self._opened >= self._batch_seconds:
                self._commit()

    def _commit(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending:
            self._pending = 0
            self._db.execute("COMMIT")

    @contextlib.contextmanager
    def _disk(self):  # type: ignore[no-untyped-def]
        """A full disk becomes one ``DiskFull``; the batch it was in is rolled back (those
        pages are fetched again in full next time, as after a kill)."""
        if self._full is not None:
            raise self._full
        try:
            yield
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_FULL:
                raise
            self._pending = 0
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._full = DiskFull(f"the disk under the crawl state ({self._path}) is full: {exc}")
            raise self._full from exc

    def flush(self) -> None:
        """Commit the writes made so far (for other readers of the file)."""
        with self._lock:
            if not self._closed:
                with self._disk():
                    self._commit()

    def _flush_in_background(self) -> None:
        # The crawl hears of a full disk from its own next write (this one is the timer's).
        with contextlib.suppress(DiskFull):
            self.flush()

    def close(self) -> None:
        with self._lock:
            try:
                if self._full is None:
                    with self._disk():
                        self._commit()
            finally:
                self._db.close()
                self._closed = True
