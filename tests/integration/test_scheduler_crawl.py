"""`newsarchive schedule` with the real `newsarchive crawl` against the outlet simulator.

One service life story, with second-scale schedules (every crawl is slower than its
schedule, so every run is a chance to overlap): jobs fire and archive articles; the
service is SIGKILLed and started again and carries on from its job store, missed runs
coalesced; a SIGTERM in the middle of a crawl leaves no open WARC and an empty spool.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from crawler.cli import main
from crawler.service.health import parse_time
from crawler.service.locks import FileLock
from tests.integration.test_scheduler_machinery import run_rows, wait_until
from tests.sim import OutletSimulator

OUTLETS = ("ria", "tass-en")
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1")


class Service:
    """`newsarchive schedule` in its own process, as an operator runs it."""

    def __init__(self, root: Path, config: Path) -> None:
        self.root, self.config = root, config
        self.home, self.archive = root / "home", root / "archive"
        self.env = dict(os.environ, NEWSARCHIVE_HOME=str(self.home), PYTHONUNBUFFERED="1")
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> datetime:
        self.starts += 1
        with open(self.root / f"service{self.starts}.log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crawler.cli", "-v", "schedule", *OUTLETS, "--config", str(self.config),
                 "--archive", str(self.archive), "--max-runtime", "60", "--stop-grace", "30", *FAST],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        return datetime.now(timezone.utc)

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.root.glob("service*.log")))

    def rows(self):
        return run_rows(self.home)

    def wait_for(self, condition, timeout: float = 40.0):
        return wait_until(condition, timeout, lambda: f"rows: {self.rows()}\n{self.logs()[-3000:]}")


@pytest.fixture(scope="module")
def sim():
    with OutletSimulator(list(OUTLETS)) as simulator:
        yield simulator


@pytest.fixture
def service(sim, tmp_path):
    config = tmp_path / "outlets.yaml"
    blocks = [{**sim.spec(name), "schedule": "1s", "jitter_seconds": 0} for name in OUTLETS]
    config.write_text(yaml.safe_dump({"outlets": blocks}))
    service = Service(tmp_path, config)
    yield service
    if service.process and service.process.poll() is None:
        service.process.kill()
        service.process.wait()


def archived(archive: Path, outlet: str) -> set[str]:
    return {json.loads(p.read_text())["url"] for p in archive.glob(f"articles/{outlet}/**/*.json")}


def finished(rows, outlet: str, after: datetime | None = None):
    """Runs of an outlet that really ran (not skipped) and ended, optionally started after ``after``."""
    since = after.isoformat() if after else ""
    return [r for r in rows if r.outlet == outlet and r.outcome not in (None, "skipped") and r.started > since]


def assert_resumed_from_store(rows, *, killed: datetime, restarted: datetime, interval: float) -> None:
    """After a restart, each outlet's first run is the one its stored schedule missed
    while the service was down, run once however many were missed."""
    for outlet in {r.outlet for r in rows}:
        mine = [r for r in rows if r.outlet == outlet]
        first_ever = parse_time(min(r.scheduled_at for r in mine))
        back = min((r for r in mine if r.started > restarted.isoformat()), key=lambda r: r.started)
        down = [r for r in mine if killed.isoformat() < r.scheduled_at <= back.started]
        assert down == [back], f"{outlet}: the runs missed while down did not run exactly once: {down}"
        # A schedule made afresh would start from the restart: its phase would differ.
        phase = (parse_time(back.scheduled_at) - first_ever).total_seconds() % interval
        assert min(phase, interval - phase) < 0.05, f"{outlet}: not the stored schedule (phase {phase:.3f}s)"


def crawl_running(home: Path, outlet: str) -> bool:
    return FileLock(home / "locks" / f"{outlet}.lock").holder() is not None


def test_service_life_story(service, sim):
    # Jobs fire and archive every expected article.
    service.start()
    service.wait_for(lambda: all(archived(service.archive, o) == sim.expected_articles(o)
                                 and finished(service.rows(), o) for o in OUTLETS))
    assert {r.outcome for o in OUTLETS for r in finished(service.rows(), o)} <= {"ok", "errors"}

    # SIGKILL: crawls running now are orphaned and finish on their own (still holding
    # their outlets); at least two scheduled runs pass while the service is down.
    service.process.kill()
    service.process.wait()
    killed = datetime.now(timezone.utc)
    time.sleep(2)
    restarted = service.start()
    service.wait_for(lambda: all([r for r in service.rows() if r.outlet == o and r.started > restarted.isoformat()]
                                 for o in OUTLETS))
    assert_resumed_from_store(service.rows(), killed=killed, restarted=restarted, interval=1.0)

    # SIGTERM while a crawl fetches (slowly): it stops cleanly before the service exits.
    for outlet in OUTLETS:
        sim.set_delay(outlet, 0.3)
    sent = {o: len(sim.requests(o)) for o in OUTLETS}
    service.wait_for(lambda: [r for r in service.rows() if r.outcome is None and r.started > restarted.isoformat()
                              and len(sim.requests(r.outlet)) > sent[r.outlet] + 1])
    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(timeout=40) == 0, service.logs()[-3000:]
    service.wait_for(lambda: all(not crawl_running(service.home, o) for o in OUTLETS))  # orphans too
    for outlet in OUTLETS:
        sim.set_delay(outlet, 0)

    rows = service.rows()
    assert all(r.outcome for r in rows if r.started > restarted.isoformat()), "every run has an outcome"
    assert "interrupted" in {r.outcome for r in rows}
    assert not list(service.archive.rglob("*.open")) and not list(service.home.rglob("*.open"))
    assert not [p for p in (service.home / "spool").rglob("*") if p.is_file() and p.suffix != ".uri"], "spool flushed"
    for outlet in OUTLETS:  # never two crawls of one outlet at once, across both lives
        spans = sorted((r.started, r.finished) for r in finished(rows, outlet))
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, f"{outlet}: overlapping crawls {spans}"

    # What operators read afterwards (in-process: these commands start no reactor).
    def cli(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, list(args), env={"NEWSARCHIVE_HOME": str(service.home)})
        assert result.exit_code == code, result.output
        return result.stdout

    listed = cli("runs", "--json", "--limit", "100").splitlines()
    assert len(listed) == len(service.rows())
    assert "interrupted" in cli("runs", "--outlet", "ria")
    from_archive = cli("runs", "--json", "--archive", str(service.archive)).splitlines()
    assert {json.loads(line)["outcome"] for line in from_archive} >= {"ok", "interrupted"}
    document = json.loads(service.home.joinpath("health.json").read_text())
    assert set(document["outlets"]) == set(OUTLETS) and document["outlets"]["ria"]["last_new_article"]
    assert json.loads(cli("health", "--json", code=3 if document["problems"] else 0))["outlets"].keys() == set(OUTLETS)
    jobs = cli("schedule", "--list")
    assert "ria" in jobs and "tass-en" in jobs


def test_runs_and_health_read_run_records_from_an_s3_archive(s3, home):
    from archive import store_from_uri

    store = store_from_uri("s3://news/prod")
    day = datetime.now(timezone.utc)
    for n, (outcome, added) in enumerate((("ok", 4), ("errors", 0), ("interrupted", 1))):
        started = day.replace(microsecond=0).isoformat()
        record = {"run_id": f"r{n}", "started": started, "finished": started, "outcome": outcome,
                  "outlets": {"ria": {"articles_added": added, "pages_fetched": 10},
                              "_adhoc": {"articles_added": 0}, **({"tass-en": {}} if n == 1 else {})}}
        store.put_bytes(f"runs/{day:%Y/%m/%d}/r{n}.json", json.dumps(record).encode())
    runner = CliRunner()
    result = runner.invoke(main, ["runs", "--json", "--archive", "s3://news/prod", "--outlet", "tass-en"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["run_id"] for line in result.output.splitlines()] == ["r1"]
    assert json.loads(result.output)["outlet"] == "ria,tass-en"
    result = runner.invoke(main, ["health", "--json", "--archive", "s3://news/prod"])
    document = json.loads(result.output)
    assert sorted(document["outlets"]) == ["ria", "tass-en"]
    assert document["outlets"]["ria"]["runs"] == 3
