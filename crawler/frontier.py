"""Many workers, one crawl: scrapy-redis's scheduler and seen filter, with leases.

scrapy-redis shares the request queue and the seen-URL filter through Redis; this module
uses its ``Scheduler`` and ``RFPDupeFilter`` as they are and adds what a crawl that must
lose nothing needs:

- **Leases, not a plain pop.** ``LeasedQueue.pop`` moves a request from the queue into a
  lease set (with its expiry on the Redis clock) in one script; a worker acknowledges it
  once Scrapy is done with the request (downloaded, called back, its items through the
  pipeline), renews the leases it holds while it works, and puts them back when it stops
  early. A killed worker's requests come back to the others when their leases expire.
- **Workers finish.** A worker stays while the queue has requests or any worker holds a
  lease (another worker's feed may still announce articles); when both have been empty
  for ``NEWSARCHIVE_REDIS_IDLE`` seconds every worker closes by itself, and the crawl's
  seen filter and parameters are removed, so the filter never grows across crawls.
- **Heartbeats.** Each worker writes its pages, errors and last beat to a hash that
  ``newsarchive workers`` shows.

Leases are acknowledged by watching the engine's set of requests in progress: Scrapy sends
no signal when a request is completely done (errbacks, redirects and retries included),
and the engine removes it from that set exactly then.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from typing import Any, Callable, Collection, Iterable

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from archive import store_from_uri
from archive.local import archive_id
from crawler.rediskeys import RedisKeys

__all__ = ["Frontier", "LeasedQueue", "frontier_keys", "frontier_settings", "redis_client"]

log = logging.getLogger(__name__)

_POLL_S = 1.0  # how often an idle worker looks at the shared queue

# Take the best request; first put back any whose lease ran out (its worker died).
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, member in ipairs(expired) do
  redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], member) or 0, member)
  redis.call('ZREM', KEYS[2], member)
  redis.call('HDEL', KEYS[3], member)
end
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return {#expired} end
redis.call('ZREM', KEYS[1], top[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), top[1])
redis.call('HSET', KEYS[3], top[1], top[2])
return {#expired, top[1]}
"""
# Extend the leases still held (an expired one may already be back in the queue: XX).
_RENEW = """
local t = redis.call('TIME')
local until_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', until_ms, ARGV[i]) end
return 0
"""
# Put leased requests back in the queue now (a worker stopping before it is done).
_RELEASE = """
for i = 1, #ARGV do
  if redis.call('ZREM', KEYS[2], ARGV[i]) == 1 then
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], ARGV[i]) or 0, ARGV[i])
  end
  redis.call('HDEL', KEYS[3], ARGV[i])
end
return 0
"""


def redis_client(url: str) -> redis.Redis:
    """A client for ``url`` that fails in seconds, not minutes, when Redis is away."""
    return redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30, health_check_interval=30)


