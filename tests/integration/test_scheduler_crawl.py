"""`newsarchive schedule` with the real `newsarchive crawl` against the outlet simulator.

One service life story, with second-scale schedules (every crawl is slower than its
schedule, so every run is a chance to overlap): jobs fire and archive articles; the
service is SIGKILLed and started again and carries on from its job store, missed runs
coalesced; a SIGTERM in the middle of a crawl leaves no open WARC and an empty spool.

Each step waits for what it depends on, not for time: the busy box CI runs on makes a
crawl take anywhere from a few seconds to tens of them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
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


def complete_outcome(sim: OutletSimulator, outlet: str) -> str:
    """What a complete crawl of ``outlet`` reports, from what the simulator serves: ``errors``
    when a page it links is gone (4xx), else ``ok`` (a 500 on a first request is retried).
    Probed with HEAD before any crawl: the simulator answers HEAD as it answers GET."""
    def status(url: str) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code
    return "errors" if any(400 <= status(url) < 500 for url in sim.non_articles(outlet)) else "ok"


def assert_resumed_from_store(rows, *, killed: datetime, restarted: datetime, interval: float) -> None:
    """After a restart, each outlet's first run is the one its stored schedule missed
    while the service was down, run once however many were missed."""
    for outlet in {r.outlet for r in rows}:
        mine = [r for r in rows if r.outlet == outlet]
        first_ever = parse_time(min(r.scheduled_at for r in mine))
        # The first by scheduled time: the missed run's thread may start just after the next
        # tick's, which then finds the outlet busy with it (a skip that is correct).
        back = min((r for r in mine if r.started > restarted.isoformat()), key=lambda r: r.scheduled_at)
        assert back.outcome != "skipped", f"{outlet}: the outlet was free, yet the run back was skipped: {back}"
        down = [r for r in mine if killed.isoformat() < r.scheduled_at <= back.scheduled_at]
        assert down == [back], f"{outlet}: the runs missed while down did not run exactly once: {down}"
        ticks = round((parse_time(back.scheduled_at) - first_ever).total_seconds() / interval)
        missed = ticks - (killed - first_ever).total_seconds() // interval  # ticks in (killed, back]
        assert missed >= 2, f"{outlet}: only {missed:g} scheduled run(s) passed while the service was down"
        # A schedule made afresh would start from the restart: its phase would differ.
        phase = (parse_time(back.scheduled_at) - first_ever).total_seconds() % interval
        assert min(phase, interval - phase) < 0.05, f"{outlet}: not the stored schedule (phase {phase:.3f}s)"


def crawl_running(home: Path, outlet: str) -> bool:
    return FileLock(home / "locks" / f"{outlet}.lock").holder() is not None


def archive_records(archive: Path) -> dict[str, dict]:
    return {r["run_id"]: r for r in (json.loads(p.read_text()) for p in archive.glob("runs/*/*/*/*.json"))}


def test_service_life_story(service, sim, tmp_path):
    expected = {o: complete_outcome(sim, o) for o in OUTLETS}  # ria: ok; tass-en: errors (a story is gone)

    # Jobs fire and archive every expected article.
    service.start()
    service.wait_for(lambda: all(archived(service.archive, o) == sim.expected_articles(o)
                                 and finished(service.rows(), o) for o in OUTLETS))
    assert {r.outcome for o in OUTLETS for r in finished(service.rows(), o)} <= {"ok", "errors"}

    # SIGKILL: crawls running now are orphaned and finish on their own, still holding
    # their outlets (a service back meanwhile records skipped runs: test_scheduler_machinery
    # covers that). The restart waits for them, so its first runs crawl; the service stays
    # down three seconds at least, so at least two scheduled runs pass meanwhile.
    service.process.kill()
    service.process.wait()
    killed = datetime.now(timezone.utc)
    orphans = {r.run_id for r in service.rows() if r.outcome is None}
    service.wait_for(lambda: not any(crawl_running(service.home, o) for o in OUTLETS), timeout=90)
    time.sleep(max(0.0, 3 - (datetime.now(timezone.utc) - killed).total_seconds()))
    restarted = service.start()
    service.wait_for(lambda: all([r for r in service.rows() if r.outlet == o and r.started > restarted.isoformat()]
                                 for o in OUTLETS))
    assert_resumed_from_store(service.rows(), killed=killed, restarted=restarted, interval=1.0)
    # The orphans' rows are settled from the run records they wrote, not lost.
    settled = {r.run_id: r for r in service.rows() if r.run_id in orphans}
    assert all(r.outcome in ("ok", "errors") and r.stats for r in settled.values()), settled

    # SIGTERM while both outlets' crawls fetch (slowly): each stops cleanly before the
    # service exits. So that both are early in a crawl at that moment, the test holds both
    # outlets (as a crawl by hand would) once their running crawls have ended, then frees
    # them together; the next runs start within a tick of each other.
    for outlet in OUTLETS:
        sim.set_delay(outlet, 3.0)
    gates = {o: FileLock(service.home / "locks" / f"{o}.lock") for o in OUTLETS}
    held: set[str] = set()

    def hold_both() -> bool:
        held.update(o for o, gate in gates.items() if o not in held and gate.acquire())
        return held == set(OUTLETS)

    service.wait_for(hold_both, timeout=120)
    served = {o: len(sim.requests(o)) for o in OUTLETS}  # nothing is crawled while held
    freed = datetime.now(timezone.utc).isoformat()
    for gate in gates.values():
        gate.release()

    def fetching() -> dict[str, str] | None:
        """Each outlet's first run since the gates opened, once it is running and has had
        robots.txt and a first page answered (so its own signal handling is in place)."""
        firsts = {}
        for row in sorted(service.rows(), key=lambda r: r.started):
            if row.started > freed and row.outcome != "skipped":
                firsts.setdefault(row.outlet, row)
        if set(firsts) == set(OUTLETS) and all(r.outcome is None and len(sim.requests(o)) > served[o] + 1
                                               for o, r in firsts.items()):
            return {o: r.run_id for o, r in firsts.items()}
        return None

    busy = service.wait_for(fetching, timeout=90)
    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(timeout=60) == 0, service.logs()[-3000:]
    service.wait_for(lambda: all(not crawl_running(service.home, o) for o in OUTLETS))
    for outlet in OUTLETS:
        sim.set_delay(outlet, 0)

    rows = service.rows()
    assert all(r.outcome for r in rows), "every run has an outcome"
    stopped = [r for r in rows if r.run_id in busy.values()]
    assert len(stopped) == len(OUTLETS) and all(
        r.outcome == "interrupted" and r.exit_code == 130 and r.stats["finish_reason"] == "shutdown" for r in stopped
    ), f"not stopped cleanly by SIGTERM: {stopped}"
    assert not list(service.archive.rglob("*.open")) and not list(service.home.rglob("*.open"))
    assert not [p for p in (service.home / "spool").rglob("*") if p.is_file() and p.suffix != ".uri"], "spool flushed"
    for outlet in OUTLETS:  # never two crawls of one outlet at once, across both lives
        spans = sorted((r.started, r.finished) for r in finished(rows, outlet))
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, f"{outlet}: overlapping crawls {spans}"

    # What operators read afterwards (in-process: these commands start no reactor), from
    # this archive (not the default ./archive of whoever runs the tests).
    def cli(*args: str, code: int = 0, home: Path = service.home) -> str:
        env = {"NEWSARCHIVE_HOME": str(home), "NEWSARCHIVE_ARCHIVE": str(service.archive)}
        result = CliRunner().invoke(main, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.stdout

    logged = {r.run_id: r.outcome for r in rows}
    records = archive_records(service.archive)
    assert set(records) <= set(logged), "every run record in the archive is of a run the service started"
    # Both sources, each run once, as the run log has it.
    listed = [json.loads(line) for line in cli("runs", "--json", "--limit", "1000").splitlines()]
    assert {row["run_id"]: row["outcome"] for row in listed} == logged and len(listed) == len(logged)
    assert "interrupted" in cli("runs", "--outlet", "ria")
    # The archive alone (a home with no run log): the run records as the crawls wrote them.
    from_archive = [json.loads(line) for line in
                    cli("runs", "--json", "--limit", "1000", home=tmp_path / "another-home").splitlines()]
    assert {row["run_id"]: row["outcome"] for row in from_archive} == {i: r["outcome"] for i, r in records.items()}
    complete = [r for r in records.values() if r.get("finish_reason") == "finished"]
    assert {o for r in complete for o in r["outlets"]} == set(OUTLETS)
    assert all(r["outcome"] == expected[o] for r in complete for o in r["outlets"]), (expected, complete)
    assert {row["outcome"] for row in from_archive} >= {*expected.values(), "interrupted"}
    document = json.loads(service.home.joinpath("health.json").read_text())
    assert set(document["outlets"]) == set(OUTLETS) and document["outlets"]["ria"]["last_new_article"]
    assert json.loads(cli("health", "--json", code=3 if document["problems"] else 0))["outlets"].keys() == set(OUTLETS)
    jobs = cli("schedule", "--list")
    assert "ria" in jobs and "tass-en" in jobs


def test_a_crawl_stopped_while_it_starts_closes_what_it_opened(sim, tmp_path):
    config = tmp_path / "outlets.yaml"
    config.write_text(yaml.safe_dump({"outlets": [sim.spec("ria")]}))
    home, archive = tmp_path / "home", tmp_path / "archive"
    served = len(sim.requests("ria"))
    crawl = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "crawl", "ria", "--config", str(config), "--archive", str(archive),
         "--quiet", *FAST],
        env=dict(os.environ, NEWSARCHIVE_HOME=str(home)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        # The run's manifest is open in the spool: the archive session exists.
        deadline = time.monotonic() + 60
        while not list(home.glob("spool/*/manifests/**/*.open")) and crawl.poll() is None:
            assert time.monotonic() < deadline, "the crawl never opened its archive session"
            time.sleep(0.01)
        assert len(sim.requests("ria")) == served, "the crawl fetched before it could be stopped while starting"
        crawl.send_signal(signal.SIGTERM)
        assert crawl.wait(timeout=60) == 130
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()
    assert not list(home.rglob("*.open")) and not list(archive.rglob("*.open"))
    assert [r["outcome"] for r in archive_records(archive).values()] == ["interrupted"]


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
