"""A crawl started by hand takes the scheduling service's outlet lock, on one machine
(a file lock in NEWSARCHIVE_HOME) or on many (Redis, with --redis)."""

from __future__ import annotations

import pytest

from archive import LocalStore
from crawler.service.locks import hold_outlet_locks
from tests.cli import newsarchive
from tests.sim import OutletSimulator

OUTLET = "harbour-herald"


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    with OutletSimulator([OUTLET]) as simulator:
        yield simulator.write_config(tmp_path_factory.mktemp("sim") / "sim.yaml")


@pytest.mark.parametrize("shared", [False, True], ids=["file-lock", "redis-lock"])
def test_a_manual_crawl_of_a_locked_outlet_is_refused_in_one_line(config, tmp_path, request, shared):
    archive, home = tmp_path / "archive", tmp_path / "home"
    redis_url = request.getfixturevalue("redis_db") if shared else None
    extra = ("--redis", redis_url) if redis_url else ()
    with hold_outlet_locks([OUTLET], home=home, archive_store=LocalStore(archive), redis_url=redis_url):
        proc = newsarchive("crawl", OUTLET, "--config", str(config), "--archive", str(archive), "-q", *extra,
                           env={"NEWSARCHIVE_HOME": str(home)})
    assert proc.returncode == 1
    (line,) = proc.stderr.strip().splitlines()
    assert f"outlet {OUTLET} is being crawled by" in line
    assert not list(archive.glob("warc/**/*.warc.gz"))  # refused before the first request
