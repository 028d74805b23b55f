"""Outlet locks: never two crawls of one outlet at once, on one machine or on many.

Two kinds with one small interface (``OutletLock``), chosen by ``outlet_lock``:

- ``FileLock``: an ``flock`` on ``$NEWSARCHIVE_HOME/locks/<outlet>.lock``. A crawl
  process inherits the descriptor, so the lock lives as long as either the service or the
  crawl holds it; it is gone the moment both have exited, however they died.
- ``RedisLock``: ``SET newsarchive:<archive id>:lock:<outlet> <value> NX PX ttl``, shared
  by every machine using that Redis for that archive. A daemon thread renews it every
  ttl/3 (compare token, then PEXPIRE); release is compare-and-delete, so a holder whose
  lock expired never frees someone else's. A holder that dies loses it after ttl.

The value names the holder as ``host:pid`` (``holder()``), for operators and messages.

A service that holds a lock for a crawl it starts hands it over (``handoff_env``): the
crawl's own ``hold_outlet_locks`` then adopts the held lock instead of finding it busy,
and keeps renewing it, so a crawl orphaned by a killed service still holds its outlet.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import secrets
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Protocol
from urllib.parse import urlsplit, urlunsplit

import redis

from crawler.rediskeys import RedisKeys

if TYPE_CHECKING:
    from archive import ObjectStore

__all__ = [
    "DEFAULT_TTL",
    "HANDOFF_ENV",
    "FileLock",
    "LockBusy",
    "LockError",
    "OutletLock",
    "RedisLock",
    "check_redis",
    "redacted",
    "handoff_env",
    "hold_outlet_locks",
    "outlet_lock",
]

log = logging.getLogger(__name__)

DEFAULT_TTL = 60.0  # seconds a Redis lock outlives a holder that stopped renewing it
# Set by the service in a crawl's environment: {outlet: handoff} of locks held for it.
HANDOFF_ENV = "NEWSARCHIVE_HELD_LOCKS"


class LockError(RuntimeError):
    """Raised by ``RedisLock`` and the functions here when Redis cannot be used
    (unreachable, bad URL): whether the outlet is free is then unknown."""


class LockBusy(RuntimeError):
    """Raised by ``hold_outlet_locks`` when an outlet is locked by someone else."""

    def __init__(self, outlet: str, holder: str | None) -> None:
        self.outlet = outlet
        self.holder = holder
        who = f"by {holder}" if holder else "by another process"
        super().__init__(f"outlet {outlet} is being crawled {who}; wait for that crawl to end")


class OutletLock(Protocol):
    def acquire(self) -> bool:
        """Take the lock if it is free; never blocks."""

    def release(self) -> None:
        """Give the lock up (a no-op if not held)."""

    def holder(self) -> str | None:
        """``host:pid`` of whoever holds the lock now, None if it is free."""

    def note_holder(self, pid: int) -> None:
        """Name the process working under the lock (this host), e.g. the crawl started for it."""

    def handoff(self) -> str:
        """What a child process needs to ``adopt`` this held lock."""

    def adopt(self, handoff: str) -> bool:
        """Take over a lock a parent holds for this process; False if it is not held so."""

    def pass_fds(self) -> tuple[int, ...]:
        """Descriptors a child process must inherit for a handoff."""


def _me(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid or os.getpid()}"


class FileLock:
    """A non-blocking exclusive ``flock``, shareable with a child process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        self.note_holder(os.getpid())
        return True

    def fileno(self) -> int:
        if self._fd is None:
            raise RuntimeError(f"lock {self.path} is not held; call acquire() first")
        return self._fd

    def note_holder(self, pid: int) -> None:
        fd = self.fileno()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{_me(pid)}\n".encode(), 0)

    def holder(self) -> str | None:
        if self._fd is None:
            if self.acquire():
                self.release()
                return None
        try:
            return self.path.read_text().strip() or None
        except FileNotFoundError:
            return None

    def release(self) -> None:
        # Close, never LOCK_UN: unlocking would also free the lock for a crawl process
        # that shares this open file description and is still running.
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def handoff(self) -> str:
        return f"fd:{self.fileno()}"

    def pass_fds(self) -> tuple[int, ...]:
        return (self.fileno(),)

    def adopt(self, handoff: str) -> bool:
        kind, _, number = handoff.partition(":")
        if kind != "fd" or not number.isdigit():
            return False
        fd = int(number)
        try:
            if not os.path.samestat(os.fstat(fd), os.stat(self.path)):
                return False
            # Succeeds only on the open file description that already holds the lock.
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self._fd = fd
        self.note_holder(os.getpid())
        return True


