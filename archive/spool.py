"""The local spool: every object is written here first, then uploaded to the store.

The spool's layout mirrors the object keys. Files still being written carry an ``.open``
suffix and an exclusive ``flock`` held by their writer; a flush skips those, and treats an
``.open`` file nobody holds (its writer died) as crashed: it is cut back to its last
complete record or line and closed. A spool file is deleted only after the store has
verified the upload, so a store that is down costs nothing but a later ``flush``.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import os
import re
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Sequence

from archive.errors import ArchiveError, StorageError
from archive.index import IndexLines, write_cdxj
from archive.layout import WARC_SUFFIX, index_key
from archive.local import process_exists
from archive.storage import ObjectStore
from archive.warc import DamagedMember, iter_members

__all__ = ["FlushReport", "OpenFile", "Spool", "UploadResult", "flush_spool"]

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
_TMP_PREFIX = ".tmp-"
# Not uploaded: notes of objects an update moved, to delete from the store (see mark_replaced).
_REPLACED = ".replaced"
# Longer than any write of a spool file takes, indexing a 1 GB WARC included.
STALE_TMP_S = 3600
# Small objects (article JSON) are latency-bound on S3: upload several at once.
UPLOAD_WORKERS = 8
# Upload order: a WARC before the index and articles that point into it, the manifest
# (which lists everything else) last.
_ORDER = {"warc": 0, "indexes": 1, "articles": 2, "runs": 3, "manifests": 4}


def _rank(key: str) -> int:
    return _ORDER.get(key.split("/", 1)[0], len(_ORDER))


@dataclass
class UploadResult:
    uploaded: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # articles whose WARC another live writer still has open
    error: str | None = None


class OpenFile:
    """A spool file being appended to, locked against flushes until ``close``."""

    def __init__(self, path: Path, stream: BinaryIO) -> None:
        self.path = path
        self.stream = stream

    def close(self) -> Path:
        """Close and drop the ``.open`` suffix; returns the final path (or abandons the file, on failure)."""
        final = self.path.with_name(self.path.name[: -len(OPEN_SUFFIX)])
        try:
            self.stream.flush()
            os.fsync(self.stream.fileno())
            os.replace(self.path, final)
        except BaseException:
            with contextlib.suppress(OSError):  # its buffer cannot be written either
                self.abandon()
            raise
        self.stream.close()  # releases the lock only once the file has its final name
        return final

    def abandon(self) -> None:
        """Close, keeping the ``.open`` name: a flush recovers the file (its whole records or lines)."""
        self.stream.close()


class Spool:
    """A folder whose layout mirrors object keys."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def key(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def write_bytes(self, key: str, data: bytes) -> Path:
        """Write a complete spool file (temporary name, then rename: never seen half-written).

        Not fsynced: a killed process loses nothing (the kernel has the bytes), and a
        per-article fsync cost more than the rest of archiving the page. Like the WARC
        records written since the last rotation, a file may be lost to a power cut.
        """
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    def open_file(self, key: str, *, buffered: bool = True) -> OpenFile:
        """Create ``<key>.open``, locked before it is visible under that name.

        (Created and then locked, a flush could find it unlocked in between, take it for
        a dead writer's empty file and delete it.)
        """
        path = self.path(key + OPEN_SUFFIX)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        stream = os.fdopen(fd, "wb", buffering=-1 if buffered else 0)
        fcntl.flock(fd, fcntl.LOCK_EX)  # a new file: nobody else can hold it
        try:
            self._publish(Path(tmp), path)
        except BaseException:
            stream.close()
            raise
        finally:
            Path(tmp).unlink()
        return OpenFile(path, stream)

    def _publish(self, tmp: Path, path: Path) -> None:
        for _ in range(2):
            try:
                os.link(tmp, path)  # unlike a rename, never replaces another writer's file
                return
            except FileExistsError:
                recover(self, path)  # a dead writer's leftover with this name is closed first
        raise ArchiveError(f"{path} is being written by another live process; use a distinct run id")

    def upload(self, store: ObjectStore, key: str) -> bool:
        """Upload one spool file and delete it; False if another flush got there first.

        A newer version written meanwhile (``write_bytes`` replaces the file) is kept,
        for the next upload.
        """
        path = self.path(key)
        try:
            uploaded = os.stat(path)
        except FileNotFoundError:
            return False
        try:
            store.put_file(key, path)
        except (StorageError, OSError):
            if not path.exists():  # a concurrent flush uploaded and removed it
                return False
            raise
        # Claimed by a rename before it is compared: a writer's replace between a check
        # and an unlink would have its newer file deleted. Emptied folders stay: pruning
        # them would race writers creating files in them.
        # Named for its process and file, so a flush after a kill -9 right here can put it back.
        claim = path.with_name(f"{_TMP_PREFIX}claim-{os.getpid()}-{threading.get_ident()}-{path.name}")
        try:
            os.rename(path, claim)
        except FileNotFoundError:
            return True  # a concurrent flush uploaded and removed it too
        try:
            if not _same_version(os.stat(claim), uploaded):
                with contextlib.suppress(FileExistsError):  # an even newer one is there: this one is stale
                    os.link(claim, path)
        finally:
            claim.unlink(missing_ok=True)
        return True

    def upload_many(self, store: ObjectStore, keys: Sequence[str], *, workers: int = UPLOAD_WORKERS) -> UploadResult:
        """Upload ``keys`` kind by kind in the order given (many small objects in parallel).

        At the first failure the store is taken to be down: nothing further is tried,
        and the failed and untried keys are returned as pending. So is an article whose
        WARC is spooled but not uploaded: it never reaches the store first. An article
        whose WARC is still open belongs to another live writer (two crawls share one
        archive's spool), which uploads it when that WARC closes: it is ``waiting``,
        not pending.
        """
        result = UploadResult()
        down = threading.Event()

        def attempt(key: str) -> tuple[str, str, str | None]:
            held = self._capture_spooled(key)
            if held:
                return key, held, None
            if down.is_set():
                return key, "pending", None
            try:
                return key, "uploaded" if self.upload(store, key) else "gone", None
            except (StorageError, OSError) as exc:
                down.set()
                return key, "pending", str(exc)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spool-upload") as pool:
            for _, group in itertools.groupby(keys, key=_rank):
                for key, state, error in pool.map(attempt, list(group)):
                    if state == "uploaded":
                        result.uploaded.append(key)
                    elif state == "open":
                        result.waiting.append(key)
                    elif self.path(key).exists():  # else a concurrent flush uploaded it
                        result.pending.append(key)
                    result.error = result.error or error
        return result

    def pending(self) -> list[str]:
        """Keys of complete spool files, in upload order."""
        keys = [
            self.key(Path(dirpath) / name)
            for dirpath, _, filenames in os.walk(self.root)
            for name in filenames
            if not name.startswith(_TMP_PREFIX) and not name.endswith(OPEN_SUFFIX)
        ]
        return sorted((key for key in keys if not key.startswith(f"{_REPLACED}/")), key=lambda key: (_rank(key), key))

    def mark_replaced(self, old: str, new: str) -> None:
        """Note that ``old`` is to leave the store once ``new`` is there: flushes act on it.

        A file, so a store that is down at the end of the run does not leave both copies
        for good.
        """
        self.write_bytes(f"{_REPLACED}/{old}", new.encode("utf-8"))

    def unmark_replaced(self, key: str) -> None:
        """``key`` is written again: it must stay."""
        self.path(f"{_REPLACED}/{key}").unlink(missing_ok=True)

    def replaced(self) -> list[tuple[str, str]]:
        """(old, new) of every note, oldest first: A->B is acted on before B->C deletes B."""
        notes = []
        for dirpath, _, filenames in os.walk(self.path(_REPLACED)):
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    if not name.startswith(_TMP_PREFIX):
                        notes.append((path.stat().st_mtime_ns, self.key(path)[len(_REPLACED) + 1 :], path.read_text("utf-8")))
                except FileNotFoundError:
                    pass  # a concurrent flush acted on it
        return [(old, new) for _, old, new in sorted(notes)]

    def _capture_spooled(self, key: str) -> str | None:
        """Why an article must wait for its WARC: "open" (still being written), "pending"
        (closed, not yet uploaded), or None (it is in the store)."""
        if not key.startswith("articles/"):
            return None
        try:
            warc = json.loads(self.path(key).read_bytes()).get("warc") or {}
        except (OSError, ValueError):
            return None  # unreadable here means unreadable anywhere: let the upload report it
        file = warc.get("file")
        if not file:
            return None
        if self.path(file + OPEN_SUFFIX).exists():
            return "open"
        return "pending" if self.path(file).exists() else None

    def open_files(self) -> list[Path]:
        # os.walk, unlike rglob, shrugs off folders that a concurrent flush prunes.
        return sorted(
            Path(dirpath) / name
            for dirpath, _, filenames in os.walk(self.root)
            for name in filenames
            if name.endswith(OPEN_SUFFIX)
        )


