"""Runs started by hand in the run log: begun when they start, completed with their exit
status; a run whose process is gone without an end is "lost"; old run logs still load."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from crawler.cli import main
from crawler.cli.runrecord import recorded_run
from crawler.service.jobs import RECORDED_ENV, CrawlProcess
from crawler.service.runlog import RunLog, RunRow, as_seen
from crawler.service.service import default_jobstore_url

NOW = datetime.now(timezone.utc)
RECORD = {"run_id": "r", "started": NOW.isoformat(), "outcome": "ok",
          "outlets": {"ria": {"articles_added": 2}, "tass-en": {"articles_added": 1}},
          "totals": {"articles_added": 3}}


@pytest.fixture(autouse=True)
def archive(tmp_path, monkeypatch, home):
    monkeypatch.delenv(RECORDED_ENV, raising=False)
    monkeypatch.setenv("NEWSARCHIVE_ARCHIVE", str(tmp_path / "archive"))
    return tmp_path / "archive"


def rows(home) -> dict[str, RunRow]:
    log = RunLog(default_jobstore_url(home))
    try:
        return {row.run_id: row for row in log.recent()}
    finally:
        log.close()


def runs_json(*args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["runs", "--json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def a_dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_is_in_the_log_while_it_runs_and_ends_with_its_exit_status(home):
    with pytest.raises(SystemExit), recorded_run("crawl", "r", "ria,tass-en") as run:
        (row,) = rows(home).values()
        assert (row.run_id, row.outlet, row.outcome, row.host) == ("r", "ria,tass-en", None, socket.gethostname())
        assert as_seen(row).outcome == "running"
        run.stats = RECORD
        sys.exit(1)  # e.g. data left in the spool: the record says ok, the exit says otherwise
    row = rows(home)["r"]
    assert (row.outcome, row.exit_code, row.stats, row.finished is not None) == ("errors", 1, RECORD, True)
    (shown,) = runs_json()
    assert (shown["outcome"], shown["exit_code"], shown["outlet"]) == ("errors", 1, "ria,tass-en")
    assert [r["run_id"] for r in runs_json("--outlet", "tass-en")] == ["r"]
    assert runs_json("--outlet", "tass") == []


@pytest.mark.parametrize(("raised", "outcome", "code", "note"), [
    (SystemExit(0), "ok", 0, None),
    (SystemExit(130), "interrupted", 130, None),
    (SystemExit(2), "failed", 2, None),  # a set-up error
    (KeyboardInterrupt(), "interrupted", 130, None),
    (RuntimeError("boom"), "failed", 1, "RuntimeError: boom"),
])
def test_however_the_command_ends_its_status_is_recorded(home, raised, outcome, code, note):
    with pytest.raises(type(raised)), recorded_run("fetch", "f", ""):
        raise raised
    row = rows(home)["f"]
    assert (row.outcome, row.exit_code, row.note) == (outcome, code, note)


def test_a_worker_row_names_the_outlets_it_crawled_at_its_end(home):
    with recorded_run("worker", "w", "a,b,c,ria,tass-en") as run:
        run.stats = RECORD
    assert rows(home)["w"].outlet == "ria,tass-en"


def test_a_crawl_the_service_started_is_recorded_by_the_service_only(home, tmp_path, monkeypatch):
    check = "import os, sys; sys.exit(0 if os.environ.get(%r) else 5)" % RECORDED_ENV
    assert CrawlProcess([sys.executable, "-c", check], log_path=tmp_path / "log").wait(30) == 0
    monkeypatch.setenv(RECORDED_ENV, "1")
    with recorded_run("crawl", "scheduled", "ria"):
        pass
    assert rows(home) == {}


def test_a_run_whose_process_is_gone_is_lost_not_running(home):
    log = RunLog(default_jobstore_url(home))
    started = NOW - timedelta(minutes=5)
    log.begin(run_id="killed", outlet="ria", scheduled_at=None, started=started, pid=a_dead_pid())
    log.begin(run_id="alive", outlet="ria", scheduled_at=None, started=NOW, pid=subprocess.os.getpid())
    log.begin(run_id="elsewhere", outlet="ria", scheduled_at=None, started=started, pid=a_dead_pid(),
              host="another-machine")
    log.close()
    shown = {row["run_id"]: row for row in runs_json()}
    assert shown["killed"]["outcome"] == "lost" and shown["killed"]["exit_code"] is None
    assert "ended without recording its end (killed, e.g. kill -9, or crashed)" in shown["killed"]["note"]
    assert shown["alive"]["outcome"] == "running"
    assert shown["elsewhere"]["outcome"] == "running"  # cannot be told from here
    table = CliRunner().invoke(main, ["runs"]).stdout
    (line,) = [line for line in table.splitlines() if line.startswith("│ killed ")]
    assert "│ lost " in line and "│    - │" in line


def test_a_pid_reused_by_a_younger_process_is_not_the_run(home):
    row = RunRow(run_id="x", outlet="ria", scheduled_at=None, started=(NOW - timedelta(hours=1)).isoformat(),
                 finished=None, outcome=None, exit_code=None, pid=subprocess.os.getpid(), stats=None, note=None,
                 host=socket.gethostname())
    assert as_seen(row).outcome == "lost"
    assert as_seen(RunRow(**{**row.to_dict(), "started": NOW.isoformat()})).outcome == "running"


def test_a_run_log_written_before_hosts_were_kept_still_loads_and_grows(home):
    home.mkdir(parents=True)
    db = sqlite3.connect(home / "jobs.sqlite")
    db.executescript("""
        CREATE TABLE newsarchive_runs (
            run_id VARCHAR(120) NOT NULL PRIMARY KEY, outlet VARCHAR(120) NOT NULL, scheduled_at VARCHAR(40),
            started VARCHAR(40) NOT NULL, finished VARCHAR(40), outcome VARCHAR(20), exit_code INTEGER,
            pid INTEGER, stats TEXT, note TEXT);
        CREATE TABLE newsarchive_cadence (
            outlet VARCHAR(120) NOT NULL PRIMARY KEY, interval_seconds FLOAT NOT NULL, updated VARCHAR(40) NOT NULL);
    """)
    old = (NOW - timedelta(hours=1)).isoformat()
    db.execute("INSERT INTO newsarchive_runs VALUES ('old', 'ria', NULL, ?, ?, 'ok', 0, 7, NULL, NULL)", (old, old))
    db.execute("INSERT INTO newsarchive_runs VALUES ('old-open', 'ria', NULL, ?, NULL, NULL, NULL, ?, NULL, NULL)",
               (old, a_dead_pid()))
    db.commit()
    db.close()
    with recorded_run("crawl", "new", "ria"):
        pass
    shown = {row["run_id"]: row for row in runs_json()}
    assert (shown["old"]["outcome"], shown["old"]["exit_code"], shown["old"]["host"]) == ("ok", 0, None)
    assert shown["old-open"]["outcome"] == "running"  # no host: whose pid it is cannot be told
    assert (shown["new"]["outcome"], shown["new"]["exit_code"], shown["new"]["host"], shown["new"]["command"]) == (
        "ok", 0, socket.gethostname(), "crawl")


def test_the_service_settles_only_its_own_unfinished_runs(home):
    with pytest.raises(SystemExit), recorded_run("crawl", "by-hand", "ria,tass-en"):
        log = RunLog(default_jobstore_url(home))
        log.begin(run_id="scheduled", outlet="ria", scheduled_at=NOW, started=NOW, pid=a_dead_pid())
        # A crawl by hand may hold other locks than the service's: it is not the service's to settle.
        assert [row.run_id for row in log.unfinished()] == ["scheduled"]
        log.close()
        sys.exit(0)


def test_an_unusable_run_log_never_stops_a_run_and_says_so_once(tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path / "file"))
    with pytest.raises(SystemExit), recorded_run("fetch", "f", ""):
        sys.exit(2)  # the set-up check has already said what is wrong with the home
    assert capsys.readouterr().err == ""
    with recorded_run("fetch", "f", ""):
        pass
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("newsarchive fetch: this run is not in the run log: ")


def test_health_reads_each_outlet_of_a_crawl_by_hand(home):
    with recorded_run("crawl", "r", "ria,tass-en") as run:
        run.stats = RECORD
    document = json.loads(CliRunner().invoke(main, ["health", "--json"]).stdout)
    assert sorted(document["outlets"]) == ["ria", "tass-en"]
