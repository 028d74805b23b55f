"""Rebuild an archive's crawl state from the archive itself.

A fresh machine (or a new Redis) pointed at an existing archive starts with empty state;
without this its first crawl would fetch every article unconditionally and re-extract
it. The manifests say which capture each URL's article or page came from; the head of
that response record gives the fetch date and the HTTP validators (ETag,
Last-Modified), and the article JSON gives the digest change detection compares.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from archive import ArchiveError, ArchiveReader, NotFoundError, ObjectStore, StorageError
from archive.prefetch import ordered_map
from archive.warc import read_heads
from crawler.digests import article_digest
from crawler.state.base import Capture, CrawlState
from extract.article import Article, WarcRef

__all__ = ["rebuild_state"]

log = logging.getLogger(__name__)

# WARC and HTTP heads of a news page fit in this; the rest of the record is not read.
_HEAD_BYTES = 16 * 1024


def rebuild_state(state: CrawlState, store: ObjectStore, *, progress: Callable[[int], None] | None = None) -> int:
    """Fill ``state`` from ``store``'s manifests; returns how many URLs it now knows."""
    captures: dict[str, dict[str, Any]] = {}  # url -> newest manifest line with a capture
    articles: dict[str, dict[str, Any]] = {}  # url -> newest article line
    for entry in ArchiveReader(store).manifest_entries():
        url, warc = entry.get("url"), entry.get("warc")
        if not url or not warc:
            continue
        if entry.get("kind") == "article":
            articles[url] = captures[url] = entry
        elif entry.get("kind") == "page" and entry.get("page_type") != "error":
            captures[url] = entry
    count = 0
    for url, capture, article in ordered_map(lambda url: _read(store, url, captures[url], articles.get(url)), captures):
        if capture is None:
            continue
        state.record_capture(capture)
        if article is not None:
            state.record_article(url, article.id, article_digest(article), articles[url]["key"])
        if article is not None or url not in articles:
            # An article whose JSON is gone is left unprocessed: the next crawl extracts it again.
            state.mark_processed(url, capture.warc.payload_digest)
        count += 1
        if progress is not None:
            progress(count)
    return count


def _read(
    store: ObjectStore, url: str, entry: dict[str, Any], article_entry: dict[str, Any] | None
) -> tuple[str, Capture | None, Article | None]:
    try:
        ref = WarcRef(**entry["warc"])
        warc, http = read_heads(store.read_range(ref.file, ref.offset, min(ref.length, _HEAD_BYTES)))
        if http is None or not http.get_statuscode().startswith("200"):
            return url, None, None
        fetched = datetime.fromisoformat(warc.get_header("WARC-Date").replace("Z", "+00:00"))
        capture = Capture(
            url=url, warc=ref, fetched_at=fetched.isoformat(),
            etag=http.get_header("ETag"), last_modified=http.get_header("Last-Modified"),
        )
    except (NotFoundError, ArchiveError, StorageError, KeyError, TypeError, ValueError) as exc:
        # One unreadable capture costs one unconditional fetch next time, not the rebuild.
        log.warning("crawl state: %s left out of the rebuild: %s", url, exc)
        return url, None, None
    if article_entry is None:
        return url, capture, None
    try:
        with store.open(article_entry["key"]) as stream:
            return url, capture, Article.from_json(stream.read())
    except (NotFoundError, ArchiveError, StorageError, ValueError, KeyError, TypeError) as exc:
        log.warning("crawl state: the article of %s is not readable (%s); it will be extracted again", url, exc)
        return url, capture, None
