"""Crash safety: a crawl killed with SIGKILL at random moments, then run again to the end,
leaves every WARC valid, every expected article archived once, no record twice, and
nothing in the spool."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.cli import newsarchive
from tests.integration.test_fetch import assert_standard_warc
from tests.sim import OutletSimulator

OUTLETS = ("ria", "tass-en")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "NEWSARCHIVE_MAX_WARC_BYTES=200000"]
KILLS = 3


def _data_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".uri", ".lock")] if folder.exists() else []


def test_kill_9_at_random_moments_then_the_same_crawl_loses_and_doubles_nothing(tmp_path):
    rng = random.Random(int(os.environ.get("NEWSARCHIVE_KILL_SEED", "14")))
    archive, home = tmp_path / "archive", tmp_path / "home"
    env = dict(os.environ, NEWSARCHIVE_HOME=str(home), PYTHONUNBUFFERED="1")
    with OutletSimulator(OUTLETS) as sim:
        config = sim.write_config(tmp_path / "sim.yaml")
        for name in OUTLETS:
            # Each outlet's crawl is a chain (robots, feed, then its pages two at a time), so
            # at 0.5 s a response it lasts 4.5 s or more however fast the machine: at 0.15 s
            # a fast one finished in under 3 s, before any kill.
            sim.set_delay(name, 0.5)
        args = [sys.executable, "-m", "crawler.cli", "crawl", *OUTLETS, "--config", str(config),
                "--archive", str(archive), "-q", *FAST]
        killed = 0
        for _ in range(KILLS):
            proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            time.sleep(rng.uniform(1.5, 4.0))
            if proc.poll() is None:
                os.killpg(proc.pid, 9)   # the crawl and its extraction workers, mid-write
                killed += 1
            proc.wait()
        assert killed, "the crawl finished before any kill: slow the simulator down"
        for name in OUTLETS:
            sim.set_delay(name, 0)
        final = newsarchive("crawl", *OUTLETS, "--config", str(config), "--archive", str(archive), "-q", *FAST,
                            env={"NEWSARCHIVE_HOME": str(home)}, timeout=300)
        expected = set().union(*(sim.expected_articles(n) for n in OUTLETS))
    assert final.returncode in (0, 1), final.stderr   # 1: the simulator's deliberate 404s
    assert "Traceback" not in final.stderr

    # The spool is flushed: what the killed runs left was recovered and uploaded.
    assert _data_files(home / "spool") == []
    assert not list(archive.rglob("*.open"))

    # Every WARC is valid, and no record is there twice.
    record_ids: Counter[str] = Counter()
    for warc in sorted(archive.rglob("*.warc.gz")):
        assert_standard_warc(warc)
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                record_ids[record.rec_headers.get_header("WARC-Record-ID")] += 1
    assert [rid for rid, n in record_ids.items() if n > 1] == []

    # Every expected article once, each linked to a record that is there.
    articles = [json.loads(p.read_text()) for p in archive.glob("articles/**/*.json")]
    urls = Counter(a["url"] for a in articles)
    assert set(urls) == expected and max(urls.values()) == 1
    assert all(a["warc"]["record_id"] in record_ids for a in articles)
    verify = newsarchive("verify", "--archive", str(archive), env={"NEWSARCHIVE_HOME": str(home)})
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a small tmpfs")
def test_a_full_disk_under_the_spool_is_a_clear_error_and_the_run_resumable(tmp_path):
    """NEWSARCHIVE_HOME on a tmpfs filled to its last 150 KiB: the crawl ends with one clear
    line about the disk and no traceback; once there is room, `flush` and the same crawl
    complete the archive, and `verify` finds nothing corrupt."""
    home = tmp_path / "home"
    home.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(home)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        filler = home / "filler"
        filler.write_bytes(bytes((4 << 20) - (150 << 10)))
        archive = tmp_path / "archive"
        run_env = {"NEWSARCHIVE_HOME": str(home)}
        crawl = ["crawl", *OUTLETS, "--archive", str(archive), "-q", "-s", "DOWNLOAD_DELAY=0",
                 "-s", "AUTOTHROTTLE_ENABLED=False"]
        with OutletSimulator(OUTLETS) as sim:
            config = str(sim.write_config(tmp_path / "sim.yaml"))
            full = newsarchive(*crawl, "--config", config, env=run_env, timeout=300)
            assert full.returncode == 1, full.stderr
            assert "Traceback" not in full.stderr, full.stderr
            assert "disk under NEWSARCHIVE_HOME (the spool) is full" in full.stderr, full.stderr
            # Stopped at the first refused write: said once by the crawl, once by the command.
            said = [line for line in full.stderr.splitlines() if "is full" in line]
            assert len(said) <= 3, full.stderr
            filler.unlink()  # room again
            newsarchive("flush", "--archive", str(archive), env=run_env, check=True)
            again = newsarchive(*crawl, "--config", config, env=run_env, timeout=300)
            expected = set().union(*(sim.expected_articles(n) for n in OUTLETS))
        assert again.returncode in (0, 1), again.stderr   # 1: the simulator's deliberate 404s
        assert _data_files(home / "spool") == []
        articles = {json.loads(p.read_text())["url"] for p in archive.glob("articles/**/*.json")}
        assert articles == expected
        verify = newsarchive("verify", "--archive", str(archive), env=run_env)
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        subprocess.run(["umount", "-l", str(home)], capture_output=True)
