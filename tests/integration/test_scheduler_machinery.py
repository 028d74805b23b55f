"""The scheduling machinery with second-scale schedules and a stand-in crawl program.

The stand-in honours the crawl command's contract (run id, --stats-json record, exit
codes, SIGTERM ends it as "interrupted") and logs its start and end to a journal, so the
tests see exactly when crawls ran. Real processes, real signals, a real SQLite job store.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.service.jobs import CrawlCommand
from crawler.service.runlog import RunLog
from crawler.service.service import OutletTiming, SchedulerError, SchedulerService, list_jobs

REPO = Path(__file__).resolve().parents[2]

STAND_IN = r'''
import json, os, signal, sys, time
from datetime import datetime, timezone

outlet, run_id, stats_path, journal, seconds, on_term = sys.argv[1:7]
stopped = []
if on_term == "ignore":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    signal.signal(signal.SIGTERM, lambda *_: stopped.append(1))

def note(event):
    with open(journal, "a") as fh:
        fh.write(json.dumps({"outlet": outlet, "run_id": run_id, "event": event, "t": time.time(),
                             "pid": os.getpid()}) + "\n")

started = datetime.now(timezone.utc).isoformat()
note("start")
# SECONDS, or a file to wait for (at most a minute): a crawl that ends when the test says.
release = None if seconds.replace(".", "").isdigit() else seconds
deadline = time.time() + (60 if release else float(seconds))
while time.time() < deadline and not stopped and not (release and os.path.exists(release)):
    time.sleep(0.02)
outcome = "interrupted" if stopped else "ok"
counts = {"pages_fetched": 3, "articles_added": 2, "articles_updated": 0, "errors": {}, "blocked": 0,
          "empty_fields": {"title": 0, "published": 0, "authors": 0}}
with open(stats_path, "w") as fh:
    json.dump({"run_id": run_id, "started": started, "finished": datetime.now(timezone.utc).isoformat(),
               "outcome": outcome, "outlets": {outlet: counts}, "totals": counts}, fh)
note("end")
sys.exit(130 if stopped else 0)
'''

SERVICE = r'''
import sys
from pathlib import Path
from crawler.service.jobs import CrawlCommand
from crawler.service.service import OutletTiming, SchedulerError, SchedulerService, list_jobs

home, template, schedule = Path(sys.argv[1]), tuple(sys.argv[2].split("\x1f")), sys.argv[3]
SchedulerService([OutletTiming("a", schedule)], command=CrawlCommand(template), home=home,
                 max_runtime=60, stop_grace=5).run_forever()
'''


class Rig:
    """A home folder, the stand-in program and its journal."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.journal = root / "journal.jsonl"
        self.program = root / "stand_in.py"
        self.program.write_text(STAND_IN)

    def command(self, seconds: float | Path = 0.1, on_term: str = "stop") -> CrawlCommand:
        return CrawlCommand((sys.executable, str(self.program), "{outlet}", "{run_id}", "{stats_json}",
                             str(self.journal), str(seconds), on_term))

    def service(self, outlets, **options) -> SchedulerService:
        options.setdefault("command", self.command())
        return SchedulerService(outlets, home=self.home, **options)

    def events(self) -> list[dict]:
        if not self.journal.exists():
            return []
        return [json.loads(line) for line in self.journal.read_text().splitlines()]

    def spans(self, outlet: str) -> list[tuple[float, float]]:
        starts, ends = {}, {}
        for event in self.events():
            if event["outlet"] == outlet:
                (starts if event["event"] == "start" else ends)[event["run_id"]] = event["t"]
        return sorted((starts[r], ends.get(r, float("inf"))) for r in starts)

    def rows(self, **query):
        return run_rows(self.home, **query)

    def wait_for(self, condition, timeout: float = 15.0):
        return wait_until(condition, timeout, lambda: f"journal: {self.events()}")


def run_rows(home: Path, **query) -> list:
    """The service's run log rows (none before the service created it)."""
    if not (home / "jobs.sqlite").exists():
        return []
    log = RunLog(f"sqlite:///{home / 'jobs.sqlite'}")
    try:
        return log.recent(**query)
    finally:
        log.close()


def wait_until(condition, timeout: float, describe):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s; {describe()}")


@pytest.fixture
def rig(tmp_path) -> Rig:
    return Rig(tmp_path)


def assert_no_overlap(spans):
    for (_, end), (next_start, _) in zip(spans, spans[1:]):
        assert end <= next_start, f"two crawls of one outlet overlapped: {spans}"


