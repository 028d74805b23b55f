"""A crawl started by hand is in `newsarchive runs` from its start: with its exit code
when it ends, as interrupted after a SIGTERM, and as lost after a kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.service.jobs import RECORDED_ENV
from crawler.service.runlog import as_seen
from tests.cli import newsarchive
from tests.integration.test_scheduler_machinery import run_rows, wait_until
from tests.sim import OutletSimulator

FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1")


@pytest.fixture
def sim():
    with OutletSimulator(["ria"]) as simulator:
        yield simulator


class Crawl:
    def __init__(self, sim: OutletSimulator, root: Path) -> None:
        self.sim, self.root = sim, root
        self.home, self.archive = root / "home", root / "archive"
        self.env = {**os.environ, "NEWSARCHIVE_HOME": str(self.home)}
        self.env.pop(RECORDED_ENV, None)
        self.argv = [sys.executable, "-m", "crawler.cli", "crawl", "ria", "--config",
                     str(sim.write_config(root / "sim.yaml")), "--archive", str(self.archive), "-q", *FAST]

    def start(self) -> subprocess.Popen:
        return subprocess.Popen(self.argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def runs(self) -> list[dict]:
        proc = newsarchive("runs", "--json", "--archive", str(self.archive), env={"NEWSARCHIVE_HOME": str(self.home)})
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line) for line in proc.stdout.splitlines()]

    def mid_crawl(self, process: subprocess.Popen) -> None:
        """Wait until the run is in the log and the crawl has been fetching for a while."""
        wait_until(lambda: run_rows(self.home), 120, lambda: "no run log row")
        wait_until(lambda: len(self.sim.requests("ria")) >= 3 or process.poll() is not None, 120,
                   lambda: f"{len(self.sim.requests('ria'))} requests")
        assert process.poll() is None, "the crawl ended before it could be stopped"


def test_a_finished_crawl_shows_its_exit_code(sim, tmp_path):
    crawl = Crawl(sim, tmp_path)
    assert crawl.start().wait(180) == 0
    (run,) = crawl.runs()
    assert (run["outcome"], run["exit_code"], run["outlet"]) == ("ok", 0, "ria")
    assert run["stats"]["totals"]["articles_added"] > 0


@pytest.mark.parametrize(("sig", "outcome", "code"), [(signal.SIGTERM, "interrupted", 130), (signal.SIGKILL, "lost", None)])
def test_a_crawl_stopped_mid_crawl_is_listed(sim, tmp_path, sig, outcome, code):
    sim.set_delay("ria", 2.0)  # long enough to be stopped in the middle
    crawl = Crawl(sim, tmp_path)
    process = crawl.start()
    try:
        crawl.mid_crawl(process)
        (row,) = run_rows(crawl.home)
        assert (as_seen(row).outcome, row.exit_code, row.pid) == ("running", None, process.pid)
        process.send_signal(sig)
        returncode = process.wait(120)
    finally:
        process.kill()
        process.wait()
    assert returncode == (code if code is not None else -signal.SIGKILL)
    (run,) = crawl.runs()
    assert (run["outcome"], run["exit_code"]) == (outcome, code)
    if sig == signal.SIGKILL:
        assert "kill -9" in run["note"]
