"""Outlet locks: the file lock and the Redis lock (a real redis-server), one interface."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from archive import store_from_uri
from archive.local import archive_id
from crawler.service.locks import (
    HANDOFF_ENV, FileLock, LockBusy, LockError, RedisLock, check_redis, handoff_env, hold_outlet_locks, outlet_lock,
)

REPO = Path(__file__).resolve().parents[2]
ME = f"{socket.gethostname()}:{os.getpid()}"


@pytest.fixture
def store(tmp_path):
    return store_from_uri(str(tmp_path / "archive"))


@pytest.fixture(params=["file", "redis"])
def lock_kind(request, tmp_path, store):
    """Options for ``outlet_lock``/``hold_outlet_locks``, once per kind of lock."""
    redis_url = request.getfixturevalue("redis_db") if request.param == "redis" else None
    return {"home": tmp_path / "home", "archive_store": store, "redis_url": redis_url}


def held_in_child(code: str, env: dict[str, str] | None = None, pass_fds=()) -> subprocess.Popen:
    """A Python child that runs ``code`` (it may print) and then waits for stdin to close."""
    return subprocess.Popen(
        [sys.executable, "-c", code + "\nimport sys; sys.stdout.flush(); sys.stdin.read()"],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env={**os.environ, **(env or {})}, pass_fds=pass_fds,
    )


def test_two_holders_exclude_each_other_and_say_who_holds(lock_kind):
    first = outlet_lock("ria", **lock_kind)
    second = outlet_lock("ria", **lock_kind)
    assert first.holder() is None
    assert first.acquire()
    assert not second.acquire()
    assert second.holder() == ME
    assert outlet_lock("tass-en", **lock_kind).acquire(), "one lock per outlet"
    second.release()  # never held: does nothing
    assert not outlet_lock("ria", **lock_kind).acquire()
    first.release()
    assert second.acquire()
    second.release()


def test_redis_lock_key_is_per_archive_and_outlet(redis_db, tmp_path, store):
    lock = outlet_lock("ria", home=tmp_path, archive_store=store, redis_url=redis_db)
    assert isinstance(lock, RedisLock)
    assert lock.key == f"newsarchive:{archive_id(store)}:lock:ria"
    other = store_from_uri(str(tmp_path / "other-archive"))
    assert lock.acquire()
    assert outlet_lock("ria", home=tmp_path, archive_store=other, redis_url=redis_db).acquire()
    value = json.loads(redis.Redis.from_url(redis_db).get(lock.key))
    assert value["holder"] == ME and len(value["token"]) == 32
    lock.release()
    assert not redis.Redis.from_url(redis_db).exists(lock.key)


def test_the_redis_lock_is_renewed_while_held(redis_db, tmp_path, store):
    lock = outlet_lock("ria", home=tmp_path, archive_store=store, redis_url=redis_db, ttl=0.6)
    assert lock.acquire()
    time.sleep(1.5)  # well past the ttl
    assert lock.holder() == ME
    assert 0 < redis.Redis.from_url(redis_db).pttl(lock.key) <= 600
    lock.release()


def test_a_holder_that_stops_renewing_loses_the_lock_and_cannot_free_the_next_ones(redis_db, tmp_path, store):
    options = {"home": tmp_path, "archive_store": store, "redis_url": redis_db, "ttl": 1.0}
    stale = outlet_lock("ria", **options)
    assert stale.acquire()
    stale._stop.set()  # as if its process hung: no more renewals
    assert not outlet_lock("ria", **options).acquire()
    time.sleep(1.3)
    fresh = outlet_lock("ria", **options)
    assert fresh.acquire(), "expired after ttl"
    stale.release()  # compare-and-delete: not its token any more
    assert fresh.holder() == ME and not outlet_lock("ria", **options).acquire()
    fresh.release()


def test_a_killed_holder_loses_the_redis_lock_after_ttl(redis_db, tmp_path, store):
    child = held_in_child(
        "from pathlib import Path\n"
        "from archive import store_from_uri\n"
        "from crawler.service.locks import outlet_lock\n"
        f"lock = outlet_lock('ria', home=Path({str(tmp_path)!r}), archive_store=store_from_uri({str(store.root)!r}),"
        f" redis_url={redis_db!r}, ttl=1.0)\n"
        "print(lock.acquire())"
    )
    try:
        assert child.stdout.readline().strip() == "True"
        time.sleep(1.2)  # renewed past its first ttl while alive
        lock = outlet_lock("ria", home=tmp_path, archive_store=store, redis_url=redis_db, ttl=1.0)
        assert lock.holder() == f"{socket.gethostname()}:{child.pid}"
        assert not lock.acquire()
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert not lock.acquire(), "still held right after the kill"
        time.sleep(1.2)
        assert lock.holder() is None and lock.acquire()
        lock.release()
    finally:
        child.kill()
        child.communicate()


def test_hold_outlet_locks_takes_all_or_none(lock_kind):
    busy = outlet_lock("tass-en", **lock_kind)
    assert busy.acquire()
    with pytest.raises(LockBusy) as caught:
        with hold_outlet_locks(["ria", "tass-en", "xinhua-en"], **lock_kind):
            pass
    assert (caught.value.outlet, caught.value.holder) == ("tass-en", ME)
    assert f"outlet tass-en is being crawled by {ME}" in str(caught.value)
    assert outlet_lock("ria", **lock_kind).holder() is None, "what it took is released"
    busy.release()
    with hold_outlet_locks(["ria", "tass-en"], **lock_kind) as held:
        assert sorted(held) == ["ria", "tass-en"]
        assert outlet_lock("tass-en", **lock_kind).holder() == ME
    assert outlet_lock("tass-en", **lock_kind).holder() is None


def test_a_crawl_adopts_the_lock_its_service_holds_for_it(lock_kind):
    service_side = outlet_lock("ria", **lock_kind)
    assert service_side.acquire()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from archive import store_from_uri\n"
        "from crawler.service.locks import LockBusy, hold_outlet_locks\n"
        f"options = dict(home=Path({str(lock_kind['home'])!r}), "
        f"archive_store=store_from_uri({str(lock_kind['archive_store'].root)!r}), redis_url={lock_kind['redis_url']!r})\n"
        "try:\n"
        "    with hold_outlet_locks(['ria'], **options):\n"
        "        print('held', flush=True)\n"
        "        sys.stdin.read()\n"
        "except LockBusy as exc:\n"
        "    print('busy', exc.holder)\n"
    )
    stranger = held_in_child(code, env={HANDOFF_ENV: ""})
    assert stranger.communicate("")[0].split() == ["busy", ME], "no handoff: the outlet is busy"
    crawl = held_in_child(code, env=handoff_env({"ria": service_side}), pass_fds=service_side.pass_fds())
    assert crawl.stdout.readline().strip() == "held"
    assert service_side.holder() == f"{socket.gethostname()}:{crawl.pid}"
    crawl.communicate("")
    if lock_kind["redis_url"]:
        assert service_side.holder() is None, "the crawl released the lock when it was done"
    service_side.release()
    assert outlet_lock("ria", **lock_kind).holder() is None


def test_unreachable_redis_is_one_line_without_the_password(tmp_path, store):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://user:s3cret@127.0.0.1:{port}/0"
    with pytest.raises(LockError) as caught:
        check_redis(url)
    message = str(caught.value)
    assert "s3cret" not in message and "\n" not in message
    assert message.startswith(f"cannot reach Redis at redis://user:***@127.0.0.1:{port}/0") and "--redis" in message
    with pytest.raises(LockError):
        outlet_lock("ria", home=tmp_path, archive_store=store, redis_url=url).acquire()


def test_the_file_lock_is_the_default(tmp_path, store):
    lock = outlet_lock("ria", home=tmp_path, archive_store=store)
    assert isinstance(lock, FileLock) and lock.path == tmp_path / "locks" / "ria.lock"
