"""Many workers, one archive: separate processes (each with its own home, as on separate
machines) share one crawl through a real redis-server and archive exactly what one would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis

from archive import LocalStore
from archive.local import archive_id
from crawler.rediskeys import RedisKeys
from tests.cli import newsarchive
from tests.sim import OutletSimulator

OUTLET = "harbour-herald"
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1",
        "-s", "NEWSARCHIVE_EXTRACT_WORKERS=1", "-s", "NEWSARCHIVE_REDIS_LEASE=2", "-s", "NEWSARCHIVE_REDIS_IDLE=2",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4")


@pytest.fixture
def site(tmp_path):
    with OutletSimulator([OUTLET]) as sim:
        for _ in range(150):
            sim.add_article(OUTLET)
        sim.set_delay(OUTLET, 0.05)  # slow enough that every worker gets a share
        yield sim, sim.write_config(tmp_path / "sim.yaml")


def _start(tmp_path: Path, name: str, command: list[str], redis_url: str,
           archive: str | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ, NEWSARCHIVE_HOME=str(tmp_path / f"home-{name}"), PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", *command, "--archive", archive or str(tmp_path / "archive"), "--redis", redis_url,
         "-q", "--stats-json", str(tmp_path / f"{name}.json"), *FAST],
        env=env, stdout=(tmp_path / f"{name}.log").open("w"), stderr=subprocess.STDOUT, text=True,
    )


def _added(archive: Path, run_id: str | None = None) -> Counter[str]:
    """How often each article id was archived as added, over every run's manifest (or one run's)."""
    counts: Counter[str] = Counter()
    for manifest in archive.glob("manifests/**/*.jsonl"):
        for line in manifest.read_text().splitlines():
            entry = json.loads(line)
            if entry["kind"] == "article" and entry["change"] == "added" and run_id in (None, entry["run_id"]):
                counts[entry["id"]] += 1
    return counts


def _archived_urls(archive: Path) -> set[str]:
    return {json.loads(p.read_text())["url"] for p in archive.glob("articles/**/*.json")}


def test_three_workers_archive_each_article_once_and_exit_by_themselves(site, tmp_path, redis_db):
    sim, config = site
    workers = {
        "seeder": _start(tmp_path, "seeder", ["crawl", OUTLET, "--config", str(config)], redis_db),
        "w1": _start(tmp_path, "w1", ["worker", "--config", str(config)], redis_db),
        "w2": _start(tmp_path, "w2", ["worker", "--config", str(config)], redis_db),
    }
    codes = {name: proc.wait(timeout=240) for name, proc in workers.items()}
    logs = {name: (tmp_path / f"{name}.log").read_text() for name in workers}
    records = {name: json.loads((tmp_path / f"{name}.json").read_text()) for name in workers}
    for name, record in records.items():
        # The simulated outlet links one page that is gone: a 404 is the only error allowed.
        assert set(record["totals"]["errors"]) <= {"http_404"}, (name, record["totals"], logs[name])
        assert codes[name] == (1 if record["totals"]["errors"] else 0), (name, logs[name])
        assert record["totals"]["pages_fetched"] > 0, f"{name} did no part of the crawl"
        assert "Traceback" not in logs[name], logs[name]
    archive = tmp_path / "archive"
    expected = sim.expected_articles(OUTLET)
    assert _archived_urls(archive) == expected
    added = _added(archive)
    assert len(added) == len(expected) and set(added.values()) == {1}
    assert sum(r["totals"]["articles_added"] for r in records.values()) == len(expected)
    # The crawl's seen filter is gone with the crawl; the queue is empty.
    keys = RedisKeys(archive_id(LocalStore(archive)))
    client = redis.Redis.from_url(redis_db)
    assert not client.exists(keys.seen) and client.zcard(keys.queue) == 0 and client.zcard(keys.leases) == 0
    status = newsarchive("workers", "--archive", str(archive), "--redis", redis_db, "--json", check=True)
    beats = json.loads(status.stdout)["workers"]
    assert len(beats) == 3 and all(b["state"] == "exited" for b in beats.values())
    # A second crawl over the shared state archives nothing new.
    again = newsarchive("crawl", OUTLET, "--config", str(config), "--archive", str(archive), "--redis", redis_db,
                        "-q", "--stats-json", str(tmp_path / "again.json"), *FAST,
                        env={"NEWSARCHIVE_HOME": str(tmp_path / "home-third")}, timeout=240)
    totals = json.loads((tmp_path / "again.json").read_text())["totals"]
    assert totals["articles_added"] == 0 and totals["articles_updated"] == 0, again.stderr


def test_a_worker_killed_mid_crawl_loses_no_article(site, tmp_path, redis_db):
    sim, config = site
    # The victim is caught by its heartbeat (every lease/3 s): at 0.05 s a page, a worker
    # ran from 8 pages to 43 between two beats and the crawl was over before one showed
    # it holding work. At 0.25 s the crawl spans several beats.
    sim.set_delay(OUTLET, 0.25)
    archive = tmp_path / "archive"
    keys = RedisKeys(archive_id(LocalStore(archive)))
    client = redis.Redis.from_url(redis_db)
    seeder = _start(tmp_path, "seeder", ["crawl", OUTLET, "--config", str(config)], redis_db)
    victim = _start(tmp_path, "victim", ["worker", "--config", str(config)], redis_db)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        beats = [json.loads(raw) for raw in client.hvals(keys.workers)]
        if any(b["pid"] == victim.pid and b["pages"] >= 10 and b["held"] for b in beats):
            break
        if victim.poll() is not None or seeder.poll() is not None:
            pytest.fail(f"the crawl ended before the victim was seen holding work: {beats}")
        time.sleep(0.05)
    else:
        pytest.fail("the victim never got to work")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert seeder.wait(timeout=240) in (0, 1), (tmp_path / "seeder.log").read_text()
    # The killed machine comes back: what it had written waits in its spool.
    newsarchive("flush", "--archive", str(archive), env={"NEWSARCHIVE_HOME": str(tmp_path / "home-victim")}, check=True)
    expected = sim.expected_articles(OUTLET)
    assert _archived_urls(archive) == expected
    added = _added(archive)
    assert len(added) == len(expected)
    assert len(list(archive.glob("articles/**/*.json"))) == len(expected)  # one JSON object each
    # Leases make delivery at-least-once: a page the victim had extracted but not yet
    # acknowledged when it died is extracted again by the survivor (same id, same key:
    # one object; its manifest says so twice). Only those in flight may be doubled.
    survivor = _added(archive, json.loads((tmp_path / "seeder.json").read_text())["run_id"])
    doubled = {i for i, count in added.items() if count > 1}
    assert all(count == 1 for count in survivor.values())
    assert len(doubled) <= 16, doubled  # CONCURRENT_REQUESTS: the most a worker holds at once
    beats = [json.loads(raw) for raw in client.hvals(keys.workers)]
    assert sum(b["requeued"] for b in beats if b["pid"] == seeder.pid) >= 1  # the victim's leases came back
    check = subprocess.run([str(Path(sys.executable).parent / "warcio"), "check",
                            *map(str, archive.glob("warc/**/*.warc.gz"))], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    verify = newsarchive("verify", "--archive", str(archive))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_workers_on_separate_homes_share_one_bucket(tmp_path, redis_db, s3):
    with OutletSimulator([OUTLET]) as sim:
        for _ in range(30):
            sim.add_article(OUTLET)
        sim.set_delay(OUTLET, 0.05)
        config = sim.write_config(tmp_path / "sim.yaml")
        bucket = "s3://news/shared"
        procs = [_start(tmp_path, "seeder", ["crawl", OUTLET, "--config", str(config)], redis_db, bucket),
                 _start(tmp_path, "w1", ["worker", "--config", str(config)], redis_db, bucket)]
        for proc in procs:
            assert proc.wait(timeout=240) in (0, 1)
        expected = sim.expected_articles(OUTLET)
    client = s3.client()
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket="news", Prefix="shared/")
            for o in page.get("Contents", [])]
    articles = [k for k in keys if k.startswith("shared/articles/") and k.endswith(".json")]
    urls = {json.loads(client.get_object(Bucket="news", Key=k)["Body"].read())["url"] for k in articles}
    assert urls == expected and len(articles) == len(expected)
    # Each worker's own run record and manifest reached the bucket (which did how much
    # varies with timing on a small site; the three-worker test checks the split).
    assert len([k for k in keys if k.startswith("shared/runs/")]) == 2
    assert not [p for home in tmp_path.glob("home-*") for p in (home / "spool").rglob("*")
                if p.is_file() and p.suffix != ".uri"], "every spool uploaded"
