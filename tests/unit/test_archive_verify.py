"""``verify`` finds each kind of damage, including what ``warcio check`` lets through."""

from __future__ import annotations

import json
import zlib
from dataclasses import replace

import pytest

from archive import ArchiveSession, LocalStore
from archive.layout import article_key, id_entry, id_key, index_key
from archive.verify import verify_archive
from tests.unit.test_archive_session import WARCINFO, run_session
from tests.unit.test_archive_support import REQUEST, RESPONSE, T0, URL, run_tool


@pytest.fixture
def archive(tmp_path):
    store = LocalStore(tmp_path / "archive")
    summary, [article] = run_session(store, tmp_path / "spool")
    return store, summary, article


def problems(store) -> list[str]:
    return [str(p) for p in verify_archive(store).problems]


def test_a_fresh_archive_verifies_clean(archive):
    store, _, _ = archive
    report = verify_archive(store)
    assert report.ok, report.problems
    assert (report.warcs, report.records, report.articles, report.manifests) == (1, 4, 1, 1)


def test_a_cut_off_last_record_is_found_although_warcio_check_passes(archive):
    store, summary, _ = archive
    path = store.root / summary["warcs"][0]
    path.write_bytes(path.read_bytes()[:-7])  # only the gzip trailer of the last record is gone
    assert run_tool("warcio", "check", str(path)).returncode == 0
    assert any("is cut off" in p for p in problems(store))


def test_a_record_that_no_longer_matches_its_digest(archive):
    store, summary, article = archive
    path = store.root / summary["warcs"][0]
    data = path.read_bytes()
    ref = article.warc
    record = zlib.decompress(data[ref.offset : ref.offset + ref.length], zlib.MAX_WBITS + 16)
    tampered = record.replace(b"Content-Encoding: gzip", b"Content-Encoding: gzix")
    squeezer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    member = squeezer.compress(tampered) + squeezer.flush()
    path.write_bytes(data[: ref.offset] + member + data[ref.offset + ref.length :])
    found = problems(store)
    assert any("block digest failed" in p for p in found), found


def test_broken_links_misfiled_articles_and_missing_indexes(archive):
    store, summary, article = archive
    key = next(store.list("articles/"))
    store.put_bytes(key, replace(article, warc=replace(article.warc, offset=article.warc.offset + 1)).to_json().encode())
    store.put_bytes(key.replace("/20/", "/21/"), article.to_json().encode())
    (store.root / index_key(summary["warcs"][0])).unlink()
    found = problems(store)
    assert any(p.startswith(key) and "WARC link" in p for p in found), found
    assert any("/21/" in p and "filed under the wrong key" in p for p in found), found
    assert any("/21/" in p and f"is also stored at {key}" in p for p in found), found
    assert any("no CDXJ index" in p for p in found), found


def test_manifest_lines_must_name_objects_that_exist(archive):
    store, summary, _ = archive
    with store.open(summary["manifest"]) as stream:
        text = stream.read().decode()
    entry = {"kind": "article", "run_id": "run-1", "key": "articles/x/2026/01/01/0000000000000000.json", "id": "0000000000000000"}
    store.put_bytes(summary["manifest"], (text + json.dumps(entry) + "\nnot json\n").encode())
    found = problems(store)
    assert any(p.startswith("articles/x/2026/01/01/0000000000000000.json: listed by") and "not in the archive" in p
               for p in found), found
    assert any("line 7 is not a manifest entry" in p for p in found), found


def test_a_listed_key_that_a_later_line_replaced_may_be_gone(archive):
    store, summary, _ = archive
    with store.open(summary["manifest"]) as stream:
        text = stream.read().decode()
    gone = "articles/x/2026/01/01/0000000000000000.json"
    listed = {"kind": "article", "run_id": "run-1", "key": gone, "id": "0000000000000000"}
    store.put_bytes(summary["manifest"], (text + json.dumps(listed) + "\n").encode())
    assert any(gone in p for p in problems(store))
    moved = {**listed, "key": summary["manifest"], "replaces": gone}  # any existing key will do
    store.put_bytes(summary["manifest"], (text + json.dumps(listed) + "\n" + json.dumps(moved) + "\n").encode())
    assert not any(gone in p for p in problems(store))


@pytest.mark.parametrize("text, problem", [
    (b"hello world\n", "not a WARC record"),  # warcio raised ArchiveLoadFailed: verify crashed
    (b"http://example.org/ 127.0.0.1 20261122074005 text/html 5\nhello", "not a WARC record"),  # read as ARC
    (b"WARC/1.1\r\nWARC-Type: response\r\n\r\n", "unreadable WARC head"),  # no Content-Length
])
def test_a_gzip_member_that_is_not_a_warc_record_is_a_problem(archive, text, problem):
    store, summary, _ = archive
    path = store.root / summary["warcs"][0]
    squeezer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    offset = path.stat().st_size
    path.write_bytes(path.read_bytes() + squeezer.compress(text) + squeezer.flush())
    assert any(p.startswith(f"{summary['warcs'][0]}: record at offset {offset}: {problem}") for p in problems(store))


def test_a_revisit_whose_original_is_in_another_archive_is_a_problem(tmp_path):
    # A crawl state shared between archives would do this: B's revisit points into A.
    first, second = LocalStore(tmp_path / "a"), LocalStore(tmp_path / "b")
    _, [original] = run_session(first, tmp_path / "spool-a")
    with ArchiveSession(second, spool_dir=tmp_path / "spool-b", run_id="run-b", warcinfo=WARCINFO) as session:
        ref = session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
        session.write_revisit(url=URL, request=REQUEST, response_head=RESPONSE.split(b"\r\n\r\n")[0] + b"\r\n\r\n",
                              fetched_at=T0, refers_to=ref, refers_to_url=URL, refers_to_date=T0.isoformat())
        stray = session.write_revisit(url=URL, request=REQUEST, response_head=b"HTTP/1.1 304 Not Modified\r\n\r\n",
                                      fetched_at=T0, refers_to=original.warc, refers_to_url=URL,
                                      refers_to_date=T0.isoformat(), profile="server-not-modified")
    assert verify_archive(first).ok
    found = problems(second)
    assert found == [f"{stray.file}: record at offset {stray.offset}: revisit refers to {original.warc.record_id}, "
                     "which is no response record in this archive (was it written with another archive's crawl "
                     "state?); re-crawl the URL to archive its payload here"], found


def test_id_entries_must_name_stored_articles_and_missing_ones_are_only_counted(archive):
    store, _, article = archive
    assert verify_archive(store).ids == 1
    entry = id_key(article.id)
    store.delete(entry)
    report = verify_archive(store)
    assert report.ok and report.unindexed == 1, "an archive written before the id index is still whole"
    store.put_bytes(entry, id_entry(article.id, f"articles/harbourtimes/2026/11/21/{article.id}.json"))
    store.put_bytes(id_key("00000000000000ff"), id_entry(article.id, article_key(article)))
    found = problems(store)
    assert any(p.startswith(entry) and "which is not in the archive" in p for p in found), found
    assert any(p.startswith(id_key("00000000000000ff")) and "belongs at" in p for p in found), found
