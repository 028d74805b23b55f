"""The schedule/runs/health commands' edges, in-process (none of them starts a reactor)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.service.runlog import RunLog
from crawler.service.service import default_jobstore_url


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(autouse=True)
def archive(tmp_path, monkeypatch):
    """The archive in use (runs and health read its runs/ records): empty unless a test writes."""
    monkeypatch.setenv("NEWSARCHIVE_ARCHIVE", str(tmp_path / "archive"))
    return tmp_path / "archive"


def write_run_record(archive, run_id: str, started: datetime, outlet: str, outcome: str = "ok", added: int = 0):
    folder = archive / "runs" / started.strftime("%Y/%m/%d")
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"articles_added": added, "pages_fetched": 3}
    (folder / f"{run_id}.json").write_text(json.dumps({
        "run_id": run_id, "started": started.isoformat(), "finished": (started + timedelta(seconds=5)).isoformat(),
        "outcome": outcome, "outlets": {outlet: counts}, "totals": counts,
    }))


def test_schedule_refuses_unknown_outlets_and_bad_config(home, tmp_path):
    result = invoke("schedule", "no-such-outlet")
    assert result.exit_code == 2
    assert "unknown outlet(s): no-such-outlet; configured: " in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("outlets:\n  - name: ria\n    schedule: every now and then\n")
    result = invoke("schedule", "--config", str(bad))
    assert result.exit_code == 2 and str(bad) in result.output and "schedule" in result.output


def test_empty_home_lists_nothing_and_says_so(home):
    assert "no jobs stored yet" in invoke("schedule", "--list").output
    assert invoke("runs", "--json").output == ""
    result = invoke("health")
    assert result.exit_code == 0 and "no runs recorded yet" in result.output


def test_runs_and_health_read_the_run_log(home):
    now = datetime.now(timezone.utc)
    log = RunLog(default_jobstore_url(home))
    for i, outcome in enumerate(("failed", "timeout", "failed")):
        started = now - timedelta(minutes=30 * (3 - i))
        log.begin(run_id=f"r{i}", outlet="ria", scheduled_at=started, started=started, pid=100 + i)
        log.finish(f"r{i}", finished=started + timedelta(minutes=1), outcome=outcome, exit_code=1)
    log.close()
    rows = [json.loads(line) for line in invoke("runs", "--json", "--limit", "2").output.splitlines()]
    assert [row["run_id"] for row in rows] == ["r2", "r1"]
    assert "timeout" in invoke("runs").output
    result = invoke("health", "--json")
    assert result.exit_code == 3, "a flagged outlet makes health exit 3"
    (problem,) = json.loads(result.output)["problems"]
    assert problem.startswith("ria: quiet — no successful run ever (last 3: failed, timeout, failed)")


def test_a_job_store_that_cannot_be_opened_is_a_usage_error(home, tmp_path):
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'jobs.sqlite'}"
    for args in (("runs",), ("health",), ("schedule", "--list"), ("schedule", "ria")):
        result = invoke(*args, "--jobstore", url)
        assert result.exit_code == 2, (args, result.output)
        assert "cannot open the job store sqlite:///" in result.output and "check --jobstore" in result.output
    result = invoke("runs", "--jobstore", "postgresql://user:secret@127.0.0.1:1/x")
    assert result.exit_code == 2 and "secret" not in result.output


def test_enqueue_needs_redis_and_an_unreachable_redis_stops_the_service_at_once(home, monkeypatch):
    result = invoke("schedule", "--enqueue")
    assert result.exit_code == 2 and "--enqueue needs --redis" in result.output
    monkeypatch.setenv("NEWSARCHIVE_REDIS", "redis://:s3cret@127.0.0.1:1/0")
    result = invoke("schedule", "ria")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("newsarchive schedule: cannot reach Redis at redis://:***@127.0.0.1:1/0")
    assert len(result.output.splitlines()) == 1 and "s3cret" not in result.output
    assert not (home / "jobs.sqlite").exists() or not invoke("runs", "--json").output, "nothing ran"


def test_list_says_which_mode(home, redis_db):
    assert "mode: local: each run crawls the outlet in its own process" in invoke("schedule", "--list").output
    result = invoke("schedule", "--list", "--redis", redis_db)
    assert result.exit_code == 0 and "mode: redis: each run is a worker" in result.output
    result = invoke("schedule", "--list", "--redis", redis_db, "--enqueue")
    assert "mode: enqueue: each run only puts the outlet's discovery requests" in result.output
    assert "--enqueue" in invoke("schedule", "--help").output


def test_runs_and_health_read_the_archive_in_use_with_the_run_log(home, archive, tmp_path, monkeypatch):
    now = datetime.now(timezone.utc)
    log = RunLog(default_jobstore_url(home))
    started = now - timedelta(hours=2)
    log.begin(run_id="scheduled", outlet="ria", scheduled_at=started, started=started, pid=7)
    log.finish("scheduled", finished=started + timedelta(minutes=1), outcome="timeout", exit_code=None,
               note="stopped after 60 s")
    log.close()
    write_run_record(archive, "scheduled", started, "ria", outcome="interrupted")  # the same run: shown once
    write_run_record(archive, "by-hand", now - timedelta(hours=1), "tass-en", added=4)
    rows = [json.loads(line) for line in invoke("runs", "--json").output.splitlines()]
    assert [(row["run_id"], row["outcome"]) for row in rows] == [("by-hand", "ok"), ("scheduled", "timeout")]
    document = json.loads(invoke("health", "--json").output)
    assert sorted(document["outlets"]) == ["ria", "tass-en"]
    assert document["outlets"]["ria"]["runs"] == 1
    # The default archive is ./archive, as for `crawl`.
    monkeypatch.delenv("NEWSARCHIVE_ARCHIVE")
    monkeypatch.chdir(tmp_path)
    assert "by-hand" in invoke("runs").output


def test_list_shows_what_would_be_scheduled_before_the_service_ever_ran(home, tmp_path):
    config = tmp_path / "mine.yaml"
    config.write_text("outlets:\n  - name: ria\n    schedule: 2h\n")
    result = invoke("schedule", "--list", "--config", str(config), "ria")
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if "ria" in line]
    assert "interval[2:00:00]" in line and "not stored yet" in line
    (shown,) = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line)
    wait = datetime.strptime(shown, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(hours=2) - timedelta(seconds=10) < wait <= timedelta(hours=2, minutes=3)  # plus jitter
    assert "no jobs stored yet" in result.output


def test_the_service_refuses_to_start_on_an_archive_it_cannot_write(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path / "home"))
    (tmp_path / "not-a-folder").write_text("x")
    result = invoke("schedule", "--archive", str(tmp_path / "not-a-folder"))
    assert result.exit_code == 2
    assert "the archive cannot be used" in result.output and "is a file, not a folder" in result.output
    assert "Ctrl-C" not in result.output  # refused before the service started
