"""CDXJ indexes of closed WARC files, written by cdxj-indexer (what pywb reads), and read back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["IndexLine", "parse_cdxj_line", "write_cdxj"]


def write_cdxj(warc_path: Path, out_path: Path, *, filename: str) -> None:
    """Index the WARC at ``warc_path`` into ``out_path`` (sorted CDXJ).

    ``filename`` is what the index lines name as the WARC: its object key, so a replay
    tool given the archive root as its archive path finds the file.
    """
    # Imported here: cdxj-indexer loads pyamf and pkg_resources (a quarter second) and
    # only the writer of a closed WARC needs it.
    from cdxj_indexer.main import CDXJIndexer

    CDXJIndexer(output=str(out_path), inputs=[str(warc_path)], sort=True, filename=filename).process_all()


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