def test_jobs_fire_on_schedule_each_run_is_recorded_and_adaptive_cadence_moves(rig):
    # "b" is adaptive: the stand-in adds 2 articles per run, under the target of 5, so
    # it is backed off by half again per run up to its 2 s bound: 1 s -> 1.5 s -> 2 s.
    adaptive = OutletTiming("b", "1s", adaptive=(1, 2))
    service = rig.service([OutletTiming("a", "1s"), adaptive])
    service.start()
    try:
        rig.wait_for(lambda: len([r for r in rig.rows(outlet="a") if r.outcome]) >= 2
                     and [j.trigger for j in service.jobs() if j.outlet == "b"] == ["interval[0:00:02]"])
    finally:
        service.stop()
    rows = rig.rows()
    assert {row.outlet for row in rows} == {"a", "b"}
    for row in rows:
        assert row.outcome in ("ok", "interrupted"), row
        assert row.scheduled_at and row.started and row.finished and row.pid
        if row.outcome == "ok":
            assert row.exit_code == 0 and row.stats["outlets"][row.outlet]["articles_added"] == 2
    assert len([r for r in rows if r.outlet == "b" and r.outcome == "ok"]) >= 2
    health = json.loads((rig.home / "health.json").read_text())
    assert set(health["outlets"]) == {"a", "b"}
    assert health["outlets"]["a"]["last_new_article"]
    assert not list((rig.home / "runs").glob("*.json")), "stats files are folded into the run log"
    log = RunLog(f"sqlite:///{rig.home / 'jobs.sqlite'}")
    assert (log.interval("a"), log.interval("b")) == (None, 2.0)
    log.close()
    again = rig.service([OutletTiming("a", "1s"), adaptive])
    again.start()
    try:
        assert {j.outlet: j.trigger for j in again.jobs()}["b"] == "interval[0:00:02]", "kept across restarts"
    finally:
        again.stop()


def test_a_slow_crawl_is_never_overlapped(rig):
    service = rig.service([OutletTiming("a", "1s")], command=rig.command(seconds=1.2))
    service.start()
    try:
        rig.wait_for(lambda: len(rig.spans("a")) >= 2, timeout=20)
    finally:
        service.stop()
    spans = rig.spans("a")
    assert_no_overlap(spans)
    assert all(end < float("inf") for _, end in spans), "stop() waits for the running crawl"


def test_a_crawl_past_its_time_limit_is_stopped_and_recorded_as_timeout(rig):
    stubborn = rig.command(seconds=60, on_term="ignore")  # only SIGKILL ends it
    archive = rig.home.parent / "archive"
    service = rig.service([OutletTiming("a", "1h")], command=stubborn, max_runtime=1, stop_grace=0.5,
                          archive=str(archive))
    service.start()
    started = time.monotonic()
    try:
        service.run_outlet("a", None)
    finally:
        service.stop()
    assert time.monotonic() - started < 5
    (row,) = rig.rows()
    assert (row.outcome, row.exit_code, row.note) == ("timeout", -signal.SIGKILL, "stopped after 1 s (--max-runtime)")
    with pytest.raises(ProcessLookupError):
        os.kill(row.pid, 0)
    # The crawl was killed before writing its run record: the service wrote one.
    (path,) = archive.glob(f"runs/*/*/*/{row.run_id}.json")
    record = json.loads(path.read_text())
    assert (record["outcome"], record["outlets"], record["pid"]) == ("timeout", {"a": {}}, row.pid)


def test_stopping_the_service_stops_running_crawls_cleanly(rig):
    service = rig.service([OutletTiming("a", "1s")], command=rig.command(seconds=60))
    service.start()
    rig.wait_for(lambda: rig.spans("a"))
    started = time.monotonic()
    service.stop()
    assert time.monotonic() - started < 10, "stop() waited for the crawl, not the whole grace period"
    (row,) = rig.rows()
    assert (row.outcome, row.exit_code) == ("interrupted", 130)
    assert [e["event"] for e in rig.events()] == ["start", "end"], "the crawl ran its own shutdown"


def test_config_changes_are_reconciled_with_the_job_store(rig):
    first = rig.service([OutletTiming("a", "1h"), OutletTiming("b", "2h")])
    first.start()
    kept = {job.outlet: job.next_run for job in first.jobs()}
    first.stop()
    second = rig.service([OutletTiming("a", "1h"), OutletTiming("c", "*/5 * * * *")])
    second.start()
    try:
        jobs = {job.outlet: job for job in second.jobs()}
    finally:
        second.stop()
    assert sorted(jobs) == ["a", "c"]
    assert jobs["a"].next_run == kept["a"], "an unchanged job keeps its stored next run"
    assert "minute='*/5'" in jobs["c"].trigger


