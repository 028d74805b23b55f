"""The archive: WARC + article JSON in a local folder or an S3 bucket.

Imports only ``extract.article`` from the rest of newsarchive. See docs/archive.md for the
bucket layout consumers read.
"""

from archive.errors import ArchiveError, DiskFull, NotFoundError, StorageError
from archive.reader import ArchiveReader
from archive.session import ArchiveSession
from archive.spool import FlushReport, flush_spool
from archive.storage import LocalStore, ObjectStore, S3Store, store_from_uri

__all__ = [
    "ArchiveError",
    "ArchiveReader",
    "ArchiveSession",
    "DiskFull",
    "FlushReport",
    "LocalStore",
    "NotFoundError",
    "ObjectStore",
    "S3Store",
    "StorageError",
    "flush_spool",
    "store_from_uri",
]
