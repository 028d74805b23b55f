"""The archive's domain exceptions.

``StorageError`` is raised by the object stores (local folder, S3) when an object cannot
be written or read; ``ArchiveError`` by the WARC writer, spool, reader and verifier when
the archive's contents are not what they should be. Messages say what to do next.
"""

from __future__ import annotations

import errno

__all__ = ["ArchiveError", "DiskFull", "NotFoundError", "StorageError", "is_disk_full"]


class StorageError(Exception):
    """An object store could not be reached, or refused a read or write."""


class NotFoundError(StorageError):
    """The object (or article) asked for is not in the store."""


class ArchiveError(Exception):
    """The archive's data is malformed, inconsistent or cannot be written."""


class DiskFull(ArchiveError):
    """The local disk (spool, crawl state) has no room left: nothing more can be written
    until there is; what was written stays, and ``newsarchive flush`` completes it."""


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` is a write refused for want of space (ENOSPC, or a quota)."""
    return isinstance(exc, DiskFull) or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    )
