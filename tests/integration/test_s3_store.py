"""The S3 backend against a real S3-compatible server (moto, over HTTP on 127.0.0.1)."""

from __future__ import annotations

import os
import socket

import pytest

from archive import ArchiveReader, LocalStore, NotFoundError, S3Store, StorageError, store_from_uri
from tests.unit.test_archive_session import run_session
from tests.unit.test_archive_support import RESPONSE


def test_store_from_uri_uses_the_standard_aws_settings(s3):
    store = store_from_uri("s3://news/archive/")
    assert isinstance(store, S3Store) and store.uri == "s3://news/archive"
    assert store.endpoint == os.environ["AWS_ENDPOINT_URL"]
    store.put_bytes("a/b.json", b"{}")
    assert s3.client().get_object(Bucket="news", Key="archive/a/b.json")["Body"].read() == b"{}"
    assert list(store.list("a/")) == ["a/b.json"]
    assert store.exists("a/b.json") and not store.exists("a/c.json")
    assert store.read_range("a/b.json", 1, 1) == b"}"
    with pytest.raises(NotFoundError):
        store.open("a/c.json")


def test_large_files_go_up_in_parts_and_come_back_whole(s3, tmp_path):
    store = S3Store(s3.client(), "news", multipart_threshold=5 << 20)
    path = tmp_path / "big.bin"
    data = os.urandom(1 << 16) * 180  # 11.25 MiB: three parts
    path.write_bytes(data)
    store.put_file("warc/big.bin", path)
    head = s3.client().head_object(Bucket="news", Key="warc/big.bin", ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(data)
    assert "-3" in head["ETag"], "expected a three-part upload"
    assert store.read_range("warc/big.bin", 6 << 20, 100) == data[6 << 20 : (6 << 20) + 100]


def test_listing_streams_page_by_page(s3):
    client = s3.client()
    store = S3Store(client, "news", "p", page_size=2)
    for n in range(5):
        client.put_object(Bucket="news", Key=f"p/k/{n}", Body=b"")
    client.put_object(Bucket="news", Key="p/other", Body=b"")
    listing = store.list("k/")
    assert next(listing) == "k/0"  # the first page arrives before the rest is asked for
    assert list(listing) == ["k/1", "k/2", "k/3", "k/4"]


def test_missing_bucket_and_unreachable_endpoint_say_what_to_do(s3, monkeypatch):
    with pytest.raises(StorageError, match="bucket 'nope' does not exist .*create it or fix --archive"):
        store_from_uri("s3://nope/x").put_bytes("k", b"")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed)
    with pytest.raises(StorageError, match=f"could not reach s3 endpoint {closed}.*run `newsarchive flush`"):
        store_from_uri("s3://news").put_bytes("k", b"")


def test_a_run_on_s3_has_the_same_layout_as_on_disk(s3, tmp_path):
    on_s3, [article] = run_session(store_from_uri("s3://news/arch"), tmp_path / "spool-s3")
    on_disk, _ = run_session(LocalStore(tmp_path / "archive"), tmp_path / "spool-disk")
    s3_keys = sorted(store_from_uri("s3://news/arch").list())
    disk_keys = sorted(LocalStore(tmp_path / "archive").list())
    assert len(s3_keys) == len(disk_keys) == 6  # article, id entry, WARC, index, manifest, run record
    assert [k.split("/")[0] for k in s3_keys] == [k.split("/")[0] for k in disk_keys]
    assert [k.split("/")[0] for k in s3_keys] == ["articles", "ids", "indexes", "manifests", "runs", "warc"]
    reader = ArchiveReader(store_from_uri("s3://news/arch"))
    assert reader.get(article.id) == article
    assert reader.raw_response(article) == RESPONSE
    assert s3_keys[0] == f"articles/harbourtimes/2026/11/20/{article.id}.json"
    assert on_s3["pending"] == [] and on_disk["pending"] == []
