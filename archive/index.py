"""CDXJ indexes of closed WARC files, written by cdxj-indexer (what pywb reads)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_cdxj"]


def write_cdxj(warc_path: Path, out_path: Path, *, filename: str) -> None:
    """Index the WARC at ``warc_path`` into ``out_path`` (sorted CDXJ).

    ``filename`` is what the index lines name as the WARC: its object key, so a replay
    tool given the archive root as its archive path finds the file.
    """
    # Imported here: cdxj-indexer loads pyamf and pkg_resources (a quarter second) and
    # only the writer of a closed WARC needs it.
    from cdxj_indexer.main import CDXJIndexer

    CDXJIndexer(output=str(out_path), inputs=[str(warc_path)], sort=True, filename=filename).process_all()
