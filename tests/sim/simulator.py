"""``OutletSimulator``: every simulated outlet on its own loopback port, and what a correct
crawl of each must do.

    with OutletSimulator() as sim:
        config = sim.write_config(tmp_path / "outlets.yaml")
        ...crawl with --config config...
        assert archived == sim.expected_articles("ria")
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

import yaml

from tests.sim.outlets import NEVER_SEEN, SITES
from tests.sim.server import OutletServer, Request
from tests.sim.site import SimArticle

__all__ = ["OutletSimulator", "Request", "UnknownOutlet"]


class UnknownOutlet(KeyError):
    """Raised for an outlet name the simulator does not run."""

    def __str__(self) -> str:
        return f"{self.args[0]!r} is not a simulated outlet here; choose from {self.args[1]}"


class OutletSimulator:
    """Shipped outlets plus the never-seen one, each on 127.0.0.1:<port 0>.

    ``outlets`` picks a subset by name (default: all). ``now`` anchors publication times
    (default: the current hour), so URLs with dates stay inside the outlets' max age.
    """

    def __init__(self, outlets: Iterable[str] | None = None, *, now: datetime | None = None) -> None:
        chosen = list(outlets) if outlets is not None else list(SITES)
        unknown = [n for n in chosen if n not in SITES]
        if unknown:
            raise UnknownOutlet(unknown[0], sorted(SITES))
        anchor = now or datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        self._lock = threading.RLock()
        self._servers = {name: OutletServer(SITES[name](anchor), self._lock) for name in chosen}

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> "OutletSimulator":
        for server in self._servers.values():
            server.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the ports (also when never started)."""
        for server in self._servers.values():
            server.stop()

    def __enter__(self) -> "OutletSimulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and config ----------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self._servers)

    def _server(self, name: str) -> OutletServer:
        try:
            return self._servers[name]
        except KeyError:
            raise UnknownOutlet(name, self.names) from None

    def base_url(self, name: str) -> str:
        return self._server(name).base_url

    def spec(self, name: str) -> dict:
        """The config block for ``name``: just name and base_url for a shipped outlet
        (its spec comes from config/outlets.yaml), the full spec for the never-seen one."""
        site = self._server(name).site
        if name == NEVER_SEEN:
            return {**site.spec(), "base_url": self.base_url(name)}
        return {"name": name, "base_url": self.base_url(name)}

    def write_config(self, path: str | Path, names: Iterable[str] | None = None) -> Path:
        path = Path(path)
        blocks = [self.spec(n) for n in (names if names is not None else self.names)]
        path.parent.mkdir(parents=True, exist_ok=True)
        text = ("# Written by tests.sim: points each outlet at its simulator on 127.0.0.1.\n"
                + yaml.safe_dump({"outlets": blocks}, allow_unicode=True, sort_keys=False))
        path.write_text(text, encoding="utf-8")
        return path

    # -- what a correct crawl does -----------------------------------------------------
    def _absolute(self, name: str, paths: Iterable[str]) -> set[str]:
        base = self.base_url(name)
        return {base + p for p in paths}

    def expected_articles(self, name: str) -> set[str]:
        with self._lock:
            return self._absolute(name, self._server(name).site.expected_paths())

    def non_articles(self, name: str) -> set[str]:
        """Same-site URLs linked from feeds, sitemaps or sections that are not articles
        (video, gallery, tag pages, error pages, a 404). Off-site links are not listed."""
        with self._lock:
            return self._absolute(name, self._server(name).site.non_articles)

    def disallowed(self, name: str) -> set[str]:
        with self._lock:
            return self._absolute(name, self._server(name).site.disallowed)

    def too_old(self, name: str) -> set[str]:
        """Real articles that feeds or sitemaps still announce with a date beyond the
        outlet's max_age_days (7 in config/outlets.yaml): a correct crawl skips them."""
        with self._lock:
            return self._absolute(name, self._server(name).site.too_old)

    def article(self, url: str) -> SimArticle:
        """The story behind an expected article URL (title, paragraphs, dates)."""
        for server in self._servers.values():
            if url.startswith(server.base_url + "/"):
                with self._lock:
                    return server.site.articles[url[len(server.base_url):]]
        raise KeyError(f"{url} is not an article of any simulated outlet")

    def requests(self, name: str) -> list[Request]:
        with self._lock:
            return list(self._server(name).requests)

    # -- changes -----------------------------------------------------------------------
    def add_article(self, name: str) -> str:
        with self._lock:
            site = self._server(name).site
            newest = max(a.published for a in site.articles.values())
            now = max(datetime.now(timezone.utc).replace(microsecond=0), newest + timedelta(minutes=1))
            article = site.add(now)
            return self.base_url(name) + article.path

    def update_article(self, name: str, url: str) -> None:
        base = self.base_url(name)
        with self._lock:
            site = self._server(name).site
            path = url[len(base):] if url.startswith(base) else url
            if path not in site.articles:
                raise KeyError(f"{url} is not an article of {name}; see expected_articles({name!r})")
            site.update(path, datetime.now(timezone.utc).replace(microsecond=0))

    def set_delay(self, name: str, seconds: float) -> None:
        with self._lock:
            self._server(name).delay = seconds