def index_lines(spool: Spool, warc_key: str) -> IndexLines:
    """Lines of the index of the WARC at ``warc_key``, collected while it is written (see
    ``index_warc``); under a temporary name, which a flush deletes if the writer dies."""
    path = _lines_path(spool, warc_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    return IndexLines(path, filename=warc_key)


def _lines_path(spool: Spool, warc_key: str) -> Path:
    target = spool.path(index_key(warc_key))
    return target.with_name(f"{_TMP_PREFIX}{target.name}.lines")


def index_warc(spool: Spool, path: Path, lines: IndexLines | None = None) -> list[str]:
    """Write the CDXJ index of the WARC spool file at ``path`` (``.open`` or not): from
    the ``lines`` collected as it was written, else by reading the WARC.

    Called while the WARC still has its ``.open`` name and lock, so no flush can upload
    and delete it mid-indexing; the index appears under its name only when complete.
    Returns the keys of the WARC and its index.
    """
    key = spool.key(path).removesuffix(OPEN_SUFFIX)
    index = index_key(key)
    target = spool.path(index)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(_TMP_PREFIX + target.name)
    try:
        if lines is not None and not lines.broken:
            lines.write_sorted(partial)
        else:
            write_cdxj(path, partial, filename=key)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        if lines is not None:
            lines.discard()
    return [key, index]


def recover(spool: Spool, path: Path) -> str | None:
    """Close an ``.open`` file whose writer died; returns its key, or None if it is still held."""
    try:
        stream = open(path, "r+b")
    except FileNotFoundError:
        return None  # its writer closed it meanwhile
    with stream:
        try:
            fcntl.flock(stream.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        if not _still_named(path, stream):
            return None  # closed (renamed) by its writer between our open and our lock
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        is_warc = final.name.endswith(WARC_SUFFIX)
        if is_warc:  # the dead writer's index lines may lack its last records: index the bytes
            _lines_path(spool, spool.key(final)).unlink(missing_ok=True)
        end = _complete_warc_length(stream) if is_warc else _complete_lines_length(stream)
        stream.truncate(end)
        if end == 0:
            path.unlink()
            return None
        if is_warc:
            index_warc(spool, path)
        os.replace(path, final)
    log.warning("recovered %s from a writer that did not close it (kept %d bytes)", final, end)
    return spool.key(final)


def _same_version(now: os.stat_result, then: os.stat_result) -> bool:
    return (now.st_dev, now.st_ino, now.st_mtime_ns, now.st_size) == (then.st_dev, then.st_ino, then.st_mtime_ns, then.st_size)


def _still_named(path: Path, stream: BinaryIO) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(stream.fileno())
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _complete_warc_length(stream: BinaryIO) -> int:
    stream.seek(0)
    end = 0
    try:
        for offset, length, _ in iter_members(stream):
            end = offset + length
    except DamagedMember:
        pass  # the writer died mid-record: keep what precedes it
    return end


def _complete_lines_length(stream: BinaryIO) -> int:
    stream.seek(0)
    data = stream.read()
    return data.rfind(b"\n") + 1


@dataclass
class FlushReport:
    uploaded: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # another live writer's: it uploads them itself
    removed: list[str] = field(default_factory=list)  # keys an update replaced, deleted from the store
    error: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"uploaded": self.uploaded, "recovered": self.recovered, "pending": self.pending,
                "waiting": self.waiting, "removed": self.removed, "error": self.error}


def flush_spool(store: ObjectStore, spool_dir: Path) -> FlushReport:
    """Upload everything complete in the spool; recover files of dead writers first;
    then delete from the store what updates replaced.

    Stops at the first storage failure (the store is down: further attempts would only
    wait on timeouts) and reports what is still pending.
    """
    spool = Spool(spool_dir)
    report = FlushReport()
    if not spool.root.is_dir():
        return report
    _remove_stale_temporaries(spool)
    for path in spool.open_files():
        key = recover(spool, path)
        if key:
            report.recovered.append(key)
    result = spool.upload_many(store, spool.pending())
    report.uploaded, report.pending, report.waiting, report.error = (
        result.uploaded, result.pending, result.waiting, result.error)
    if not report.error:
        report.error = _delete_replaced(store, spool, report.removed)
    return report


def _remove_stale_temporaries(spool: Spool) -> None:
    """Delete what writers killed mid-write left; a live writer's are minutes old at most.

    An upload's claim left by a process that is gone goes back under its own name unless
    a newer file took that name (it may be a newer version than the one uploaded; if it
    was the uploaded one, it is only uploaded again).
    """
    cutoff = time.time() - STALE_TMP_S
    for dirpath, _, filenames in os.walk(spool.root):
        for name in filenames:
            path = Path(dirpath) / name
            if not name.startswith(_TMP_PREFIX):
                continue
            with contextlib.suppress(FileNotFoundError):
                claim = _CLAIM.match(name, len(_TMP_PREFIX))
                if claim and not process_exists(int(claim.group(1))):
                    with contextlib.suppress(FileExistsError):
                        os.link(path, path.with_name(claim.group(2)))
                    path.unlink()
                elif path.stat().st_mtime < cutoff:
                    path.unlink()


_CLAIM = re.compile(r"claim-(\d+)-\d+-(.+)\Z")



def _delete_replaced(store: ObjectStore, spool: Spool, removed: list[str]) -> str | None:
    """Delete each replaced key from the store once its replacement is there; the error, if any.

    A copy kept twice beats one lost (`newsarchive verify` names a pair left behind).
    """
    for old, new in spool.replaced():
        if spool.path(old).exists():
            continue  # uploaded first, or that stale copy would come back after the delete
        try:
            if store.exists(new):
                store.delete(old)
                removed.append(old)
            elif spool.path(new).exists():
                continue
            else:
                log.warning("%s, which replaces %s, is neither stored nor spooled: %s is kept", new, old, old)
        except StorageError as exc:
            return f"could not remove {old}, replaced by {new}: {exc}"
        spool.unmark_replaced(old)
    return None
