"""Scheduler pieces without a running service: triggers, cadence, outcomes, lock, run log."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.service.jobs import CrawlCommand, crawl_outcome
from crawler.service.locks import FileLock
from crawler.service.runlog import RunLog, RunRow
from crawler.service.service import OutletTiming, adapt_interval, make_trigger, row_runs

UTC = timezone.utc
SUNDAY = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 2026-11-01 is a Sunday


def next_fire(trigger, after):
    return trigger.get_next_fire_time(None, after)


def test_cron_weekday_numbers_mean_what_cron_means():
    weekdays = make_trigger(OutletTiming("a", "0 9 * * 1-5"))
    assert next_fire(weekdays, SUNDAY) == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday
    sundays = make_trigger(OutletTiming("a", "30 6 * * 0"))
    assert next_fire(sundays, SUNDAY) == datetime(2026, 11, 8, 6, 30, tzinfo=UTC)
    every_day = make_trigger(OutletTiming("a", "0 0 * * 0-6"))
    assert next_fire(every_day, SUNDAY) == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)


def test_cron_and_interval_schedules_with_jitter():
    half_hourly = make_trigger(OutletTiming("a", "*/30 * * * *"))
    assert next_fire(half_hourly, SUNDAY + timedelta(minutes=1)) == SUNDAY + timedelta(minutes=30)
    interval = make_trigger(OutletTiming("a", "2h", jitter_seconds=60))
    assert interval.interval == timedelta(hours=2) and interval.jitter == 60


def test_adaptive_outlets_run_on_their_adapted_interval_within_bounds():
    timing = OutletTiming("a", "*/30 * * * *", adaptive=(600, 7200))
    assert make_trigger(timing).interval == timedelta(seconds=600)  # cron: start at the shortest
    assert make_trigger(OutletTiming("a", "1h", adaptive=(600, 7200))).interval == timedelta(hours=1)
    assert make_trigger(timing, adapted=1800).interval == timedelta(seconds=1800)


@pytest.mark.parametrize(
    "added,expected",
    [(0, 1500), (1, 1500), (5, 1000), (10, 500), (100, 500)],
)
def test_adapt_interval_aims_at_a_handful_of_new_articles(added, expected):
    assert adapt_interval(1000, added, (100, 10_000)) == expected


def test_adapt_interval_stays_within_bounds():
    assert adapt_interval(900, 0, (300, 1000)) == 1000
    assert adapt_interval(400, 50, (300, 1000)) == 300


@pytest.mark.parametrize(
    "code,stats,timed_out,stopped,expected",
    [
        (0, None, False, False, "ok"),
        (1, None, False, False, "errors"),
        (2, None, False, False, "failed"),
        (130, None, False, False, "interrupted"),
        (-15, None, False, True, "interrupted"),
        (-9, None, False, False, "failed"),
        (1, {"outcome": "failed"}, False, False, "failed"),
        (130, {"outcome": "interrupted"}, True, False, "timeout"),
        (1, {"outcome": "ok"}, False, False, "errors"),  # crawled fine, but data still spooled
        (0, {"outcome": "errors"}, False, False, "errors"),
        (-9, {"outcome": "ok"}, False, False, "ok"),  # killed after its record was written
    ],
)
def test_crawl_outcome(code, stats, timed_out, stopped, expected):
    assert crawl_outcome(code, stats, timed_out=timed_out, stopped=stopped) == expected


def test_crawl_command_fills_placeholders():
    command = CrawlCommand.newsarchive("/py", configs=["/c.yaml"], archive="s3://news/x")
    argv = command.argv(outlet="ria", run_id="r1", stats_json=Path("/h/runs/r1.json"))
    assert argv == ["/py", "-m", "crawler.cli", "crawl", "ria", "--config", "/c.yaml", "--archive", "s3://news/x",
                    "--run-id", "r1", "--stats-json", "/h/runs/r1.json", "--quiet"]
    assert command.mode == "local"


@pytest.mark.parametrize("enqueue,mode,extra", [(False, "redis", []), (True, "enqueue", ["--enqueue-only"])])
def test_crawl_command_for_redis_workers_or_enqueueing(enqueue, mode, extra):
    command = CrawlCommand.newsarchive("/py", archive="s3://news/x", redis_url="redis://r:6379/0", enqueue=enqueue)
    argv = command.with_args("-s", "A=1").argv(outlet="ria", run_id="r1", stats_json=Path("/h/runs/r1.json"))
    assert argv == ["/py", "-m", "crawler.cli", "crawl", "ria", "--archive", "s3://news/x",
                    *extra, "--run-id", "r1", "--stats-json", "/h/runs/r1.json", "--quiet", "-s", "A=1"]
    assert command.with_args("-s", "A=1").mode == mode
    # The URL (it may carry a password) goes in the environment, where `ps` does not show it.
    assert dict(command.with_args("-s", "A=1").env) == {"NEWSARCHIVE_REDIS": "redis://r:6379/0"}
    with pytest.raises(ValueError, match="needs a Redis URL"):
        CrawlCommand.newsarchive("/py", enqueue=True)


def test_the_lock_outlives_its_holder_while_a_child_keeps_it(tmp_path):
    path = tmp_path / "locks" / "a.lock"
    first = FileLock(path)
    assert first.acquire()
    assert not FileLock(path).acquire()
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE,
                             pass_fds=[first.fileno()])
    first.note_holder(child.pid)
    first.release()  # the service's side is gone (as when it is killed)...
    try:
        other = FileLock(path)
        assert not other.acquire()  # ...but the crawl still holds the outlet
        assert other.holder() == f"{socket.gethostname()}:{child.pid}"
    finally:
        child.communicate(b"")
    assert FileLock(path).acquire()


def test_run_log_opens_a_store_another_process_is_creating(tmp_path):
    """The service and `schedule status` may open a new store at once: both check, both
    create; the one that loses the race still opens it (CI caught this as a failed test)."""
    import sqlite3

    from sqlalchemy import event

    from crawler.service import runlog

    path = tmp_path / "jobs.sqlite"

    raced = []

    def the_other_process_wins(target, connection, **kw):
        if not raced:
            raced.append(True)
            with sqlite3.connect(path) as other:
                other.execute("CREATE TABLE newsarchive_cadence (outlet VARCHAR(120) PRIMARY KEY, "
                              "interval_seconds FLOAT NOT NULL, updated VARCHAR(40) NOT NULL)")

    event.listen(runlog._cadence, "before_create", the_other_process_wins)
    try:
        log = RunLog(f"sqlite:///{path}")
    finally:
        event.remove(runlog._cadence, "before_create", the_other_process_wins)
    assert raced
    log.set_interval("a", 60.0, datetime(2026, 11, 1, tzinfo=UTC))
    assert (log.interval("a"), log.recent()) == (60.0, [])
    log.close()


def test_run_log_rows_and_cadence_round_trip(tmp_path):
    log = RunLog(f"sqlite:///{tmp_path / 'jobs.sqlite'}")
    t = datetime(2026, 11, 1, tzinfo=UTC)
    log.begin(run_id="r1", outlet="a", scheduled_at=t, started=t, pid=42)
    log.begin(run_id="r2", outlet="b", scheduled_at=None, started=t + timedelta(minutes=1), pid=43)
    assert [row.run_id for row in log.unfinished()] == ["r1", "r2"]
    record = {"started": t.isoformat(), "outcome": "ok", "outlets": {"a": {"articles_added": 2}}}
    log.finish("r1", finished=t + timedelta(minutes=2), outcome="ok", exit_code=0, stats=record)
    log.record(RunRow("r3", "a", None, (t + timedelta(minutes=3)).isoformat(), None, "skipped", None, None, None, "busy"))
    assert [row.run_id for row in log.recent()] == ["r3", "r2", "r1"]
    assert [row.run_id for row in log.recent(outlet="a", limit=1)] == ["r3"]
    assert [row.run_id for row in log.recent(since=t + timedelta(seconds=30))] == ["r3", "r2"]
    r1 = log.recent(outlet="a")[1]
    assert (r1.outcome, r1.exit_code, r1.stats) == ("ok", 0, record)
    assert [run.outlet for run in row_runs(r1)] == ["a"]
    assert row_runs(log.recent(outlet="a")[0]) == []  # skipped runs say nothing about health
    assert log.interval("a") is None
    log.set_interval("a", 900, t)
    log.set_interval("a", 450, t)
    assert log.interval("a") == 450
    log.close()
