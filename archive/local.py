"""Where one machine keeps what belongs to an archive: its spool and its crawl state.

``NEWSARCHIVE_HOME`` (default ``./.newsarchive``) holds one spool folder per archive
and, for crawls, one state file per archive; both are named by ``archive_id``, so a
second archive never sees the first one's data or captures.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from archive.storage import LocalStore, ObjectStore

__all__ = ["archive_id", "archive_location", "home_dir", "process_exists", "spool_dir", "spooled_elsewhere"]


def home_dir(setting: str | os.PathLike[str] = "") -> Path:
    """Local state folder: the setting, else $NEWSARCHIVE_HOME, else ./.newsarchive."""
    return Path(setting or os.environ.get("NEWSARCHIVE_HOME") or ".newsarchive")


def archive_location(store: ObjectStore) -> str:
    """The archive's location as a stable string: an absolute folder, or the s3:// URI."""
    return str(store.root.resolve()) if isinstance(store, LocalStore) else store.uri


def archive_id(store: ObjectStore) -> str:
    """A short stable name for the archive, used to key local and shared state by it."""
    return hashlib.sha256(archive_location(store).encode("utf-8")).hexdigest()[:16]


def spool_dir(home: Path, store: ObjectStore) -> Path:
    """The spool of one archive: what waits in it is uploaded to that archive and no other.

    Named by ``archive_id``, with ``<name>.uri`` beside it saying which archive that is.
    """
    label = home / "spool" / f"{archive_id(store)}.uri"
    if not label.exists():
        label.parent.mkdir(parents=True, exist_ok=True)
        label.write_text(archive_location(store) + "\n", encoding="utf-8")
    return label.with_suffix("")


def spooled_elsewhere(home: Path, store: ObjectStore) -> list[str]:
    """Archives other than ``store`` whose spools still hold data."""
    mine = spool_dir(home, store)
    return sorted(
        label.read_text(encoding="utf-8").strip()
        for label in (home / "spool").glob("*.uri")
        if label.with_suffix("") != mine and any(p.is_file() for p in label.with_suffix("").rglob("*"))
    )


def process_exists(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (what a spool or run log row of this
    machine names); another user's process counts."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
