"""``CrawlState`` in Redis: one hash per URL, shared by every worker of an archive.

Keys live under ``newsarchive:<archive id>:`` (``crawler.rediskeys``), so two archives on one Redis never share
captures. Each write sets only its own fields (HSET), so a capture recorded by one
worker and the article recorded by another for the same URL do not overwrite each other.
"""

from __future__ import annotations

import hashlib

import redis

from crawler.rediskeys import RedisKeys
from crawler.state.base import Capture
from extract.article import WarcRef

__all__ = ["RedisCrawlState"]

_CAPTURE_FIELDS = ("url", "warc_file", "record_id", "offset", "length", "payload_digest", "fetched_at",
                   "etag", "last_modified")


class RedisCrawlState:
    def __init__(self, client: redis.Redis, *, archive: str) -> None:
        self._redis = client
        self._keys = RedisKeys(archive)
        # Set by the first capture or a finished rebuild: an archive's state is never
        # rebuilt twice, and an empty archive costs one EXISTS per crawl.
        self._ready = self._keys.state_ready

    @classmethod
    def from_url(cls, url: str, *, archive: str) -> "RedisCrawlState":
        return cls(redis.Redis.from_url(url, decode_responses=True), archive=archive)

    def _key(self, url: str) -> str:
        return self._keys.capture(hashlib.sha1(url.encode("utf-8")).hexdigest())

    def empty(self) -> bool:
        return not self._redis.exists(self._ready)

    def mark_built(self) -> None:
        self._redis.set(self._ready, "1")

    def last_capture(self, url: str) -> Capture | None:
        row = self._redis.hgetall(self._key(url))
        if not row or row.get("url") != url:
            return None
        if row.get("article_id"):
            # The id's JSON may have moved since (another URL of the story rewrote it).
            row["article_key"] = self.key_of(row["article_id"]) or row.get("article_key")
        return Capture(
            url=url,
            warc=WarcRef(file=row["warc_file"], record_id=row["record_id"], offset=int(row["offset"]),
                         length=int(row["length"]), payload_digest=row["payload_digest"]),
            fetched_at=row["fetched_at"],
            etag=row.get("etag") or None,
            last_modified=row.get("last_modified") or None,
            article_id=row.get("article_id") or None,
            article_digest=row.get("article_digest") or None,
            article_key=row.get("article_key") or None,
            processed_digest=row.get("processed_digest") or None,
        )

    def record_capture(self, capture: Capture) -> None:
        ref = capture.warc
        values = (capture.url, ref.file, ref.record_id, ref.offset, ref.length, ref.payload_digest,
                  capture.fetched_at, capture.etag or "", capture.last_modified or "")
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(self._key(capture.url), mapping=dict(zip(_CAPTURE_FIELDS, values)))
        pipe.set(self._ready, "1")
        pipe.execute()

    def record_article(self, url: str, article_id: str, article_digest: str, article_key: str) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(self._key(url), mapping={
            "article_id": article_id, "article_digest": article_digest, "article_key": article_key,
        })
        pipe.hset(self._keys.article_keys, article_id, article_key)
        pipe.execute()

    def key_of(self, article_id: str) -> str | None:
        return self._redis.hget(self._keys.article_keys, article_id)

    def mark_processed(self, url: str, payload_digest: str) -> None:
        self._redis.hset(self._key(url), "processed_digest", payload_digest)

    def close(self) -> None:
        self._redis.close()
