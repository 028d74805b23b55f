"""Crawl state: what was captured before, so a re-crawl fetches and archives only change.

State belongs to an archive: it is kept per archive (a SQLite file in
``NEWSARCHIVE_HOME/state/<archive id>.sqlite``, or keys under the archive's namespace in
Redis for many workers), and a store that is new or empty is rebuilt from the archive's
own manifests and WARCs (``crawler.state.rebuild``), so a fresh machine pointed at an
existing archive crawls incrementally. A revisit therefore only ever refers to a record
in the same archive.

A capture counts as done only once the pipeline has finished with it (``mark_processed``),
so a crawl killed between download and extraction, or an extraction that failed, leaves
the page to be read again by the next crawl rather than skipped as unchanged.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from archive import ObjectStore, StorageError
from archive.local import archive_id
from crawler.state.base import Capture, CrawlState
from crawler.state.sqlite import SQLiteCrawlState

__all__ = ["Capture", "CrawlState", "SQLiteCrawlState", "open_state", "state_path"]

log = logging.getLogger(__name__)


def state_path(home: Path, store: ObjectStore) -> Path:
    """The SQLite state file of ``store`` on this machine."""
    return home / "state" / f"{archive_id(store)}.sqlite"


def open_state(
    store: ObjectStore,
    *,
    home: Path,
    redis_url: str | None = None,
    rebuild: bool = True,
    progress: Callable[[int], None] | None = None,
) -> CrawlState:
    """The crawl state of ``store``: in Redis when ``redis_url`` is given, else local SQLite.

    An empty state is rebuilt from the archive first (unless ``rebuild`` is false), so
    that the crawl that follows is incremental.
    """
    state: CrawlState
    if redis_url:
        from crawler.state.redis import RedisCrawlState

        state = RedisCrawlState.from_url(redis_url, archive=archive_id(store))
    else:
        state = SQLiteCrawlState(state_path(home, store))
    if rebuild and state.empty():
        from crawler.state.rebuild import rebuild_state

        try:
            count = rebuild_state(state, store, progress=progress)
        except StorageError as exc:
            # An outage at the start is not the crawl's end: it spools, as it would later
            # on. Without the archive's captures it fetches and extracts everything anew.
            log.warning("could not read the crawl state back from %s (%s); pages are fetched in full", store.uri, exc)
            return state
        except BaseException:
            state.close()
            raise
        if count:
            log.info("crawl state rebuilt from %s: %d captures", store.uri, count)
        mark_built = getattr(state, "mark_built", None)
        if mark_built is not None:
            mark_built()
    return state