# KEYS[1] lock key; ARGV[1] token. Values are JSON {"token", "holder"}.
_TOKEN_OF = """
local ok, value = pcall(cjson.decode, redis.call('GET', KEYS[1]))
if not ok or type(value) ~= 'table' or value['token'] ~= ARGV[1] then return nil end
"""
_RENEW = _TOKEN_OF + "return redis.call('PEXPIRE', KEYS[1], ARGV[2])"
_RELEASE = _TOKEN_OF + "return redis.call('DEL', KEYS[1])"
_NOTE = _TOKEN_OF + "return redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')"


class RedisLock:
    """A lock in Redis that expires ``ttl`` seconds after its holder stops renewing it."""

    def __init__(self, client: redis.Redis, key: str, *, ttl: float = DEFAULT_TTL) -> None:
        self.client = client
        self.key = key
        self.ttl = ttl
        self._token: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._scripts = {name: client.register_script(source)
                         for name, source in (("renew", _RENEW), ("release", _RELEASE), ("note", _NOTE))}

    def acquire(self) -> bool:
        token = secrets.token_hex(16)
        with self._errors("take"):
            if not self.client.set(self.key, self._value(token, _me()), nx=True, px=self._ttl_ms()):
                return False
        self._hold(token)
        return True

    def holder(self) -> str | None:
        with self._errors("read"):
            raw = self.client.get(self.key)
        if raw is None:
            return None
        try:
            return str(json.loads(raw)["holder"])
        except (ValueError, KeyError, TypeError):
            return "unknown"  # a value not written by us; the key still blocks

    def note_holder(self, pid: int) -> None:
        if self._token is None:
            return
        try:
            self._scripts["note"](keys=[self.key], args=[self._token, self._value(self._token, _me(pid))])
        except redis.RedisError as exc:  # only a label: the lock itself is unaffected
            log.warning("could not name the holder of %s: %s", self.key, exc)

    def release(self) -> None:
        token, self._token = self._token, None
        if token is None:
            return
        self._stop.set()
        if self._renewer is not None and self._renewer is not threading.current_thread():
            self._renewer.join()
        self._renewer = None
        try:
            self._scripts["release"](keys=[self.key], args=[token])
        except redis.RedisError as exc:  # the lock then expires after ttl
            log.warning("could not release %s (%s); it expires within %gs", self.key, exc, self.ttl)

    def handoff(self) -> str:
        if self._token is None:
            raise RuntimeError(f"lock {self.key} is not held; call acquire() first")
        return f"token:{self._token}"

    def pass_fds(self) -> tuple[int, ...]:
        return ()

    def adopt(self, handoff: str) -> bool:
        kind, _, token = handoff.partition(":")
        if kind != "token" or not token:
            return False
        with self._errors("adopt"):
            if not self._scripts["renew"](keys=[self.key], args=[token, self._ttl_ms()]):
                return False  # expired, or someone else's by now
        self._hold(token)
        self.note_holder(os.getpid())
        return True

    def _hold(self, token: str) -> None:
        self._token = token
        self._stop = threading.Event()
        self._renewer = threading.Thread(target=self._renew, args=(token, self._stop),
                                         name=f"renew {self.key}", daemon=True)
        self._renewer.start()

    def _renew(self, token: str, stop: threading.Event) -> None:
        while not stop.wait(self.ttl / 3):
            try:
                renewed = self._scripts["renew"](keys=[self.key], args=[token, self._ttl_ms()])
            except redis.RedisError as exc:  # keep trying until the ttl runs out
                log.warning("could not renew %s: %s", self.key, exc)
                continue
            if not renewed:
                # Expired while Redis was unreachable, or released by a crawl we handed it to.
                log.info("lock %s is no longer ours", self.key)
                return

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except redis.RedisError as exc:
            raise LockError(f"could not {action} the lock {self.key} in Redis: {exc}") from exc

    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl * 1000))

    @staticmethod
    def _value(token: str, holder: str) -> str:
        return json.dumps({"token": token, "holder": holder})


