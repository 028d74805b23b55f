"""What a record's CDXJ index line says, decided when the record is built.

A record's line is known before anyone knows where the record will land: ``describe``
gives everything but the WARC's name, offset and length, so it can run wherever the
record is built (a worker process) and ``archive.index.IndexLines`` finishes the line
once the record is written. The lines are those cdxj-indexer writes for the same records.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from warcio.timeutils import iso_date_to_timestamp

__all__ = ["IndexEntry", "describe", "url_key"]

# What cdxj-indexer indexes by default, and how it cuts a Content-Type to its mime.
_INDEXED = ("response", "revisit", "resource", "metadata")
_MIME_END = re.compile(r"[;\s]")


@dataclass(frozen=True)
class IndexEntry:
    """A CDXJ line but for where its record is: ``key`` is ``SURT timestamp``."""

    key: str
    fields: dict[str, str]

    def line(self, *, filename: str, offset: int, length: int) -> str:
        fields = {**self.fields, "length": str(length), "offset": str(offset), "filename": filename}
        return f"{self.key} {json.dumps(fields)}\n"


def describe(record: Any) -> IndexEntry | None:
    """The index entry of a record as warcio built it; None for what cdxj-indexer skips."""
    headers = record.rec_headers
    kind = record.rec_type
    content_type = headers.get_header("Content-Type")
    if kind not in _INDEXED or (kind in ("resource", "metadata") and content_type == "application/warc-fields"):
        return None
    http = record.http_headers
    fields: dict[str, str] = {}
    url = headers.get_header("WARC-Target-URI")
    if url is not None:
        # As warcio reads it back: <bracketed> unwrapped, spaces (invalid) escaped.
        if url.startswith("<") and url.endswith(">"):
            url = url[1:-1]
        url = fields["url"] = url.replace(" ", "%20")
    if kind == "revisit":
        mime = "warc/revisit"
    else:
        mime = http.get_header("Content-Type") if kind == "response" and http else content_type
        if mime:
            mime = _MIME_END.split(mime, 1)[0].strip()
    if mime is not None:
        fields["mime"] = mime
    if kind in ("response", "revisit") and http:
        fields["status"] = http.get_statuscode()
    # warcio's builder gives every record but a 304's revisit a payload digest; like
    # cdxj-indexer, a line without one has none.
    digest = headers.get_header("WARC-Payload-Digest")
    if digest:
        fields["digest"] = digest
    return IndexEntry(f"{url_key(url or '')} {iso_date_to_timestamp(headers.get_header('WARC-Date'))}", fields)


_surt: Callable[[str], str] | None = None


def url_key(url: str) -> str:
    """The canonical (SURT) key cdxj-indexer writes (``CDXJIndexer.get_url_key``)."""
    global _surt
    if _surt is None:
        from surt import surt  # imported on first use: it loads tldextract (about a second)

        _surt = surt
    try:
        return _surt(url)
    except Exception:  # as cdxj-indexer: an unparseable URL is its own key
        return url
