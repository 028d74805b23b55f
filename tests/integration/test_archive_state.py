"""Crawl state belongs to the archive: a second archive is complete, a fresh machine
pointed at an existing archive crawls it incrementally."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.cli import newsarchive
from tests.sim import OutletSimulator

OUTLET = "harbour-herald"
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=0")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with OutletSimulator([OUTLET]) as simulator:
        yield simulator, simulator.write_config(tmp_path_factory.mktemp("sim") / "sim.yaml")


def _crawl(config: Path, archive: Path, home: Path, stats: Path) -> dict:
    newsarchive("crawl", OUTLET, "--config", str(config), "--archive", str(archive), "-q", "--stats-json", str(stats),
                *FAST, env={"NEWSARCHIVE_HOME": str(home)})
    return json.loads(stats.read_text())["totals"]


def _record_types(archive: Path) -> list[str]:
    types = []
    for path in archive.glob("warc/**/*.warc.gz"):
        with path.open("rb") as stream:
            types += [record.rec_type for record in ArchiveIterator(stream)]
    return types


def test_a_second_archive_from_the_same_home_is_complete(sim, tmp_path):
    simulator, config = sim
    home = tmp_path / "home"
    first = _crawl(config, tmp_path / "a", home, tmp_path / "a.json")
    second = _crawl(config, tmp_path / "b", home, tmp_path / "b.json")
    expected = simulator.expected_articles(OUTLET)
    assert first["articles_added"] == second["articles_added"] == len(expected)
    urls = {json.loads(p.read_text())["url"] for p in (tmp_path / "b").glob("articles/**/*.json")}
    assert urls == expected
    assert "revisit" not in _record_types(tmp_path / "b")  # nothing points into the other archive
    verify = newsarchive("verify", "--archive", str(tmp_path / "b"))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_fresh_home_rebuilds_the_state_from_the_archive_and_crawls_incrementally(sim, tmp_path):
    simulator, config = sim
    archive = tmp_path / "archive"
    _crawl(config, archive, tmp_path / "machine-1", tmp_path / "one.json")
    seen = len(simulator.requests(OUTLET))
    again = _crawl(config, archive, tmp_path / "machine-2", tmp_path / "two.json")
    expected = simulator.expected_articles(OUTLET)
    assert again["articles_added"] == again["articles_updated"] == 0
    assert again["unchanged"] == len(expected)
    article_paths = {url.split("/", 3)[3] for url in expected}
    conditional = [r for r in simulator.requests(OUTLET)[seen:]
                   if r.path.lstrip("/") in article_paths and r.headers.get("If-None-Match")]
    assert len(conditional) == len(expected)  # validators came back from the archive's records