@functools.lru_cache(maxsize=None)
def _client(redis_url: str) -> redis.Redis:
    """One connection pool per URL per process (clients are thread-safe)."""
    try:
        return redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=10)
    except ValueError as exc:
        raise LockError(f"bad Redis URL {redacted(redis_url)}: {exc}; give redis://host:port/db") from exc


def check_redis(redis_url: str) -> None:
    """Raise LockError (one line, URL without its password) unless Redis answers PING."""
    try:
        _client(redis_url).ping()
    except redis.RedisError as exc:
        raise LockError(f"cannot reach Redis at {redacted(redis_url)}: {exc}; check --redis (or NEWSARCHIVE_REDIS)") from exc


def redacted(url: str) -> str:
    """A URL fit for logs and records: any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def outlet_lock(
    outlet: str, *, home: Path, archive_store: "ObjectStore | None", redis_url: str | None = None,
    ttl: float = DEFAULT_TTL,
) -> OutletLock:
    """The lock of one outlet: in Redis (per archive and outlet) when ``redis_url`` is
    given, else a file in ``home/locks/`` (per machine and outlet)."""
    if redis_url:
        if archive_store is None:
            raise ValueError("a lock in Redis is per archive: give archive_store")
        from archive.local import archive_id

        # Under the archive's namespace, beside its shared crawl state and frontier.
        return RedisLock(_client(redis_url), RedisKeys(archive_id(archive_store)).lock(outlet), ttl=ttl)
    return FileLock(home / "locks" / f"{outlet}.lock")


def handoff_env(locks: dict[str, OutletLock]) -> dict[str, str]:
    """Environment for a crawl started under ``locks`` ({outlet: held lock})."""
    return {HANDOFF_ENV: json.dumps({outlet: lock.handoff() for outlet, lock in locks.items()})}


@contextlib.contextmanager
def hold_outlet_locks(
    outlets: Iterable[str], *, home: Path, archive_store: "ObjectStore", redis_url: str | None = None,
    ttl: float = DEFAULT_TTL,
) -> Iterator[dict[str, OutletLock]]:
    """Hold every outlet's lock for the ``with`` block, or raise ``LockBusy`` for the first
    one held elsewhere (releasing those already taken). Locks the scheduling service holds
    for this very process (``HANDOFF_ENV``) are adopted, not refused. Yields {outlet: lock}.

    Raises LockError when Redis cannot be used, or the lock files cannot be made (a
    ``home`` that is not a writable folder).
    """
    try:
        handed = json.loads(os.environ.get(HANDOFF_ENV) or "{}")
    except ValueError:
        handed = {}
    held: dict[str, OutletLock] = {}
    try:
        for outlet in dict.fromkeys(outlets):
            try:
                lock = outlet_lock(outlet, home=home, archive_store=archive_store, redis_url=redis_url, ttl=ttl)
                if not (outlet in handed and lock.adopt(str(handed[outlet]))) and not lock.acquire():
                    raise LockBusy(outlet, lock.holder())
            except OSError as exc:
                raise LockError(f"cannot lock outlet {outlet} under {home / 'locks'}: {exc.strerror or exc}; "
                                "NEWSARCHIVE_HOME must be a folder this user can write") from exc
            held[outlet] = lock
    except BaseException:
        for lock in held.values():
            lock.release()
        raise
    try:
        yield held
    finally:
        for lock in held.values():
            lock.release()
