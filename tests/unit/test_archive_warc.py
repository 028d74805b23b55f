"""The WARC writer: byte-faithful blocks, exact record bytes, tools accept the files."""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import json

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.errors import ArchiveError
from archive.warc import DamagedMember, WarcWriter, iter_members, parse_member, split_http
from tests.unit.test_archive_support import HTML, REQUEST, RESPONSE, T0, URL, make_article, record_ids, run_tool


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def write_sample(out) -> tuple:
    writer = WarcWriter(out, file="warc/2026/11/22/sample.warc.gz", record_ids=record_ids())
    writer.warcinfo(filename="sample.warc.gz", info={"software": "newsarchive/test", "isPartOf": "run-1"}, date=T0)
    response = writer.exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip="127.0.0.1", date=T0)
    revisit = writer.revisit(
        url=URL,
        request=REQUEST,
        response_head=split_http(RESPONSE)[0],
        date=T0,
        refers_to=response,
        refers_to_url=URL,
        refers_to_date="2026-11-22T07:40:05+00:00",
        profile="identical-payload-digest",
    )
    article = make_article(warc=response)
    metadata = writer.metadata(url=URL, payload=article.to_json().encode(), content_type="application/json",
                               refers_to=response.record_id, date=T0)
    return writer, response, revisit, metadata


def test_response_and_request_blocks_are_the_bytes_that_crossed_the_wire():
    out = io.BytesIO()
    _, response, _, _ = write_sample(out)
    members = {offset: data for offset, _, data in iter_members(io.BytesIO(out.getvalue()))}
    headers, block = parse_member(members[response.offset])
    assert headers.get_header("WARC-Type") == "response"
    assert block == RESPONSE
    request_headers, request_block = parse_member(list(members.values())[1])
    assert request_headers.get_header("WARC-Type") == "request"
    assert request_block == REQUEST
    assert request_headers.get_header("WARC-Concurrent-To") == response.record_id
    # The payload digest covers the body as received: chunked and gzipped.
    assert response.payload_digest == sha1(split_http(RESPONSE)[1])
    # A reader still gets the decoded page through warcio.
    record = next(r for r in ArchiveIterator(io.BytesIO(out.getvalue())) if r.rec_type == "response")
    assert record.content_stream().read() == HTML


def test_records_are_exact_with_injected_ids_and_dates():
    out = io.BytesIO()
    write_sample(out)
    members = [data for _, _, data in iter_members(io.BytesIO(out.getvalue()))]
    info_block = b"software: newsarchive/test\r\nisPartOf: run-1\r\n"
    assert members[0] == (
        b"WARC/1.1\r\n"
        b"WARC-Type: warcinfo\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        b"WARC-Date: 2026-11-22T07:40:05Z\r\n"
        b"WARC-Filename: sample.warc.gz\r\n"
        b"WARC-Block-Digest: " + sha1(info_block).encode() + b"\r\n"
        b"Content-Type: application/warc-fields\r\n"
        b"Content-Length: " + str(len(info_block)).encode() + b"\r\n\r\n" + info_block + b"\r\n\r\n"
    )
    body = split_http(RESPONSE)[1]
    assert members[2] == (
        b"WARC/1.1\r\n"
        b"WARC-Type: response\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000003>\r\n"
        b"WARC-Date: 2026-11-22T07:40:05Z\r\n"
        b"WARC-Target-URI: " + URL.encode() + b"\r\n"
        b"WARC-IP-Address: 127.0.0.1\r\n"
        b"WARC-Payload-Digest: " + sha1(body).encode() + b"\r\n"
        b"WARC-Block-Digest: " + sha1(RESPONSE).encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: " + str(len(RESPONSE)).encode() + b"\r\n\r\n" + RESPONSE + b"\r\n\r\n"
    )
    # Same inputs, same ids: the same file, byte for byte.
    again = io.BytesIO()
    write_sample(again)
    assert again.getvalue() == out.getvalue()


