"""The archive's domain exceptions.

``StorageError`` is raised by the object stores (local folder, S3) when an object cannot
be written or read; ``ArchiveError`` by the WARC writer, spool, reader and verifier when
the archive's contents are not what they should be. Messages say what to do next.
"""

from __future__ import annotations

__all__ = ["ArchiveError", "NotFoundError", "StorageError"]


class StorageError(Exception):
    """An object store could not be reached, or refused a read or write."""


class NotFoundError(StorageError):
    """The object (or article) asked for is not in the store."""


class ArchiveError(Exception):
    """The archive's data is malformed, inconsistent or cannot be written."""
