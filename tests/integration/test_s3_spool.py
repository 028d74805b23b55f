"""The spool against S3 while an upload is in flight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3

from archive import S3Store, flush_spool, store_from_uri
from archive.spool import Spool
from tests.integration.test_s3_outage import Switch

KEY = "articles/harbourtimes/2026/11/20/0123456789abcdef.json"


def test_a_version_written_while_the_previous_one_uploads_is_kept_for_the_next_upload(s3, tmp_path):
    host, port = s3.endpoint.removeprefix("http://").split(":")
    switch = Switch((host, int(port)))
    store = S3Store(boto3.client("s3", endpoint_url=switch.endpoint), "news", "arch")
    spool = Spool(tmp_path / "spool")
    spool.write_bytes(KEY, b'{"version": 1}\n')
    try:
        with ThreadPoolExecutor(max_workers=1) as uploader:
            switch.hold()
            upload = uploader.submit(spool.upload, store, KEY)
            assert switch.held.wait(30), "the upload never reached the store"
            spool.write_bytes(KEY, b'{"version": 2}\n')  # the crawl updates the article meanwhile
            switch.release()
            assert upload.result(timeout=30)
    finally:
        switch.close()
    direct = store_from_uri("s3://news/arch")
    assert direct.open(KEY).read() == b'{"version": 1}\n'
    assert spool.path(KEY).read_bytes() == b'{"version": 2}\n', "the newer version must not be deleted"
    assert not [p for p in spool.path(KEY).parent.iterdir() if p.name != spool.path(KEY).name]

    report = flush_spool(direct, spool.root)
    assert report.uploaded == [KEY] and report.error is None
    assert direct.open(KEY).read() == b'{"version": 2}\n'
