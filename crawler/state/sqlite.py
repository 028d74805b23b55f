"""``CrawlState`` in one SQLite file per archive, on the machine that crawls."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

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


class SQLiteCrawlState:
    """``CrawlState`` in one SQLite file (WAL, so a reader never blocks the crawl)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: durable across a killed process (what we guard against), without an
        # fsync per page; a power cut may lose the last captures, which are refetched.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._add_columns("article_key", "processed_digest")
        self._lock = threading.Lock()

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
        with self._lock:
            # The article fields are kept: the pipeline compares the next extraction with
            # them. processed_digest is kept too; it no longer matches the new payload.
            self._db.execute(
                'INSERT INTO captures (url, warc_file, record_id, "offset", length, payload_digest,'
                " fetched_at, etag, last_modified, article_id, article_digest, article_key, processed_digest)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                " (SELECT article_id FROM captures WHERE url = ?),"
                " (SELECT article_digest FROM captures WHERE url = ?),"
                " (SELECT article_key FROM captures WHERE url = ?),"
                " (SELECT processed_digest FROM captures WHERE url = ?))"
                " ON CONFLICT(url) DO UPDATE SET warc_file=excluded.warc_file,"
                ' record_id=excluded.record_id, "offset"=excluded."offset", length=excluded.length,'
                " payload_digest=excluded.payload_digest, fetched_at=excluded.fetched_at,"
                " etag=excluded.etag, last_modified=excluded.last_modified",
                (
                    capture.url, ref.file, ref.record_id, ref.offset, ref.length,
                    ref.payload_digest, capture.fetched_at, capture.etag, capture.last_modified,
                    capture.url, capture.url, capture.url, capture.url,
                ),
            )

    def record_article(self, url: str, article_id: str, article_digest: str, article_key: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE captures SET article_id = ?, article_digest = ?, article_key = ? WHERE url = ?",
                (article_id, article_digest, article_key, url),
            )

    def mark_processed(self, url: str, payload_digest: str) -> None:
        with self._lock:
            self._db.execute("UPDATE captures SET processed_digest = ? WHERE url = ?", (payload_digest, url))

    def close(self) -> None:
        with self._lock:
            self._db.close()
