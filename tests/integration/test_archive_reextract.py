"""Re-extraction from the WARC alone: byte-identical with the same extractor, field report otherwise."""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, replace

from click.testing import CliRunner

from archive import ArchiveReader, ArchiveSession, LocalStore
from archive.layout import article_key
from archive.verify import verify_archive
from crawler.cli import main
from crawler.outlets import load_outlets
from crawler.reextract import _header_map, reextract
from extract import extract_page
from tests.unit.test_archive_support import REQUEST, T0, run_tool

PARAGRAPHS = [
    "The city council voted on Tuesday evening to reopen the old harbour to passenger ferries, "
    "ending a closure that began eleven years ago when the northern pier was found to be unsafe.",
    "Engineers spent the last two years rebuilding the pier on new foundations. The council said the "
    "work came in under budget, and that the first scheduled crossing would leave in early spring.",
    "Local businesses welcomed the decision. Shop owners along the waterfront said footfall had fallen "
    "sharply since the closure and that the ferries would bring visitors back to the old town.",
    "Not everyone is convinced. Residents of the harbour district raised concerns about traffic and "
    "noise at a public meeting last month, and asked for limits on early morning sailings.",
]
HTML = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Harbour to reopen to ferries</title>"
    "<meta property='article:published_time' content='2026-11-17T18:00:00+00:00'></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Harbour to reopen to ferries</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article><footer>© Harbour Times</footer></body></html>"
).encode()


def response_bytes(html: bytes = HTML) -> bytes:
    body = gzip.compress(html, mtime=0)
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body


def crawl_like(store, spool, urls) -> list:
    """Archive pages the way the crawler does: capture, extract the decoded body, write."""
    articles = []
    with ArchiveSession(store, spool_dir=spool, run_id="crawl", warcinfo={"software": "test"}) as session:
        for url in urls:
            ref = session.write_exchange(url=url, request=REQUEST, response=response_bytes(), remote_ip=None, fetched_at=T0)
            result = extract_page(HTML, url, headers={"Content-Type": "text/html; charset=UTF-8"}, fetched_at=T0.isoformat())
            assert result.article is not None, result.reasons
            article = result.article.with_provenance(warc=ref, fetched_at=T0.isoformat(), outlet="harbourtimes")
            session.write_article(article, "added")
            articles.append(article)
    return articles


def stored(store) -> dict[str, bytes]:
    result = {}
    for key in store.list("articles/"):
        with store.open(key) as stream:
            result[key] = stream.read()
    return result


def test_same_extractor_gives_byte_identical_json_and_writes_nothing(tmp_path):
    store = LocalStore(tmp_path / "archive")
    crawl_like(store, tmp_path / "spool", ["http://example.org/a", "http://example.org/b"])
    before, keys_before = stored(store), sorted(store.list())
    report = reextract(store, spool_dir=tmp_path / "spool")
    assert report.counts == {"unchanged": 2, "changed": 0, "added": 0, "rejected": 0, "skipped": 0, "failed": 0}
    assert stored(store) == before
    assert sorted(store.list()) == keys_before, "an unchanged re-extraction leaves no objects behind"


def test_changed_fields_are_reported_and_rewritten(tmp_path):
    store = LocalStore(tmp_path / "archive")
    [current, moved] = crawl_like(store, tmp_path / "spool", ["http://example.org/a", "http://example.org/b"])
    # What an older extractor might have stored: another title, a wrong date (so another key).
    old = replace(current, title="Harbour", extractor=replace(current.extractor, version="0.0.1"))
    store.put_bytes(article_key(current), old.to_json().encode())
    misdated = replace(moved, published="2026-11-01")
    store.delete(article_key(moved))
    store.put_bytes(article_key(misdated), misdated.to_json().encode())

    outcomes = []
    reextract(store, spool_dir=tmp_path / "spool", dry_run=True, on_outcome=outcomes.append)
    changes = {o.id: {c.field: (c.old, c.new) for c in o.changes} for o in outcomes}
    assert changes[current.id] == {"title": ("Harbour", current.title), "extractor": (old.extractor.__dict__, current.extractor.__dict__)}
    assert changes[moved.id] == {"published": ("2026-11-01", moved.published)}
    assert store.exists(article_key(misdated)) and not store.exists(article_key(moved))

    report = reextract(store, spool_dir=tmp_path / "spool", run_id="re-1")
    assert report.counts["changed"] == 2 and report.session["pending"] == []
    reader = ArchiveReader(store)
    assert reader.get(current.id).to_json() == current.to_json()
    assert reader.get(moved.id).to_json() == moved.to_json()
    assert not store.exists(article_key(misdated)), "the misfiled copy is removed once the new one is stored"
    with store.open(report.session["manifest"]) as stream:
        updated = [entry for entry in map(json.loads, stream) if entry["kind"] == "article"]
    assert sorted(line["id"] for line in updated) == sorted([current.id, moved.id])
    assert {line["change"] for line in updated} == {"updated"}
    assert verify_archive(store).ok


