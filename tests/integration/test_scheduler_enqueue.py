"""The scheduler on many machines: `schedule --redis --enqueue` only queues each outlet's
discovery; a `worker` elsewhere (its own home) crawls it into the shared archive."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import yaml

from tests.integration.test_scheduler_machinery import run_rows, wait_until
from tests.sim import OutletSimulator

OUTLET = "harbour-herald"
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1")


def test_the_service_enqueues_and_a_worker_elsewhere_archives(tmp_path, redis_db):
    archive = tmp_path / "archive"
    with OutletSimulator([OUTLET]) as sim:
        config = tmp_path / "outlets.yaml"
        config.write_text(yaml.safe_dump({"outlets": [{**sim.spec(OUTLET), "schedule": "2s", "jitter_seconds": 0}]}))
        common = ["--config", str(config), "--archive", str(archive), "--redis", redis_db, *FAST]
        worker = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "worker", *common, "-q", "-s", "NEWSARCHIVE_REDIS_IDLE=20",
             "--stats-json", str(tmp_path / "worker.json")],
            env=dict(os.environ, NEWSARCHIVE_HOME=str(tmp_path / "worker-home")),
            stdout=(tmp_path / "worker.log").open("w"), stderr=subprocess.STDOUT)
        service_home = tmp_path / "service-home"
        service = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "schedule", OUTLET, "--enqueue", *common],
            env=dict(os.environ, NEWSARCHIVE_HOME=str(service_home)),
            stdout=(tmp_path / "service.log").open("w"), stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: [r for r in run_rows(service_home) if r.outcome == "ok"], 60,
                       lambda: (tmp_path / "service.log").read_text()[-3000:])
        finally:
            service.send_signal(signal.SIGTERM)
            assert service.wait(timeout=60) == 0, (tmp_path / "service.log").read_text()[-3000:]
        assert worker.wait(timeout=120) in (0, 1), (tmp_path / "worker.log").read_text()
        expected = sim.expected_articles(OUTLET)
    enqueued = [r for r in run_rows(service_home) if r.outcome == "ok"]
    assert all(r.stats and r.stats["totals"]["pages_fetched"] == 0 for r in enqueued)  # the service fetched nothing
    archived = {json.loads(p.read_text())["url"] for p in archive.glob("articles/**/*.json")}
    assert archived == expected
    assert json.loads((tmp_path / "worker.json").read_text())["totals"]["articles_added"] == len(expected)
