"""Crawls of simulated outlets: exactly the expected articles, politely, incrementally.

The simulator serves every shipped outlet's discovery structure on 127.0.0.1 (plus one
outlet defined only by a user's YAML); the real `newsarchive crawl` runs against it in
its own process, with politeness delays off so the suite stays fast.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from crawler.outlets import load_outlets
from tests.cli import BIN, newsarchive
from tests.sim import OutletSimulator

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "extract/schema/article.schema.json").read_text())
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_RETRY_BACKOFF_BASE=0.1")


def archived(archive: Path, outlet: str | None = None) -> dict[str, dict]:
    pattern = f"articles/{outlet}/**/*.json" if outlet else "articles/**/*.json"
    return {(a := json.loads(p.read_text()))["url"]: a for p in archive.glob(pattern)}


def warc_records(archive: Path) -> list[tuple[str, str | None]]:
    out = []
    for path in sorted(archive.glob("warc/**/*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
    return out


def run_record(stats_path: Path) -> dict:
    return json.loads(stats_path.read_text())


@pytest.fixture(scope="module")
def sim():
    with OutletSimulator() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def first_crawl(sim, tmp_path_factory):
    """One crawl of every simulated outlet (extraction in worker processes, as in production)."""
    root = tmp_path_factory.mktemp("crawl")
    config = sim.write_config(root / "sim.yaml")
    env = {"NEWSARCHIVE_HOME": str(root / "home")}
    archive = root / "archive"
    # Named, never --all: only simulated outlets may be crawled (nothing leaves 127.0.0.1).
    proc = newsarchive("crawl", *sim.names, "--config", str(config), "--archive", str(archive),
                       "--stats-json", str(root / "run1.json"), *FAST, env=env, timeout=240)
    return {"root": root, "config": config, "env": env, "archive": archive, "proc": proc,
            "requests": {name: list(sim.requests(name)) for name in sim.names}}


def test_crawl_finishes_and_prints_a_stats_table(first_crawl, sim):
    proc = first_crawl["proc"]
    record = run_record(first_crawl["root"] / "run1.json")
    # Exit 1 only for the simulator's deliberate 404s (feed items that are gone);
    # everything reached the archive.
    assert proc.returncode == 1 and record["outcome"] == "errors", proc.stderr
    assert set(record["totals"]["errors"]) == {"http_404"}
    assert record["archive"]["pending"] == [] and record["archive"]["storage_errors"] == []
    for name in sim.names:
        assert name in proc.stdout
    assert record["totals"]["articles_added"] == sum(len(sim.expected_articles(n)) for n in sim.names)


def test_articles_are_fetched_newest_first(first_crawl, sim):
    """Discovery orders each outlet's articles newest first and the scheduler keeps that
    order (Scrapy's default queue is last in, first out: oldest first), so a crawl cut
    short has the latest coverage."""
    in_order = out_of_order = 0
    for name in sim.names:
        expected = sim.expected_articles(name)
        fetched: list[str] = []
        for request in first_crawl["requests"][name]:
            url = sim.base_url(name) + request.path
            if url in expected and url not in fetched:
                fetched.append(url)
        published = [sim.article(url).published for url in fetched]
        for i, earlier in enumerate(published):
            for later in published[i + 1:]:
                in_order += earlier >= later
                out_of_order += earlier < later
    # Two downloads per outlet at a time, retries and undated links blur the order a little.
    assert in_order > 4 * out_of_order, (in_order, out_of_order)


def test_failed_fetches_are_listed_in_the_manifest(first_crawl):
    (manifest,) = first_crawl["archive"].glob("manifests/**/*.jsonl")
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    errors = [line for line in lines if line["kind"] == "page" and line["page_type"] == "error"]
    assert errors and all(line["reasons"][0].startswith("http_404") for line in errors)
    assert all(line["warc"] for line in errors), "the 404 response itself is archived"


def test_each_outlet_archives_exactly_its_articles(first_crawl, sim):
    archive = first_crawl["archive"]
    for name in sim.names:
        got = set(archived(archive, name))
        expected = sim.expected_articles(name)
        assert got == expected, f"{name}: missing {sorted(expected - got)}, extra {sorted(got - expected)}"
        assert not got & sim.non_articles(name), name


def test_articles_are_schema_valid_and_linked_to_their_warc_record(first_crawl):
    archive = first_crawl["archive"]
    responses = {uri for rec_type, uri in warc_records(archive) if rec_type == "response"}
    articles = archived(archive)
    assert articles
    for url, article in articles.items():
        jsonschema.validate(article, SCHEMA)
        assert article["title"] and article["text"] and article["language"], url
        assert url in responses


def test_feeds_and_sitemaps_are_archived_as_evidence(first_crawl, sim):
    specs = load_outlets([first_crawl["config"]])
    responses = {uri for rec_type, uri in warc_records(first_crawl["archive"]) if rec_type == "response"}
    for name in sim.names:
        for source in specs[name].feeds + specs[name].sitemaps:
            assert source in responses, f"{name}: {source} not archived"


def test_robots_txt_is_read_first_and_obeyed(first_crawl, sim):
    for name in sim.names:
        paths = [r.path for r in first_crawl["requests"][name]]
        assert paths and paths[0] == "/robots.txt", f"{name}: first request was {paths[:1]}"
        fetched = {sim.base_url(name) + p for p in paths}
        assert not fetched & sim.disallowed(name), name
    # Counted in the table ("robots"), not a warning per URL.
    assert "Forbidden by robots.txt" not in first_crawl["proc"].stderr


def test_warc_files_pass_warcio_check_and_index(first_crawl):
    files = sorted(first_crawl["archive"].glob("warc/**/*.warc.gz"))
    assert files
    check = subprocess.run([str(BIN / "warcio"), "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([str(BIN / "cdxj-indexer"), *map(str, files)], capture_output=True, text=True)
    assert index.returncode == 0 and index.stdout.count("\n") >= len(archived(first_crawl["archive"]))


def test_reextracting_the_crawl_from_its_warcs_changes_nothing(first_crawl):
    """Feed and sitemap hints travel in the response records, so the WARCs alone rebuild
    the same JSON (same extractor version: byte-identical, nothing reported changed)."""
    archive = first_crawl["archive"]
    hinted = 0
    for path in archive.glob("warc/**/*.warc.gz"):
        with path.open("rb") as fh:
            hinted += sum(1 for r in ArchiveIterator(fh) if r.rec_headers.get_header("Newsarchive-Hints"))
    assert hinted, "articles found through feeds and sitemaps carry their hints in the WARC"
    proc = newsarchive("reextract", "--archive", str(archive), "--config", str(first_crawl["config"]),
                       "--dry-run", "--json", env=first_crawl["env"])
    *outcomes, totals = map(json.loads, proc.stdout.splitlines())
    changes = [o for o in outcomes if o["status"] != "rejected"]  # pages the crawl rejected too
    assert not changes, changes[:3]
    assert totals["counts"]["unchanged"] == len(archived(archive))


def test_second_crawl_archives_nothing_new_and_records_revisits(first_crawl, sim):
    root, archive = first_crawl["root"], first_crawl["archive"]
    before = {p: p.read_bytes() for p in archive.glob("articles/**/*.json")}
    marks = {name: len(sim.requests(name)) for name in sim.names}
    proc = newsarchive("crawl", *sim.names, "--config", str(first_crawl["config"]), "--archive", str(archive),
                       "--stats-json", str(root / "run2.json"), *FAST, env=first_crawl["env"], timeout=240)
    assert proc.returncode in (0, 1), proc.stderr
    totals = run_record(root / "run2.json")["totals"]
    assert totals["articles_added"] == 0 and totals["articles_updated"] == 0
    assert {p: p.read_bytes() for p in archive.glob("articles/**/*.json")} == before
    assert ("revisit" in {t for t, _ in warc_records(archive)})
    conditional = [
        r for name in sim.names for r in sim.requests(name)[marks[name]:]
        if "If-None-Match" in r.headers or "If-Modified-Since" in r.headers
    ]
    assert conditional, "a re-crawl must send conditional requests for what it has"


def test_robots_txt_is_never_fetched_conditionally(first_crawl, sim):
    """A 304 for robots.txt would leave Scrapy an empty, allow-all robots.txt."""
    robots = [r for name in sim.names for r in sim.requests(name) if r.path == "/robots.txt"]
    assert len(robots) >= 2 * len(sim.names)  # both crawls read it
    assert not [r for r in robots if "If-None-Match" in r.headers or "If-Modified-Since" in r.headers]


def crawl(sim, root: Path, name: str, *extra: str) -> dict:
    config = sim.write_config(root / "sim.yaml", names=[name])
    newsarchive("crawl", name, "--config", str(config), "--archive", str(root / "archive"),
                "--stats-json", str(root / "run.json"), *FAST, *extra,
                env={"NEWSARCHIVE_HOME": str(root / "home")}, timeout=120, check=False)
    return run_record(root / "run.json")["outlets"][name]


def test_what_a_limited_crawl_left_out_is_fetched_next_time(sim, tmp_path):
    """The feed and sitemaps are unchanged between the two crawls; the second must still
    read them and fetch the articles the first one's --limit left out."""
    name = "xinhua-en"
    first = crawl(sim, tmp_path, name, "--limit", "2")
    assert first["articles_added"] == 2
    second = crawl(sim, tmp_path, name)
    assert second["articles_added"] == len(sim.expected_articles(name)) - 2
    assert set(archived(tmp_path / "archive", name)) == sim.expected_articles(name)


def test_pages_downloaded_but_never_processed_are_read_again(sim, tmp_path):
    """As after a crawl killed between download and extraction: captures are recorded,
    no article is. The next crawl must not take them for unchanged."""
    name = "china-org"
    crawl(sim, tmp_path, name, "-s", "ITEM_PIPELINES={}")
    assert not archived(tmp_path / "archive", name)
    second = crawl(sim, tmp_path, name)
    assert second["articles_added"] == len(sim.expected_articles(name))
    assert set(archived(tmp_path / "archive", name)) == sim.expected_articles(name)


def test_new_and_changed_articles_are_picked_up(first_crawl, sim):
    root, archive = first_crawl["root"], first_crawl["archive"]
    name = "tass-en"
    new_url = sim.add_article(name)
    old_url = sorted(sim.expected_articles(name) - {new_url})[0]
    sim.update_article(name, old_url)
    proc = newsarchive("crawl", name, "--config", str(first_crawl["config"]), "--archive", str(archive),
                       "--stats-json", str(root / "run3.json"), *FAST, env=first_crawl["env"], timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    stats = run_record(root / "run3.json")["outlets"][name]
    assert stats["articles_added"] == 1 and stats["articles_updated"] == 1
    assert new_url in archived(archive, name)


def test_topic_filter_keeps_only_matching_coverage(first_crawl, sim, tmp_path):
    name = "tass-en"
    texts = {url: (a["title"] + "\n" + a["text"]) for url, a in archived(first_crawl["archive"], name).items()}
    # A term some articles mention and others don't, so the filter has work to do.
    term = next(t for t in ("NATO", "missile", "grain", "rail", "climate", "European Union", "United Nations")
                if 0 < sum(t.lower() in x.lower() for x in texts.values()) < len(texts))
    matching = {url for url, text in texts.items() if term.lower() in text.lower()}
    config = sim.write_config(tmp_path / "sim.yaml", names=[name])
    data = yaml.safe_load(config.read_text())
    for entry in data["outlets"]:
        if entry["name"] == name:
            entry["topics"] = {"focus": f"{term}|北约|НАТО"}
    config.write_text(yaml.safe_dump(data, allow_unicode=True))
    archive = tmp_path / "archive"
    proc = newsarchive("crawl", name, "--config", str(config), "--archive", str(archive),
                       "--stats-json", str(tmp_path / "run.json"), *FAST,
                       env={"NEWSARCHIVE_HOME": str(tmp_path / "home")})
    assert proc.returncode in (0, 1), proc.stderr
    articles = archived(archive, name)
    assert set(articles) == matching
    assert all(a["topics"] == ["focus"] for a in articles.values())
    stats = run_record(tmp_path / "run.json")["outlets"][name]
    assert stats["skipped_topic"] == len(sim.expected_articles(name)) - len(articles) > 0


def test_a_home_that_cannot_be_written_fails_fast_in_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    proc = newsarchive("crawl", "ria", "--archive", str(tmp_path / "archive"),
                       env={"NEWSARCHIVE_HOME": str(tmp_path / "a-file" / "home")})
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "NEWSARCHIVE_HOME" in line and "a-file" in line


def test_invalid_config_fails_fast_naming_file_outlet_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("outlets:\n  - name: broken\n    domains: [example.org]\n    feeds: [https://example.org/rss]\n"
                   "    article_patterns: ['([unclosed']\n")
    proc = newsarchive("crawl", "broken", "--config", str(bad))
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr and "broken" in proc.stderr and "article_patterns" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_scrapy_crawl_runs_the_same_spider(sim, tmp_path):
    name = "ria"
    config = sim.write_config(tmp_path / "sim.yaml", names=[name])
    archive = tmp_path / "archive"
    # The archive named the way the CLI reads it, from the environment.
    proc = subprocess.run(
        [str(BIN / "scrapy"), "crawl", "outlet", "-a", f"outlet={name}", "-a", f"config={config}",
         "-s", f"NEWSARCHIVE_HOME={tmp_path / 'home'}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NEWSARCHIVE_ARCHIVE": str(archive)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert set(archived(archive, name)) == sim.expected_articles(name)
    (record,) = [json.loads(p.read_text()) for p in archive.glob("runs/**/*.json")]
    assert record["outlets"][name]["articles_added"] == len(sim.expected_articles(name))
