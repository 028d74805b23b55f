"""What a crawl remembers of a URL, and the protocol every state store implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from extract.article import WarcRef

__all__ = ["Capture", "CrawlState"]


@dataclass(frozen=True)
class Capture:
    """The last full capture of a URL (a response record, never a revisit)."""

    url: str
    warc: WarcRef
    fetched_at: str
    etag: str | None = None
    last_modified: str | None = None
    article_id: str | None = None
    article_digest: str | None = None
    article_key: str | None = None  # where its JSON is stored
    processed_digest: str | None = None  # payload digest of the last capture the pipeline finished

    @property
    def processed(self) -> bool:
        """Whether the pipeline finished with this capture's payload."""
        return self.processed_digest is not None and self.processed_digest == self.warc.payload_digest


class CrawlState(Protocol):
    """Captures per URL of one archive. Writes are per URL and idempotent.

    The state also answers which key holds an article id: the pipeline asks it for every
    new article (another URL of the same story may hold the id), so it must be a local or
    in-memory lookup, never a read of the archive."""

    def empty(self) -> bool: ...

    def last_capture(self, url: str) -> Capture | None: ...

    def record_capture(self, capture: Capture) -> None: ...

    def record_article(self, url: str, article_id: str, article_digest: str, article_key: str) -> None: ...

    def key_of(self, article_id: str) -> str | None:
        """Where the JSON of ``article_id`` is stored, whichever URL recorded it last."""
        ...

    def mark_processed(self, url: str, payload_digest: str) -> None: ...

    def close(self) -> None: ...