def test_revisit_holds_only_the_head_and_points_at_the_original():
    out = io.BytesIO()
    _, response, revisit, _ = write_sample(out)
    headers, block = parse_member(read_at(out.getvalue(), revisit.offset))
    assert block == split_http(RESPONSE)[0]
    assert headers.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert headers.get_header("WARC-Refers-To") == response.record_id
    assert headers.get_header("WARC-Refers-To-Date") == "2026-11-22T07:40:05Z"
    assert revisit.payload_digest == response.payload_digest


def test_article_metadata_record_links_to_its_response():
    out = io.BytesIO()
    _, response, _, metadata = write_sample(out)
    headers, block = parse_member(read_at(out.getvalue(), metadata.offset))
    assert headers.get_header("Content-Type") == "application/json"
    assert headers.get_header("WARC-Refers-To") == response.record_id
    assert json.loads(block)["warc"]["record_id"] == response.record_id


def read_at(data: bytes, offset: int) -> bytes:
    return next(member for start, _, member in iter_members(io.BytesIO(data)) if start == offset)


def test_warcio_check_and_cdxj_indexer_accept_the_file(tmp_path):
    path = tmp_path / "sample.warc.gz"
    with open(path, "wb") as out:
        _, response, revisit, metadata = write_sample(out)
    check = run_tool("warcio", "check", "-v", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    # warcinfo, two requests, response, metadata; warcio leaves the revisit unchecked
    assert check.stdout.count("digest pass") == 5
    assert "digest present but not checked (revisit)" in check.stdout
    index = run_tool("cdxj-indexer", str(path))
    assert index.returncode == 0, index.stderr
    lines = [json.loads(line.split(" ", 2)[2]) for line in index.stdout.splitlines()]
    offsets = {int(line["offset"]): line for line in lines}
    assert offsets[response.offset]["status"] == "200"
    assert int(offsets[response.offset]["length"]) == response.length
    assert offsets[revisit.offset]["mime"] == "warc/revisit"
    assert metadata.offset in offsets


def test_damaged_members_are_detected_where_warcio_might_not_notice(tmp_path):
    out = io.BytesIO()
    _, response, _, metadata = write_sample(out)
    data = out.getvalue()
    with pytest.raises(DamagedMember) as cut:
        list(iter_members(io.BytesIO(data[: metadata.offset + 20])))
    assert cut.value.offset == metadata.offset
    corrupt = bytearray(data)
    corrupt[response.offset + response.length - 6] ^= 0xFF  # inside the CRC32 trailer
    with pytest.raises(DamagedMember) as bad:
        list(iter_members(io.BytesIO(bytes(corrupt))))
    assert bad.value.offset == response.offset


class FillingDisk(io.BytesIO):
    """A file whose disk fills up at the ``fail_at``-th write: half of it lands, then ENOSPC."""

    def __init__(self, fail_at: int, *, can_truncate: bool = True) -> None:
        super().__init__()
        self.writes, self.fail_at, self.can_truncate = 0, fail_at, can_truncate

    def write(self, data) -> int:
        self.writes += 1
        if self.writes == self.fail_at:
            super().write(bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)

    def truncate(self, size=None) -> int:
        if not self.can_truncate:
            raise OSError(errno.EIO, "Input/output error")
        return super().truncate(size)


def exchange(writer: WarcWriter):
    return writer.exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip=None, date=T0)


def test_a_record_that_fails_half_written_is_cut_off_so_later_offsets_stay_true():
    out = FillingDisk(fail_at=3)  # warcinfo, request, then the response fails
    writer = WarcWriter(out, file="warc/2026/11/22/sample.warc.gz", record_ids=record_ids())
    writer.warcinfo(filename="sample.warc.gz", info={"software": "newsarchive/test"}, date=T0)
    with pytest.raises(OSError):
        exchange(writer)
    ref = exchange(writer)
    members = list(iter_members(io.BytesIO(out.getvalue())))  # no damaged member left behind
    assert (ref.offset, ref.length) == members[-1][:2] and writer.size == len(out.getvalue())
    assert parse_member(read_at(out.getvalue(), ref.offset))[0].get_header("WARC-Record-ID") == ref.record_id


