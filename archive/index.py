"""CDXJ indexes of closed WARC files, written by cdxj-indexer (what pywb reads), and read back.

Article JSON metadata records are indexed under ``urn:article:<page URL>`` (their
``WARC-Target-URI``). WARCs written before that convention named them by the page's own
URL, where replay served the JSON in place of the page; their index lines are rewritten
to the ``urn:`` key (``rekey_article_lines``), leaving the WARC bytes as they are.

A WARC being written is indexed as it grows (``IndexLines``): each record's line is known
when the record is written, so closing a WARC sorts its lines instead of reading the
whole file back through cdxj-indexer (seconds per GB). cdxj-indexer still indexes WARCs
recovered from a spool and older ones.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, TextIO


from archive.cdxj import IndexEntry, url_key
from archive.errors import ArchiveError
from archive.warc import article_record_uri, parse_member, read_member

if TYPE_CHECKING:
    from archive.storage import ObjectStore

__all__ = ["IndexLine", "IndexLines", "is_legacy_article_line", "parse_cdxj_line", "reindex_article_records", "rekey_article_lines",
           "write_cdxj"]


def write_cdxj(warc_path: Path, out_path: Path, *, filename: str) -> None:
    """Index the WARC at ``warc_path`` into ``out_path`` (sorted CDXJ).

    ``filename`` is what the index lines name as the WARC: its object key, so a replay
    tool given the archive root as its archive path finds the file.
    """
    # Imported here: cdxj-indexer loads pyamf and pkg_resources (a quarter second) and
    # only the writer of a closed WARC needs it.
    from cdxj_indexer.main import CDXJIndexer

    CDXJIndexer(output=str(out_path), inputs=[str(warc_path)], sort=True, filename=filename).process_all()
    text = out_path.read_text(encoding="utf-8")
    if any(is_legacy_article_line(line) for line in text.splitlines()):
        # A WARC of an older version (recovered from a spool): key its article records right.
        with open(warc_path, "rb") as warc:
            lines, _ = rekey_article_lines(text.splitlines(keepends=True), lambda line: _is_metadata(warc, line))
        partial = out_path.with_name(out_path.name + ".rekeyed")
        partial.write_text("".join(lines), encoding="utf-8")
        os.replace(partial, out_path)


class IndexLines:
    """The CDXJ lines of a WARC being written, appended to ``path`` as each record is.

    ``add`` takes a record's ``archive.cdxj.IndexEntry`` with where it was written;
    ``write_sorted`` turns the lines into the WARC's index. The lines are those
    cdxj-indexer writes for the same records (a test compares them). If appending ever
    fails, the index is ``broken`` and the WARC must be indexed from its bytes (``write_cdxj``).
    """

    def __init__(self, path: Path, *, filename: str) -> None:
        self.path = path
        self._filename = filename
        self._out: TextIO | None = open(path, "w", encoding="utf-8")
        self.broken = False

    def add(self, entry: IndexEntry | None, offset: int, length: int) -> None:
        if self.broken or self._out is None or entry is None:
            return
        try:
            self._out.write(entry.line(filename=self._filename, offset=offset, length=length))
        except OSError:
            self.broken = True

    def write_sorted(self, out_path: Path) -> None:
        """Write the sorted index to ``out_path`` (as cdxj-indexer's ``sort=True`` does)."""
        if self.broken:
            raise ArchiveError(f"the index lines of {self._filename} are incomplete; index the WARC itself")
        self.close()
        with open(self.path, encoding="utf-8") as lines:
            ordered = sorted(lines)
        with open(out_path, "w", encoding="utf-8") as out:
            out.writelines(ordered)

    def close(self) -> None:
        if self._out is not None:
            out, self._out = self._out, None
            try:
                out.close()
            except OSError:
                self.broken = True

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def _is_metadata(warc, line: "IndexLine") -> bool:
    warc.seek(line.offset)
    headers, _ = parse_member(read_member(warc.read(line.length)))
    return headers.get_header("WARC-Type") == "metadata"


@dataclass(frozen=True)
class IndexLine:
    """One CDXJ line: which record of which WARC holds a capture of ``url``."""

    timestamp: str  # 14 digits, UTC
    url: str
    mime: str
    status: str | None  # None for records without an HTTP status (metadata)
    filename: str  # the WARC's key
    offset: int
    length: int


def parse_cdxj_line(line: str) -> IndexLine:
    """Parse ``SURT timestamp {json}``; ``ValueError`` if the line is not one."""
    try:
        _, timestamp, block = line.split(" ", 2)
        entry = json.loads(block)
        return IndexLine(
            timestamp=timestamp,
            url=str(entry["url"]),
            mime=str(entry.get("mime") or ""),
            status=str(entry["status"]) if entry.get("status") is not None else None,
            filename=str(entry["filename"]),
            offset=int(entry["offset"]),
            length=int(entry["length"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a CDXJ line: {exc}") from exc


def is_legacy_article_line(line: str) -> bool:
    """Whether a CDXJ line may index an article JSON record under its page's URL (the old
    convention): JSON, no HTTP status, not a ``urn:``. Confirm the record type before rekeying."""
    try:
        parsed = parse_cdxj_line(line)
    except ValueError:
        return False
    return parsed.status is None and parsed.mime == "application/json" and not parsed.url.startswith("urn:")


def rekey_article_lines(lines: Iterable[str], is_metadata: Callable[[IndexLine], bool]) -> tuple[list[str], int]:
    """``lines`` (one CDXJ index) with old-style article records keyed ``urn:article:<url>``,
    sorted again; and how many were rekeyed. ``is_metadata`` confirms a candidate line
    addresses a ``metadata`` record (reads its WARC header)."""
    out, changed = [], 0
    for line in lines:
        if is_legacy_article_line(line) and is_metadata(parse_cdxj_line(line)):
            _, timestamp, block = line.split(" ", 2)
            entry = json.loads(block)
            entry["url"] = article_record_uri(entry["url"])
            line = f"{url_key(entry['url'])} {timestamp} {json.dumps(entry)}\n"
            changed += 1
        out.append(line if line.endswith("\n") else line + "\n")
    return (sorted(out) if changed else out), changed


def reindex_article_records(store: "ObjectStore", *, dry_run: bool = False) -> dict[str, int]:
    """Rewrite, in ``store``, every CDXJ index that keys article JSON records under their
    page's URL (WARCs written before the ``urn:article:`` convention), so replay serves the
    page again. WARC files are not touched. Returns ``{"indexes", "rewritten", "records"}``.
    """
    counts = {"indexes": 0, "rewritten": 0, "records": 0}
    for key in [key for key in store.list("indexes/") if key.endswith(".cdxj")]:
        counts["indexes"] += 1
        with store.open(key) as stream:
            lines = stream.read().decode("utf-8").splitlines(keepends=True)
        if not any(is_legacy_article_line(line) for line in lines):
            continue

        def is_metadata(line: IndexLine) -> bool:
            headers, _ = parse_member(read_member(store.read_range(line.filename, line.offset, line.length)))
            return headers.get_header("WARC-Type") == "metadata"

        rekeyed, changed = rekey_article_lines(lines, is_metadata)
        if changed:
            counts["rewritten"] += 1
            counts["records"] += changed
            if not dry_run:
                store.put_bytes(key, "".join(rekeyed).encode("utf-8"))
    return counts
