"""The shared frontier's queue on a real redis-server: leases, expiry, acknowledgement."""

from __future__ import annotations

import time

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.candidates import RedisCandidates
from crawler.discovery import Entry
from crawler.frontier import Frontier, LeasedQueue
from crawler.rediskeys import RedisKeys

KEYS = RedisKeys("feedfacecafebeef")


class _Spider(Spider):
    name = "frontier-test"

    def parse(self, response):  # pragma: no cover - never called
        return None


@pytest.fixture
def client(redis_db):
    connection = redis.Redis.from_url(redis_db)
    yield connection
    connection.close()


def _queue(client: redis.Redis, lease_ms: int = 60_000) -> LeasedQueue:
    queue = LeasedQueue(client, _Spider(), KEYS.queue)
    queue.lease_ms = lease_ms
    return queue


def test_a_taken_request_is_leased_not_lost_and_acknowledged_when_done(client):
    queue = _queue(client)
    queue.push(Request("http://127.0.0.1/a"))
    taken = queue.pop()
    assert taken.url == "http://127.0.0.1/a"
    assert len(queue) == 0 and queue.leased() == 1
    queue.ack(list(queue.held))
    assert queue.leased() == 0 and not queue.held and queue.pop() is None


def test_a_dead_workers_lease_expires_and_another_worker_takes_the_request(client):
    dead, alive = _queue(client, lease_ms=200), _queue(client)
    dead.push(Request("http://127.0.0.1/a", meta={"outlet": "x"}))
    assert dead.pop() is not None  # ... and its worker is killed: no ack, no renewal
    assert alive.pop() is None  # the lease still holds
    time.sleep(0.3)
    again = alive.pop()
    assert again is not None and again.url == "http://127.0.0.1/a" and again.meta["outlet"] == "x"
    assert alive.requeued == 1 and alive.leased() == 1


def test_renewal_keeps_a_slow_request_leased(client):
    worker, other = _queue(client, lease_ms=300), _queue(client)
    worker.push(Request("http://127.0.0.1/slow"))
    worker.pop()
    for _ in range(4):
        time.sleep(0.15)
        worker.renew()
    assert other.pop() is None


def test_a_worker_stopping_early_puts_its_requests_back_at_once(client):
    queue = _queue(client)
    queue.push(Request("http://127.0.0.1/a", priority=5))
    queue.push(Request("http://127.0.0.1/b"))
    assert queue.pop().url == "http://127.0.0.1/a"  # priority first
    queue.release()
    assert len(queue) == 2 and queue.leased() == 0
    assert queue.pop().url == "http://127.0.0.1/a"  # back where it was


def test_the_frontier_acknowledges_requests_the_engine_has_finished(redis_db, tmp_path):
    crawler = get_crawler(_Spider, {"NEWSARCHIVE_REDIS": redis_db, "NEWSARCHIVE_ARCHIVE": str(tmp_path / "a")})
    in_progress: set[Request] = set()
    frontier = Frontier(redis.Redis.from_url(redis_db), crawler=crawler, keys=KEYS, lease_s=60, idle_s=0,
                        enqueue_only=False, in_progress=lambda: in_progress)
    frontier.open(_Spider())
    try:
        frontier.enqueue_request(Request("http://127.0.0.1/a"))
        frontier.enqueue_request(Request("http://127.0.0.1/a"))  # seen: filtered
        assert len(frontier) == 1
        request = frontier.next_request()
        assert request is not None and frontier.queue.leased() == 1
        in_progress.add(request)  # the engine is downloading it
        assert not frontier.quiet()
        in_progress.discard(request)  # ... and is done with it, items and all
        assert frontier.quiet() and frontier.queue.leased() == 0
    finally:
        frontier.close("finished")
    assert not redis.Redis.from_url(redis_db).exists(frontier.keys.seen)  # the crawl's filter is gone


def test_candidates_are_released_only_when_the_frontier_is_quiet_and_by_one_worker(client):
    one, two = RedisCandidates(client, KEYS), RedisCandidates(client, KEYS)
    one.announce("x", None, 10)
    one.add("x", "http://127.0.0.1/a", Entry(url="http://127.0.0.1/a", title="A", keywords=("k",)))
    two.add("x", "http://127.0.0.1/a", None)
    two.add("x", "http://127.0.0.1/old", None)
    two.drop("x", "http://127.0.0.1/old")
    _queue(client).push(Request("http://127.0.0.1/feed"))
    assert one.take() is None  # a feed still waits: discovery is not done
    client.delete(KEYS.queue)
    batch = one.take()
    assert two.take() is None  # claimed by the first
    assert set(batch["x"]) == {"http://127.0.0.1/a"}
    assert Entry(url="http://127.0.0.1/a", title="A", keywords=("k",)) in batch["x"]["http://127.0.0.1/a"]
    assert one.params("x") == (None, 10)
    one.done(batch)
    assert two.take() is None and client.scard(KEYS.candidates("x")) == 0  # released, dropped ones too
