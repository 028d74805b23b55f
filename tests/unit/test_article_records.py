"""The article JSON's WARC metadata record never shadows its page in replay indexes."""

from __future__ import annotations

import json

from cdxj_indexer.main import CDXJIndexer

from archive import ArchiveSession, LocalStore
from archive.index import parse_cdxj_line, reindex_article_records, write_cdxj
from archive.warc import WarcWriter
from tests.unit.test_archive_support import REQUEST, RESPONSE, T0, URL, make_article, record_ids

KEY = "warc/2026/11/22/newsarchive-20261122074005-00001-host-1.warc.gz"


def lines_of(path) -> list:
    return [parse_cdxj_line(line) for line in path.read_text().splitlines()]


def legacy_warc(path) -> None:
    """A WARC as older versions wrote it: the JSON record named by the page's URL."""
    with open(path, "wb") as out:
        writer = WarcWriter(out, file=KEY, record_ids=record_ids())
        writer.warcinfo(filename=path.name, info={"software": "newsarchive/old"}, date=T0)
        response = writer.exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, date=T0)
        writer.metadata(url=URL, payload=make_article(warc=response).to_json().encode(), content_type="application/json",
                        refers_to=response.record_id, date=T0)


def test_a_session_names_the_json_record_urn_article_and_the_page_url_indexes_only_the_page(tmp_path):
    store = LocalStore(tmp_path / "archive")
    with ArchiveSession(store, spool_dir=tmp_path / "spool", run_id="run-1", warcinfo={"software": "t"},
                        clock=lambda: T0, record_id_factory=record_ids()) as session:
        ref = session.write_exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, fetched_at=T0)
        session.write_article(make_article(warc=ref), "added")
    [index] = (tmp_path / "archive").glob("indexes/**/*.cdxj")
    by_url = {}
    for line in lines_of(index):
        by_url.setdefault(line.url, []).append(line)
    assert [line.mime for line in by_url[URL]] == ["text/html"]
    [record] = by_url[f"urn:article:{URL}"]
    assert record.mime == "application/json" and record.status is None
    assert index.read_text().count(f"urn:article:{URL}") == 2  # key and url


def test_indexing_an_old_warc_keys_its_json_record_by_urn(tmp_path):
    warc = tmp_path / "old.warc.gz"
    legacy_warc(warc)
    write_cdxj(warc, tmp_path / "old.cdxj", filename=KEY)
    urls = [line.url for line in lines_of(tmp_path / "old.cdxj")]
    assert urls.count(URL) == 1 and f"urn:article:{URL}" in urls
    text = (tmp_path / "old.cdxj").read_text()
    assert text.splitlines() == sorted(text.splitlines())


def test_reindex_repairs_old_indexes_in_the_store_once(tmp_path):
    root = tmp_path / "archive"
    warc = root / KEY
    warc.parent.mkdir(parents=True)
    legacy_warc(warc)
    index = root / "indexes/2026/11/22/newsarchive-20261122074005-00001-host-1.cdxj"
    index.parent.mkdir(parents=True)
    # What older versions stored: cdxj-indexer's lines as they come.
    CDXJIndexer(output=str(index), inputs=[str(warc)], sort=True, filename=KEY).process_all()
    assert [line.url for line in lines_of(index)].count(URL) == 2
    store = LocalStore(root)
    assert reindex_article_records(store, dry_run=True) == {"indexes": 1, "rewritten": 1, "records": 1}
    assert [line.url for line in lines_of(index)].count(URL) == 2
    assert reindex_article_records(store) == {"indexes": 1, "rewritten": 1, "records": 1}
    lines = lines_of(index)
    assert [line.mime for line in lines if line.url == URL] == ["text/html"]
    [json_line] = [line for line in lines if line.url == f"urn:article:{URL}"]
    with open(warc, "rb") as fh:  # the line still points at the record
        fh.seek(json_line.offset)
        assert len(fh.read(json_line.length)) == json_line.length
    assert reindex_article_records(store) == {"indexes": 1, "rewritten": 0, "records": 0}
    assert json.loads(index.read_text().splitlines()[-1].split(" ", 2)[2])["filename"] == KEY


def test_to_dict_is_what_dataclasses_asdict_gives_with_lists_for_tuples():
    from dataclasses import asdict, replace

    from extract.article import Disagreement, WarcRef

    warc = WarcRef(file=KEY, record_id="<urn:uuid:1>", offset=10, length=20, payload_digest="sha1:X")
    article = replace(make_article(warc=warc, topics=("harbour",)), authors=("Ann Lee", "Bo Li"), tags=("port",),
                      disagreements=(Disagreement("title", "A", "B", "feed", "A"),))
    expected = asdict(article)
    for name in ("authors", "tags", "topics", "disagreements"):
        expected[name] = list(expected[name])
    data = article.to_dict()
    assert data == expected and list(data) == list(expected)
    assert json.dumps(data, sort_keys=True) == json.dumps(expected, sort_keys=True)
    data["authors"].append("X")
    data["disagreements"][0]["chosen"] = "B"
    data["warc"]["offset"] = 0
    assert article.to_dict() == expected  # a fresh dict each time, nothing shared with the record
    assert replace(article, warc=None).to_dict()["warc"] is None