def test_a_writer_that_cannot_cut_a_failed_record_off_refuses_more():
    out = FillingDisk(fail_at=2, can_truncate=False)
    writer = WarcWriter(out, file="warc/2026/11/22/sample.warc.gz", record_ids=record_ids())
    writer.warcinfo(filename="sample.warc.gz", info={"software": "newsarchive/test"}, date=T0)
    with pytest.raises(OSError):
        exchange(writer)
    assert writer.broken
    written = out.getvalue()
    with pytest.raises(ArchiveError, match="new WARC file"):
        exchange(writer)
    assert out.getvalue() == written


def test_index_lines_written_with_the_records_equal_cdxj_indexers(tmp_path):
    """The index a session writes as it goes is the one cdxj-indexer makes from the bytes:
    responses (with and without a Content-Type, truncated), both revisit profiles, a 404,
    article JSON and warc-fields metadata (which cdxj-indexer skips)."""
    from archive.index import IndexLines, write_cdxj

    key = "warc/2026/11/22/sample.warc.gz"
    lines = IndexLines(tmp_path / "lines", filename=key)
    path = tmp_path / "sample.warc.gz"
    with open(path, "wb", buffering=0) as out:
        writer = WarcWriter(out, file=key, record_ids=record_ids(), index=lines)
        writer.warcinfo(filename="sample.warc.gz", info={"software": "t"}, date=T0)
        response = writer.exchange(url=URL, request=REQUEST, response=RESPONSE, remote_ip="127.0.0.1", date=T0)
        bare = b"HTTP/1.0 404 Gone Away\r\nX-A: 1\r\n\r\nnothing here"
        writer.exchange(url=URL + "?gone", request=REQUEST, response=bare, remote_ip=None, date=T0,
                        annotations={"WARC-Truncated": "length"})
        odd = b"HTTP/1.1 200 OK\r\ncontent-type:  Text/HTML ;charset=utf-8\r\n\r\n<p>x</p>"
        writer.exchange(url="http://example.org/a b?q=\u00e9", request=REQUEST, response=odd, remote_ip=None, date=T0)
        for profile in ("identical-payload-digest", "server-not-modified"):
            writer.revisit(url=URL, request=REQUEST, response_head=b"HTTP/1.1 304 Not Modified\r\n\r\n", date=T0,
                           refers_to=response, refers_to_url=URL, refers_to_date="2026-11-22T07:40:05Z", profile=profile)
        writer.metadata(url="urn:article:" + URL, payload=b'{"a": 1}\n', content_type="application/json",
                        refers_to=response.record_id, date=T0)
        writer.metadata(url=URL, payload=b"via: test\r\n", content_type="application/warc-fields",
                        refers_to=None, date=T0)
    ours, theirs = tmp_path / "ours.cdxj", tmp_path / "theirs.cdxj"
    lines.write_sorted(ours)
    write_cdxj(path, theirs, filename=key)
    assert ours.read_text() == theirs.read_text()
    assert len(ours.read_text().splitlines()) == 6


@pytest.mark.parametrize("message, head", [
    (b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n<p>one</p>\n\n<p>two</p>", b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"),
    (b"HTTP/1.1 200 OK\nA: b\n\n<p>one</p>\r\n\r\n<p>two</p>", b"HTTP/1.1 200 OK\nA: b\n\n"),
    (b"HTTP/1.1 204 No Content\r\n\r\n", b"HTTP/1.1 204 No Content\r\n\r\n"),
])
def test_the_head_ends_at_the_first_blank_line_whatever_its_line_ends(message, head):
    assert split_http(message) == (head, message[len(head):])


def test_a_message_without_a_blank_line_is_refused():
    with pytest.raises(ArchiveError, match="no end of headers"):
        split_http(b"HTTP/1.1 200 OK\r\nA: b\r\n")
