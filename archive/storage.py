"""Object stores: a local folder or an S3 bucket behind one small protocol.

Keys are ``/``-separated paths relative to the store's root (the folder, or the bucket
prefix), so both backends hold the same layout. Writes are whole or nothing: the local
store writes a temporary file and renames it; S3 publishes an object only when its
(possibly multipart) upload completes, and the server checks the CRC32 boto3 sends.
"""

from __future__ import annotations

import base64
import errno
import logging
import os
import secrets
import shutil
import socket
import tempfile
import zlib
from pathlib import Path
from typing import IO, Callable, Iterator, Protocol, TypeVar, runtime_checkable

from archive.errors import NotFoundError, StorageError

__all__ = ["LocalStore", "ObjectStore", "S3Store", "preflight", "store_from_uri"]

log = logging.getLogger(__name__)

_TMP_PREFIX = ".tmp-"
# What os.link says where a file system cannot give a file a second name.
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}
_T = TypeVar("_T")


@runtime_checkable
class ObjectStore(Protocol):
    """Where the archive's objects live. Every method raises ``StorageError`` on failure."""

    uri: str

    def put_file(self, key: str, path: Path) -> None:
        """Store the file at ``key``; returns only once the stored object is whole and verified."""

    def put_bytes(self, key: str, data: bytes) -> None:
        """Store ``data`` at ``key``, whole or not at all."""

    def open(self, key: str) -> IO[bytes]:
        """A binary stream of the object (``NotFoundError`` if absent)."""

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """``length`` bytes of the object starting at ``offset``."""

    def exists(self, key: str) -> bool:
        """Whether ``key`` holds an object."""

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix``, streamed in key order."""

    def delete(self, key: str) -> None:
        """Remove the object at ``key`` (no error if it is already gone)."""


class LocalStore:
    """A folder on the local file system (the default archive, ``./archive``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.uri = str(self.root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not key or any(part in ("", ".", "..") for part in parts):
            raise StorageError(f"invalid object key {key!r}: use a relative path like 'articles/x.json'")
        return self.root.joinpath(*parts)

    def _link_atomically(self, key: str, path: Path) -> Path | None:
        """Give the file at ``path`` the name ``key`` as well, durably; None where the
        file system cannot (another device, no hard links): then it must be copied."""
        target = self._path(key)
        tmp = target.parent / f"{_TMP_PREFIX}{secrets.token_hex(8)}"
        try:
            _make_folders(target.parent)
            try:
                os.link(path, tmp)
            except OSError as exc:
                if exc.errno in _NO_LINK:
                    return None
                raise
            try:
                # The spool does not sync what it writes; the store promises the bytes
                # survive a power cut once this returns.
                fd = os.open(tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.replace(tmp, target)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            _fsync_folder(target.parent)
        except OSError as exc:
            raise StorageError(f"could not write {target}: {exc}; check the folder's permissions and free space") from exc
        return target

    def _write_atomically(self, key: str, write: Callable[[IO[bytes]], None]) -> Path:
        target = self._path(key)
        try:
            _make_folders(target.parent)
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=target.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    write(out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            # The spool deletes its copy as soon as this returns: the new name, not only
            # the bytes, must survive a power cut.
            _fsync_folder(target.parent)
        except OSError as exc:
            raise StorageError(f"could not write {target}: {exc}; check the folder's permissions and free space") from exc
        return target

    def put_file(self, key: str, path: Path) -> None:
        def copy(out: IO[bytes]) -> None:
            with open(path, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)

        # The spool is usually on the archive's file system: a second name for the file
        # costs no copy (a tenth of a crawl process's CPU per page, when copied).
        target = self._link_atomically(key, path) or self._write_atomically(key, copy)
        if target.stat().st_size != Path(path).stat().st_size:
            raise StorageError(f"stored {target} has the wrong size; the spool copy is kept, run `newsarchive flush`")

    def put_bytes(self, key: str, data: bytes) -> None:
        self._write_atomically(key, lambda out: out.write(data))

    def open(self, key: str) -> IO[bytes]:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise NotFoundError(f"no object {key!r} in {self.uri}") from exc
        except OSError as exc:
            raise StorageError(f"could not read {key!r} in {self.uri}: {exc}") from exc

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        with self.open(key) as stream:
            stream.seek(offset)
            data = stream.read(length)
        if len(data) != length:
            raise StorageError(f"{key!r} in {self.uri} is shorter than offset {offset} + length {length}")
        return data

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        # Walk only the deepest folder the prefix names, in sorted order, so listing a
        # partition of a large archive neither reads the rest nor holds it in memory.
        folder, _, _ = prefix.rpartition("/")
        start = self.root.joinpath(*folder.split("/")) if folder else self.root
        yield from (key for key in self._walk(start) if key.startswith(prefix))

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(f"could not delete {key!r} in {self.uri}: {exc}") from exc

    def _walk(self, folder: Path) -> Iterator[str]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            if entry.name.startswith(_TMP_PREFIX):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from self._walk(Path(entry.path))
            else:
                yield Path(entry.path).relative_to(self.root).as_posix()

    def preflight(self, *, write: bool = True) -> None:
        """Raise ``StorageError`` (one line, saying what to fix) unless the folder can be
        used: it must be a folder, and with ``write`` one this process can create files in."""
        if self.root.exists() and not self.root.is_dir():
            raise StorageError(f"archive {self.root} is a file, not a folder: check --archive (or NEWSARCHIVE_ARCHIVE)")
        if not write:
            if not self.root.is_dir():
                raise StorageError(f"no archive at {self.root}: check --archive (or NEWSARCHIVE_ARCHIVE)")
            return
        try:
            _make_folders(self.root)
            fd, probe = tempfile.mkstemp(prefix=_TMP_PREFIX + "preflight-", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise StorageError(f"archive folder {self.root} cannot be written ({exc.strerror or exc}): "
                               "fix its permissions or free space, or choose another --archive") from exc

    def __repr__(self) -> str:
        return f"LocalStore({self.uri!r})"


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_folders(folder: Path) -> None:
    """``mkdir -p``, each new folder's entry synced in its parent like a file's."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(exist_ok=True)
        _fsync_folder(new.parent)


class S3Store:
    """An S3 bucket (or a prefix of one) reached through boto3.

    The client comes from the standard AWS configuration: ``AWS_ENDPOINT_URL`` (honoured
    by boto3 itself), ``AWS_PROFILE``, credentials from the environment or config files.
    """

    def __init__(
        self, client, bucket: str, prefix: str = "", *, multipart_threshold: int = 64 << 20, page_size: int = 1000
    ) -> None:
        from boto3.s3.transfer import TransferConfig

        self._client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.uri = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        self._page_size = page_size
        self._transfer = TransferConfig(multipart_threshold=multipart_threshold, multipart_chunksize=max(multipart_threshold, 5 << 20))

    @property
    def endpoint(self) -> str:
        return self._client.meta.endpoint_url

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _call(self, action: str, key: str, call: Callable[[], _T]) -> _T:
        """Run one boto3 call, turning its many exceptions into a ``StorageError`` that says what to do."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return call()
        except NoCredentialsError as exc:
            raise StorageError(
                f"no AWS credentials for {self.uri}: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
            ) from exc
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            raise self._client_error(action, key, code, exc) from exc
        except S3UploadFailedError as exc:
            code = "NoSuchBucket" if "NoSuchBucket" in str(exc) else ""
            raise self._client_error(action, key, code, exc) from exc
        except BotoCoreError as exc:
            advice = "; data kept in spool, run `newsarchive flush`" if action == "put" else ""
            raise StorageError(f"could not reach s3 endpoint {self.endpoint}: {exc}{advice}") from exc

    def _client_error(self, action: str, key: str, code: str, exc: Exception) -> StorageError:
        if code == "NoSuchBucket":
            return StorageError(f"bucket {self.bucket!r} does not exist at {self.endpoint}: create it or fix --archive")
        if code in ("NoSuchKey", "404", "NotFound"):
            return NotFoundError(f"no object {key!r} in {self.uri}")
        return StorageError(f"s3 {action} of {key!r} in {self.uri} failed: {exc}")

    def put_file(self, key: str, path: Path) -> None:
        size = Path(path).stat().st_size
        if size < self._transfer.multipart_threshold:
            self.put_bytes(key, Path(path).read_bytes())
            return
        full = self._key(key)
        self._call(
            "put",
            key,
            lambda: self._client.upload_file(
                str(path), self.bucket, full, ExtraArgs={"ChecksumAlgorithm": "CRC32"}, Config=self._transfer
            ),
        )
        # Each part was checked by the server against its CRC32; the size confirms the
        # parts were assembled into the object we meant.
        head = self._call("put", key, lambda: self._client.head_object(Bucket=self.bucket, Key=full))
        if head["ContentLength"] != size:
            raise StorageError(f"s3 object {key!r} in {self.uri} has the wrong size after upload; run `newsarchive flush` again")

    def put_bytes(self, key: str, data: bytes) -> None:
        full = self._key(key)
        response = self._call(
            "put", key, lambda: self._client.put_object(Bucket=self.bucket, Key=full, Body=data, ChecksumAlgorithm="CRC32")
        )
        # The server refuses a body whose CRC32 does not match the one boto3 sent; the
        # checksum it echoes is compared with ours, in case a proxy or an S3 look-alike
        # ignored it.
        stored = response.get("ChecksumCRC32")
        if stored is not None and stored != _crc32(data):
            raise StorageError(f"s3 object {key!r} in {self.uri} failed its checksum after upload; run `newsarchive flush` again")

    def open(self, key: str) -> IO[bytes]:
        full = self._key(key)
        return self._call("get", key, lambda: self._client.get_object(Bucket=self.bucket, Key=full)["Body"])

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        full = self._key(key)
        byte_range = f"bytes={offset}-{offset + length - 1}"
        data = self._call(
            "get", key, lambda: self._client.get_object(Bucket=self.bucket, Key=full, Range=byte_range)["Body"].read()
        )
        if len(data) != length:
            raise StorageError(f"{key!r} in {self.uri} is shorter than offset {offset} + length {length}")
        return data

    def exists(self, key: str) -> bool:
        full = self._key(key)
        try:
            self._call("head", key, lambda: self._client.head_object(Bucket=self.bucket, Key=full))
        except NotFoundError:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        strip = len(self.prefix) + 1 if self.prefix else 0
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix), PaginationConfig={"PageSize": self._page_size}
        )
        iterator = iter(pages)
        while True:
            page = self._call("list", prefix, lambda: next(iterator, None))
            if page is None:
                return
            for obj in page.get("Contents", []):
                yield obj["Key"][strip:]

    def delete(self, key: str) -> None:
        full = self._key(key)
        self._call("delete", key, lambda: self._client.delete_object(Bucket=self.bucket, Key=full))

    def preflight(self, *, write: bool = True) -> None:
        """Raise ``StorageError`` (one line) unless credentials, endpoint and bucket work.

        Reads one listing entry (credentials and bucket); with ``write`` also stores and
        deletes a small probe object, so read-only credentials are found before a crawl.
        """
        from botocore.exceptions import ClientError

        try:
            self._call("list", "", lambda: self._client.list_objects_v2(
                Bucket=self.bucket, Prefix=self._key(""), MaxKeys=1))
        except StorageError as exc:
            cause = exc.__cause__
            code = str(cause.response.get("Error", {}).get("Code", "")) if isinstance(cause, ClientError) else ""
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                raise StorageError(f"access to {self.uri} denied ({code}): check the AWS credentials "
                                   "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)") from cause
            raise
        if write:
            probe = f"{_TMP_PREFIX}preflight-{socket.gethostname()}-{os.getpid()}"
            self.put_bytes(probe, b"newsarchive preflight\n")
            try:
                self.delete(probe)
            except StorageError as exc:  # can write but not delete: updates that move JSON will fail later
                log.warning("could not delete the preflight probe %s in %s: %s", probe, self.uri, exc)

    def __repr__(self) -> str:
        return f"S3Store({self.uri!r})"


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode("ascii")


def preflight(store: ObjectStore, *, write: bool = True) -> None:
    """Check, before a run's first request, that ``store`` can be used (and written, with
    ``write``); raises ``StorageError`` with one line saying what to fix.

    Set-up errors (no credentials, no bucket, an unwritable folder) are found here, so a
    crawl or the scheduler refuses to start instead of spooling everything; an outage that
    begins later is still the spool's job. Stores without a ``preflight`` method pass.
    """
    check = getattr(store, "preflight", None)
    if check is not None:
        check(write=write)


def store_from_uri(uri: str | os.PathLike[str]) -> ObjectStore:
    """The store an ``--archive`` value names: a folder path, or ``s3://bucket/prefix``."""
    text = os.fspath(uri)
    if text.startswith("s3://"):
        bucket, _, prefix = text[len("s3://") :].partition("/")
        if not bucket:
            raise StorageError(f"no bucket in {text!r}: write s3://bucket/prefix")
        return S3Store(_s3_client(), bucket, prefix)
    if "://" in text and not text.startswith("file://"):
        raise StorageError(f"unsupported archive URI {text!r}: use a folder path or s3://bucket/prefix")
    return LocalStore(Path(text.removeprefix("file://")))


def _s3_client():
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    # Short connect timeout and few retries: a store that is down must not stall the
    # crawl, whose data waits in the spool anyway.
    config = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
    try:
        return boto3.session.Session().client("s3", config=config)
    except BotoCoreError as exc:
        raise StorageError(f"could not configure the S3 client: {exc}; check AWS_PROFILE and ~/.aws/config") from exc
