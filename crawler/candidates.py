"""Discovery's memory: which article URLs the outlet's sources announced, and what they said.

The outlet spider requests articles only once discovery is done, newest first with every
source's evidence merged (see ``crawler.spiders.outlet``). In one process that memory is
a dict (``LocalCandidates``). With many workers a feed read by one worker and a sitemap
read by another announce the same URL, so the memory lives in Redis (``RedisCandidates``):
candidates are released when the whole frontier is quiet (no request waiting, none
leased), by one worker at a time, and removed only after their requests are queued, so a
worker killed in between loses nothing (the seen filter drops what it had queued).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime
from typing import Any, Protocol

import redis

from crawler.discovery import Entry
from crawler.rediskeys import RedisKeys

__all__ = ["Batch", "Candidates", "LocalCandidates", "RedisCandidates"]

# outlet -> url -> what each source said (None: a link on a section page)
Batch = dict[str, dict[str, list[Entry | None]]]


class Candidates(Protocol):
    def announce(self, outlet: str, since: datetime | None, limit: int | None) -> None: ...

    def params(self, outlet: str) -> tuple[datetime | None, int | None]: ...

    def add(self, outlet: str, url: str, entry: Entry | None) -> None: ...

    def drop(self, outlet: str, url: str) -> None: ...

    def dropped(self, outlet: str, url: str) -> bool: ...

    def take(self) -> Batch | None: ...

    def done(self, batch: Batch) -> None: ...


class LocalCandidates:
    """One process's candidates, released once when its engine goes idle."""

    def __init__(self) -> None:
        self._params: dict[str, tuple[datetime | None, int | None]] = {}
        self._batch: Batch = {}
        self._dropped: set[str] = set()
        self._taken = False

    def announce(self, outlet: str, since: datetime | None, limit: int | None) -> None:
        self._params[outlet] = (since, limit)
        self._batch.setdefault(outlet, {})

    def params(self, outlet: str) -> tuple[datetime | None, int | None]:
        return self._params.get(outlet, (None, None))

    def add(self, outlet: str, url: str, entry: Entry | None) -> None:
        self._batch.setdefault(outlet, {}).setdefault(url, []).append(entry)

    def drop(self, outlet: str, url: str) -> None:
        self._dropped.add(url)
        self._batch.get(outlet, {}).pop(url, None)

    def dropped(self, outlet: str, url: str) -> bool:
        return url in self._dropped

    def take(self) -> Batch | None:
        if self._taken:
            return None
        self._taken = True
        return self._batch

    def done(self, batch: Batch) -> None:
        self._batch = {}


class RedisCandidates:
    """Candidates of every worker of an archive's frontier, in Redis sets per outlet."""

    claim_s = 120  # a claimer that dies mid-release lets another worker take over after this

    def __init__(self, client: redis.Redis, keys: RedisKeys) -> None:
        self._redis = client
        self._keys = keys
        self._claim = f"{keys.prefix}:frontier:candidates-claim"
        self._token = uuid.uuid4().hex
        self._members: dict[str, list[bytes]] = {}  # what the batch being released came from

    def announce(self, outlet: str, since: datetime | None, limit: int | None) -> None:
        value = json.dumps({"since": since.isoformat() if since else None, "limit": limit})
        self._redis.hset(self._keys.outlets, outlet, value)

    def params(self, outlet: str) -> tuple[datetime | None, int | None]:
        raw = self._redis.hget(self._keys.outlets, outlet)
        if raw is None:
            return None, None
        data = json.loads(raw)
        return (datetime.fromisoformat(data["since"]) if data.get("since") else None), data.get("limit")

    def add(self, outlet: str, url: str, entry: Entry | None) -> None:
        member = json.dumps([url, dataclasses.asdict(entry) if entry else None], sort_keys=True)
        self._redis.sadd(self._keys.candidates(outlet), member)

    def drop(self, outlet: str, url: str) -> None:
        self._redis.sadd(self._keys.filtered(outlet), url)

    def dropped(self, outlet: str, url: str) -> bool:
        return bool(self._redis.sismember(self._keys.filtered(outlet), url))

    def take(self) -> Batch | None:
        if self._redis.zcard(self._keys.queue) or self._redis.zcard(self._keys.leases):
            return None  # discovery may still be announcing
        outlets = [name.decode() for name in self._redis.hkeys(self._keys.outlets)]
        waiting = [name for name in outlets if self._redis.scard(self._keys.candidates(name))]
        if not waiting or not self._redis.set(self._claim, self._token, nx=True, ex=self.claim_s):
            return None
        batch: Batch = {}
        for outlet in waiting:
            members = list(self._redis.smembers(self._keys.candidates(outlet)))
            dropped = self._redis.smembers(self._keys.filtered(outlet))
            self._members[outlet] = members
            for member in members:
                url, entry = json.loads(member)
                if url.encode() in dropped:
                    continue
                batch.setdefault(outlet, {}).setdefault(url, []).append(_entry(entry))
        return batch

    def done(self, batch: Batch) -> None:
        for outlet, members in self._members.items():
            if members:
                self._redis.srem(self._keys.candidates(outlet), *members)
        self._members = {}
        if self._redis.get(self._claim) == self._token.encode():
            self._redis.delete(self._claim)


def _entry(data: dict[str, Any] | None) -> Entry | None:
    if data is None:
        return None
    return Entry(**{**data, "keywords": tuple(data.get("keywords") or ())})
