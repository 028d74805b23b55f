"""Every key newsarchive keeps in Redis, in one place.

All of an archive's shared state sits under ``newsarchive:<archive id>:`` (the id of
``archive.local.archive_id``), so one Redis can serve several archives without mixing
their captures or their frontiers.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RedisKeys"]


@dataclass(frozen=True)
class RedisKeys:
    archive: str

    @property
    def prefix(self) -> str:
        return f"newsarchive:{self.archive}"

    # crawl state (crawler.state.redis)
    def capture(self, url_hash: str) -> str:
        return f"{self.prefix}:capture:{url_hash}"

    @property
    def article_keys(self) -> str:
        """Hash: article id -> key of its JSON (which URL recorded it does not matter)."""
        return f"{self.prefix}:state:article-keys"

    @property
    def state_ready(self) -> str:
        return f"{self.prefix}:state:ready"

    # the frontier (crawler.frontier): scrapy-redis queue and seen filter, plus leases
    @property
    def queue(self) -> str:
        return f"{self.prefix}:frontier:requests"

    @property
    def leases(self) -> str:
        return self.lease_keys(self.queue)[0]

    @staticmethod
    def lease_keys(queue: str) -> tuple[str, str]:
        """(leases, scores) of a queue: a sorted set of taken requests' encodings by lease
        expiry (ms, Redis clock), and a hash of their queue scores to put them back."""
        return f"{queue}:leases", f"{queue}:lease-scores"

    @property
    def seen(self) -> str:
        return f"{self.prefix}:frontier:seen"

    @property
    def workers(self) -> str:
        """Hash: worker id -> JSON heartbeat (host, pid, pages, errors, last beat)."""
        return f"{self.prefix}:frontier:workers"

    # the scheduling service's outlet locks (crawler.service.locks)
    def lock(self, outlet: str) -> str:
        return f"{self.prefix}:lock:{outlet}"

    # discovery (crawler.candidates): what feeds and sitemaps announced, per outlet
    def candidates(self, outlet: str) -> str:
        return f"{self.prefix}:frontier:candidates:{outlet}"

    def filtered(self, outlet: str) -> str:
        return f"{self.prefix}:frontier:filtered:{outlet}"

    @property
    def outlets(self) -> str:
        """Hash: outlet -> JSON crawl parameters (since, limit) given when it was seeded."""
        return f"{self.prefix}:frontier:outlets"

    def per_crawl(self, outlets: list[str]) -> list[str]:
        """Keys that belong to one crawl and go when the frontier has drained."""
        return [self.seen, self.outlets] + [self.filtered(name) for name in outlets]