def frontier_keys(settings: Any) -> RedisKeys:
    """The Redis keys of the archive a crawl's settings name."""
    return RedisKeys(archive_id(store_from_uri(settings.get("NEWSARCHIVE_ARCHIVE"))))


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue; ``pop`` leases instead of removing for good."""

    lease_ms = 60_000

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.leases, self.scores = RedisKeys.lease_keys(self.key)
        self.held: dict[bytes, Request] = {}  # this worker's leases: encoding -> request
        self.requeued = 0  # expired leases this worker put back
        self._take = server.register_script(_TAKE)
        self._renew = server.register_script(_RENEW)
        self._release = server.register_script(_RELEASE)

    def pop(self, timeout: int = 0) -> Request | None:
        reply = self._take(keys=[self.key, self.leases, self.scores], args=[self.lease_ms])
        self.requeued += int(reply[0])
        if len(reply) < 2:
            return None
        request = self._decode_request(reply[1])
        self.held[reply[1]] = request
        return request

    def leased(self) -> int:
        """Requests taken by any worker and not yet done."""
        return int(self.server.zcard(self.leases))

    def ack(self, tokens: Iterable[bytes]) -> None:
        tokens = [t for t in tokens if self.held.pop(t, None) is not None]
        if tokens:
            pipe = self.server.pipeline(transaction=False)
            pipe.zrem(self.leases, *tokens)
            pipe.hdel(self.scores, *tokens)
            pipe.execute()

    def renew(self) -> None:
        if self.held:
            self._renew(keys=[self.leases], args=[self.lease_ms, *self.held])

    def release(self) -> None:
        if self.held:
            self._release(keys=[self.key, self.leases, self.scores], args=list(self.held))
            self.held.clear()


class Frontier(Scheduler):
    """scrapy-redis's scheduler over a ``LeasedQueue``, keyed by the archive.

    ``enqueue_only``: push the spider's start requests (an outlet's discovery) and pop
    nothing, so the crawl closes once they are in the queue and the workers take over.
    """

    def __init__(self, server: redis.Redis, *, crawler: Crawler, keys: RedisKeys, lease_s: float,
                 idle_s: float, enqueue_only: bool, in_progress: Callable[[], Collection[Request]],
                 stop: Callable[[str], None] = lambda reason: None,
                 wake: Callable[[], None] = lambda: None) -> None:
        super().__init__(
            server, persist=True, queue_key=keys.queue, queue_cls=f"{__name__}.LeasedQueue",
            dupefilter=RFPDupeFilter(server, key=keys.seen), idle_before_close=0,
        )
        self.keys = keys
        # scrapy-redis counts with a deprecated stats call when given stats: count here.
        self._stats = crawler.stats
        self._in_progress = in_progress
        self._stop = stop
        self._wake = wake
        self._lost = False
        self._lease_s = lease_s
        self._idle_s = idle_s
        self._enqueue_only = enqueue_only
        self._quiet_since: float | None = None
        self._worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._beat = task.LoopingCall(self._heartbeat)
        self._poll = task.LoopingCall(self._look_for_work)
        crawler.signals.connect(self._on_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "Frontier":
        settings = crawler.settings
        url = settings.get("NEWSARCHIVE_REDIS")
        if not url:
            raise NotConfigured("the frontier needs NEWSARCHIVE_REDIS")
        server = redis_client(url)
        server.ping()  # a wrong URL stops the crawl here, before any request
        return cls(
            server, crawler=crawler, in_progress=lambda: _engine_in_progress(crawler),
            stop=lambda reason: _close_spider(crawler, reason),
            wake=lambda: _wake_engine(crawler),
            keys=frontier_keys(settings),
            lease_s=settings.getfloat("NEWSARCHIVE_REDIS_LEASE"),
            idle_s=settings.getfloat("NEWSARCHIVE_REDIS_IDLE"),
            enqueue_only=settings.getbool("NEWSARCHIVE_ENQUEUE_ONLY"),
        )

    def open(self, spider: Any) -> None:
        super().open(spider)
        self.queue.lease_ms = int(self._lease_s * 1000)
        if not self._enqueue_only:
            self._beat.start(max(self._lease_s / 3, 0.2), now=True)
            self._poll.start(_POLL_S, now=False)

    def close(self, reason: str) -> None:
        for loop in (self._beat, self._poll):
            if loop.running:
                loop.stop()
        if self._lost:
            return
        try:
            # Whatever this worker took and did not finish goes back now, not at expiry.
            self.queue.release()
            if not self._enqueue_only:
                self._heartbeat(state="exited")
            if reason == "finished" and not self._enqueue_only and not len(self.queue) and not self.queue.leased():
                self._clear_crawl()
        except redis.RedisError as exc:
            self._redis_lost(exc)

    # -- scheduler interface ----------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if self._lost:
            return False
        try:
            queued = super().enqueue_request(request)
        except redis.RedisError as exc:
            self._redis_lost(exc)
            return False
        self._stats.inc_value("scheduler/enqueued/redis" if queued else "scheduler/filtered/redis")
        return queued

    def next_request(self) -> Request | None:
        if self._enqueue_only or self._lost:
            return None
        try:
            self._ack_finished()
            request = self.queue.pop()
        except redis.RedisError as exc:
            self._redis_lost(exc)
            return None
        if request is not None:
            self._stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self._enqueue_only or self._lost:
            return False
        try:
            return len(self) > 0
        except redis.RedisError as exc:
            self._redis_lost(exc)
            return False

    def _redis_lost(self, exc: Exception) -> None:
        """Redis went away: this worker stops; its leases come back to the others later."""
        if self._lost:
            return
        self._lost = True
        self._stats.set_value("newsarchive/redis_lost", str(exc))
        log.error("lost the shared frontier in Redis (%s): this worker stops; what it archived is kept, "
                  "and requests it held go back to the queue when their leases expire", exc)
        self._stop("redis_unavailable")

    # -- leases, idleness, heartbeats ---------------------------------------------------

    def _ack_finished(self) -> None:
        in_progress = self._in_progress()
        self.queue.ack([token for token, request in self.queue.held.items() if request not in in_progress])

    def quiet(self) -> bool:
        """No request waits and no worker holds one: discovery has nothing more to say."""
        self._ack_finished()
        return not len(self.queue) and not self.queue.leased()

    def _on_idle(self) -> None:
        if self._enqueue_only or self._lost:
            return
        try:
            quiet = self.quiet()
        except redis.RedisError as exc:
            self._redis_lost(exc)
            return
        if not quiet:
            self._quiet_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._quiet_since is None:
            self._quiet_since = now
        if now - self._quiet_since < self._idle_s:
            raise DontCloseSpider

    def _look_for_work(self) -> None:
        """An idle engine asks its scheduler only every 5 s; others' requests wait less."""
        if self._lost:
            return
        try:
            waiting = len(self.queue)
        except redis.RedisError as exc:
            self._redis_lost(exc)
            return
        if waiting:
            self._wake()

    def _heartbeat(self, state: str = "crawling") -> None:
        if self._lost:
            return
        try:
            self._ack_finished()
            self.queue.renew()
            stats = self._stats.get_stats()
            beat = {
                "state": state,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "at": time.time(),
                "pages": stats.get("response_received_count", 0),
                "articles": sum(v for k, v in stats.items() if k.endswith("/articles_added")),
                "errors": sum(v for k, v in stats.items() if "/errors/" in k),
                "held": len(self.queue.held),
                "requeued": self.queue.requeued,
            }
            self.server.hset(self.keys.workers, self._worker, json.dumps(beat))
        except redis.RedisError as exc:  # a blip must not kill the crawl; the lease outlives it
            log.warning("frontier heartbeat failed: %s", exc)

    def _clear_crawl(self) -> None:
        outlets = [key.decode() for key in self.server.hkeys(self.keys.outlets)]
        self.server.delete(*self.keys.per_crawl(outlets))


# Two engine internals, here only (Scrapy is pinned below 2.20 for capture.py's sake too):
# its record of requests not yet completely handled (see the module doc), and the call
# that makes it ask the scheduler for work now.


def _engine_in_progress(crawler: Crawler) -> Collection[Request]:
    slot = getattr(crawler.engine, "_slot", None)
    return slot.inprogress if slot is not None else ()


def _wake_engine(crawler: Crawler) -> None:
    slot = getattr(crawler.engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()


def _close_spider(crawler: Crawler, reason: str) -> None:
    assert crawler.engine is not None
    deferred_from_coro(crawler.engine.close_spider_async(reason=reason))


def frontier_settings(redis_url: str, *, enqueue_only: bool = False) -> dict[str, Any]:
    """The settings that put a crawl on the shared frontier at ``redis_url``."""
    return {
        "SCHEDULER": f"{__name__}.Frontier",
        "NEWSARCHIVE_REDIS": redis_url,
        "NEWSARCHIVE_ENQUEUE_ONLY": enqueue_only,
    }