def test_cli_dry_run_prints_field_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path / "home"))
    store = LocalStore(tmp_path / "archive")
    [article] = crawl_like(store, tmp_path / "spool", ["http://example.org/a"])
    store.put_bytes(article_key(article), replace(article, title="Old").to_json().encode())
    result = CliRunner().invoke(main, ["reextract", "--archive", str(tmp_path / "archive"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"{article.id} changed" in result.output
    assert f'title: "Old" -> "{article.title}"' in result.output
    assert "1 captures in " in result.output
    assert result.output.rstrip().endswith("0 unchanged, 1 would be changed, 0 would be added, 0 rejected, "
                                           "skipped: 0 newer or from another capture, 0 failed; 0 id entries would be written")
    assert ArchiveReader(store).get(article.id).title == "Old"
    as_json = CliRunner().invoke(main, ["reextract", "--archive", str(tmp_path / "archive"), "--dry-run", "--json"])
    outcome, totals = map(json.loads, as_json.output.splitlines())
    assert outcome["id"] == article.id and outcome["changes"] == [{"field": "title", "old": "Old", "new": article.title}]
    assert totals["counts"]["changed"] == 1 and totals["dry_run"] is True


def test_headers_are_merged_as_the_crawler_sees_them():
    assert _header_map([("content-type", "text/html"), ("Set-Cookie", "a"), ("set-cookie", "b")]) == {
        "content-type": "text/html",
        "Set-Cookie": "a, b",
    }


UNDATED = HTML.replace(b"<meta property='article:published_time' content='2026-11-17T18:00:00+00:00'>", b"")


def test_feed_hints_archived_with_the_response_are_used_again(tmp_path):
    from extract import Hints

    hints = Hints(title="Harbour to reopen to ferries", published="2026-11-16T08:00:00+00:00", source="feed")
    store = LocalStore(tmp_path / "archive")
    with ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="crawl", warcinfo={"software": "test"}) as session:
        for url, archived in (("http://example.org/with", True), ("http://example.org/without", False)):
            ref = session.write_exchange(url=url, request=REQUEST, response=response_bytes(UNDATED), remote_ip=None,
                                         fetched_at=T0, hints=asdict(hints) if archived else None)
            result = extract_page(UNDATED, url, headers={"Content-Type": "text/html; charset=UTF-8"},
                                  fetched_at=T0.isoformat(), hints=hints)
            article = result.article.with_provenance(warc=ref, fetched_at=T0.isoformat(), outlet="harbourtimes")
            assert article.published == hints.published  # only the feed knew the date
            session.write_article(article, "added")
    assert ArchiveReader(store).capture(article).hints is None
    [warc] = store.list("warc/")
    assert run_tool("warcio", "check", str(store.root / warc)).returncode == 0
    assert verify_archive(store).ok

    outcomes = []
    reextract(store, spool_dir=tmp_path / "spool", dry_run=True, on_outcome=outcomes.append)
    by_url = {o.url: o for o in outcomes}
    assert by_url["http://example.org/with"].status == "unchanged"
    assert "published" in {c.field for c in by_url["http://example.org/without"].changes}


class RecordingState:
    """The crawl state calls re-extraction makes, recorded."""

    def __init__(self):
        self.calls = []

    def record_article(self, url, article_id, digest, key):
        self.calls.append(("record_article", url, article_id, key))

    def mark_processed(self, url, payload_digest):
        self.calls.append(("mark_processed", url, payload_digest))


def crawl_with_outlets(store, spool, urls) -> list:
    """As the crawler archives: the response names its outlet and carries feed hints."""
    from extract import Hints

    hints = Hints(title="Harbour to reopen to ferries", published="2026-11-16T08:00:00+00:00", source="feed")
    fetched = T0.isoformat(timespec="seconds")
    articles = []
    with ArchiveSession(store, spool_dir=spool, run_id="crawl", warcinfo={"software": "test"}) as session:
        for number, url in enumerate(urls):
            html = UNDATED if number % 2 else HTML  # every other page dated only by its feed
            ref = session.write_exchange(url=url, request=REQUEST, response=response_bytes(html), remote_ip=None,
                                         fetched_at=T0, hints=asdict(hints), outlet="harbourtimes")
            result = extract_page(html, url, headers={"Content-Type": "text/html; charset=UTF-8"},
                                  fetched_at=fetched, hints=hints)
            article = result.article.with_provenance(warc=ref, fetched_at=fetched, outlet="harbourtimes")
            session.write_article(article, "added")
            articles.append(article)
        # A page the extractor rejects: archived, no JSON, now or after re-extraction.
        ref = session.write_exchange(url="http://example.org/", request=REQUEST,
                                     response=response_bytes(b"<html><body><a href='/a'>A</a></body></html>"),
                                     remote_ip=None, fetched_at=T0, outlet="harbourtimes")
        session.record_page(url="http://example.org/", page_type="index", reasons=("links",), warc=ref)
    return articles


def test_deleted_json_comes_back_byte_identical_from_the_warcs(tmp_path):
    store = LocalStore(tmp_path / "archive")
    urls = [f"http://example.org/news/{n}" for n in range(6)]
    articles = crawl_with_outlets(store, tmp_path / "spool", urls)
    before = stored(store)
    assert len(before) == 6
    for key in before:
        store.delete(key)
    for key in list(store.list("ids/")):
        store.delete(key)
    state = RecordingState()
    report = reextract(store, spool_dir=tmp_path / "spool", jobs=2, state=state, run_id="re-1")
    assert report.counts == {"unchanged": 0, "changed": 0, "added": 6, "rejected": 1, "skipped": 0, "failed": 0}
    assert stored(store) == before, "every deleted JSON is back, byte for byte"
    assert ArchiveReader(store).get(articles[1].id).published == "2026-11-16T08:00:00+00:00"  # the feed's date
    assert sorted(call[1] for call in state.calls if call[0] == "record_article") == sorted(urls)
    assert ("mark_processed", urls[0], articles[0].warc.payload_digest) in state.calls
    assert verify_archive(store).ok and verify_archive(store).unindexed == 0
    # Once back, a second pass finds nothing to do.
    again = reextract(store, spool_dir=tmp_path / "spool", dry_run=True)
    assert again.counts["unchanged"] == 6 and again.counts["added"] == 0


def test_a_newer_json_written_meanwhile_is_not_overwritten(tmp_path):
    store = LocalStore(tmp_path / "archive")
    [first, second] = crawl_with_outlets(store, tmp_path / "spool", ["http://example.org/news/1", "http://example.org/news/2"])
    for key in list(store.list("articles/")):
        store.delete(key)
    # A crawl beside the re-extraction stores a later fetch of the second article after
    # the re-extraction has listed the archive (here: when the first one is settled).
    newer = replace(second, title="Updated since", fetched_at="2026-11-23T00:00:00+00:00")

    def crawl_writes(outcome):
        if outcome.id == first.id:
            store.put_bytes(article_key(newer), newer.to_json().encode())

    outcomes = []
    report = reextract(store, spool_dir=tmp_path / "spool", on_outcome=lambda o: (outcomes.append(o), crawl_writes(o)))
    assert report.counts["added"] == 1 and report.counts["skipped"] == 1
    assert [o.detail for o in outcomes if o.status == "skipped"][0].startswith("newer")
    assert ArchiveReader(store).get(second.id).to_json() == newer.to_json()
    assert ArchiveReader(store).get(first.id).to_json() == first.to_json()


def test_a_capture_with_no_manifest_line_is_filed_under_its_records_outlet(tmp_path):
    store = LocalStore(tmp_path / "archive")
    with ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="crawl", warcinfo={"software": "test"}) as session:
        session.write_exchange(url="http://example.org/lost", request=REQUEST, response=response_bytes(), remote_ip=None,
                               fetched_at=T0, outlet="harbourtimes")
    assert reextract(store, spool_dir=tmp_path / "spool", outlet="other", dry_run=True).total == 0
    # Without its outlet's config nothing tells an article from a section page: left alone.
    assert reextract(store, spool_dir=tmp_path / "spool", dry_run=True).total == 0
    config = tmp_path / "outlets.yaml"
    config.write_text("outlets:\n  - name: harbourtimes\n    domains: [example.org]\n"
                      "    feeds: ['http://example.org/feed.xml']\n    article_patterns: ['/lost$']\n")
    specs = load_outlets([config])
    report = reextract(store, spool_dir=tmp_path / "spool", outlet="harbourtimes", since="2026-11-22", specs=specs)
    assert report.counts["added"] == 1
    [key] = store.list("articles/")
    assert key.startswith("articles/harbourtimes/2026/11/17/")
    assert ArchiveReader(store).get(key.rsplit("/", 1)[1][:-5]).fetched_at == T0.isoformat()


def test_missing_id_entries_are_written(tmp_path):
    store = LocalStore(tmp_path / "archive")
    [article] = crawl_like(store, tmp_path / "spool", ["http://example.org/a"])
    for key in list(store.list("ids/")):
        store.delete(key)
    assert reextract(store, spool_dir=tmp_path / "spool", dry_run=True).indexed == 1
    assert not list(store.list("ids/"))
    report = reextract(store, spool_dir=tmp_path / "spool")
    assert report.indexed == 1 and report.counts["unchanged"] == 1
    assert ArchiveReader(store).indexed_key(article.id) == article_key(article)