def start_service(rig: Rig, schedule: str, seconds: float | Path) -> subprocess.Popen:
    template = "\x1f".join(rig.command(seconds=seconds).template)
    return subprocess.Popen([sys.executable, "-c", SERVICE, str(rig.home), template, schedule], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop_service(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr.decode()


def test_a_crawl_orphaned_by_a_killed_service_still_holds_its_outlet(rig, tmp_path):
    release = tmp_path / "release"  # crawls run until this file exists
    service = start_service(rig, "1s", seconds=release)
    try:
        rig.wait_for(lambda: rig.spans("a"))
    finally:
        service.kill()
        service.wait()
    service = start_service(rig, "1s", seconds=release)
    try:
        rig.wait_for(lambda: [r for r in rig.rows() if r.outcome == "skipped"])
        release.touch()
        rig.wait_for(lambda: len(rig.spans("a")) >= 2 and all(end < float("inf") for _, end in rig.spans("a")))
    finally:
        stop_service(service)
    assert_no_overlap(rig.spans("a"))
    rows = rig.rows()
    orphan = [r for r in rows if r.note == "the service stopped before this run ended"]
    assert len(orphan) == 1 and orphan[0].outcome == "ok", rows
    skipped = [r for r in rows if r.outcome == "skipped"]
    assert all(r.note == f"previous crawl ({socket.gethostname()}:{orphan[0].pid}) still running" for r in skipped)
    assert all(r.outcome for r in rows), "every run ends with an outcome"


def test_neither_stopping_nor_listing_consumes_a_due_run(rig):
    service = rig.service([OutletTiming("a", "1s")])
    service.start()
    rig.wait_for(lambda: rig.rows())
    service.stop()
    url = f"sqlite:///{rig.home / 'jobs.sqlite'}"
    lock_for = rig.service([]).lock
    (stored,) = list_jobs(url, lock_for)
    time.sleep(max((stored.next_run - datetime.now(timezone.utc)).total_seconds(), 0) + 0.3)
    assert [job.next_run for job in list_jobs(url, lock_for)] == [stored.next_run]
    assert [job.next_run for job in list_jobs(url, lock_for)] == [stored.next_run], "the due run is still due"


def test_a_crawl_command_that_cannot_start_is_a_failed_run(rig):
    service = rig.service([OutletTiming("a", "1h")], command=CrawlCommand((str(rig.home / "missing"), "{outlet}")),
                          archive=str(rig.home.parent / "archive"))
    service.start()
    try:
        service.run_outlet("a", None)
    finally:
        service.stop()
    (row,) = rig.rows()
    assert row.outcome == "failed" and row.note.startswith(f"could not start '{rig.home / 'missing'}'")
    (path,) = (rig.home.parent / "archive").glob("runs/*/*/*/*.json")
    assert json.loads(path.read_text())["note"] == row.note


def test_a_second_signal_kills_crawls_instead_of_waiting(rig):
    template = "\x1f".join(rig.command(seconds=60, on_term="ignore").template)
    service = subprocess.Popen([sys.executable, "-c", SERVICE, str(rig.home), template, "1s"], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rig.wait_for(lambda: rig.spans("a"))
    service.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert service.poll() is None, "still waiting for the crawl (grace 5 s)"
    service.send_signal(signal.SIGINT)
    assert service.wait(timeout=3) == 0
    (row,) = rig.rows()
    assert (row.outcome, row.exit_code) == ("interrupted", -signal.SIGKILL)


def test_one_service_per_home(rig):
    first = rig.service([OutletTiming("a", "1h")])
    first.start()
    try:
        with pytest.raises(SchedulerError, match=r"another `newsarchive schedule` \(\S+:\d+\) is running with"):
            rig.service([OutletTiming("a", "1h")]).start()
    finally:
        first.stop()
    second = rig.service([OutletTiming("a", "1h")])
    second.start()  # free again once the first has stopped
    second.stop()


def test_with_redis_the_outlet_lock_is_shared_and_handed_to_the_crawl(rig, redis_db):
    from archive import store_from_uri
    from crawler.service.locks import HANDOFF_ENV, outlet_lock

    archive = str(rig.home.parent / "archive")
    elsewhere = outlet_lock("a", home=rig.home.parent / "other-home", archive_store=store_from_uri(archive),
                            redis_url=redis_db)
    assert elsewhere.acquire()  # a crawl of "a" on another machine
    env_dump = rig.home.parent / "env.json"
    program = rig.home.parent / "env_dump.py"
    program.write_text(f"import json, os\njson.dump(dict(os.environ), open({str(env_dump)!r}, 'w'))\n")
    service = rig.service([OutletTiming("a", "1h")], archive=archive, redis_url=redis_db,
                          command=CrawlCommand((sys.executable, str(program), "{outlet}")))
    service.start()
    try:
        service.run_outlet("a", None)
        elsewhere.release()
        service.run_outlet("a", None)
    finally:
        service.stop()
    skipped, ran = sorted(rig.rows(), key=lambda row: row.started)
    assert (skipped.outcome, skipped.note) == ("skipped", f"previous crawl ({socket.gethostname()}:{os.getpid()}) "
                                                          "still running")
    assert (ran.outcome, ran.exit_code) == ("ok", 0)  # ran under the lock
    assert json.loads(json.loads(env_dump.read_text())[HANDOFF_ENV])["a"].startswith("token:")
    assert service.lock("a").holder() is None, "released after the run"
