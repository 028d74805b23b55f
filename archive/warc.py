"""WARC/1.1 records whose HTTP blocks are the bytes that crossed the wire.

warcio builds the records and computes the digests; two things are ours. First, warcio's
writer rebuilds an HTTP head from its parsed headers (folding case, dropping repeats'
order, re-encoding), so heads are carried by ``RawHead``, which serialises back to the
exact bytes it was parsed from. Second, each record is gzipped as its own member, which is
what makes offset/length random access and CDXJ indexes work. The members are standard
gzip, written by ISA-L (``isal``) at its level 2 when it is installed: on real news pages
about 15x faster than zlib at level 6 for files ~15% larger (warcio uses zlib at 9: the
size of 6, 1.6x slower). Without it, zlib at level 6.
"""

from __future__ import annotations

import io
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Callable, Iterator, Mapping

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archive.cdxj import IndexEntry, describe
from archive.errors import ArchiveError
from archive.layout import utc
from extract.article import Article, WarcRef

__all__ = [
    "ARTICLE_URI_PREFIX",
    "BuiltRecord",
    "DamagedMember",
    "HINTS_FIELD",
    "OUTLET_FIELD",
    "REVISIT_PROFILES",
    "RawHead",
    "WarcWriter",
    "article_record_uri",
    "build_article",
    "build_exchange",
    "build_metadata",
    "build_revisit",
    "build_warcinfo",
    "gzip_member",
    "iter_members",
    "new_record_id",
    "parse_member",
    "read_heads",
    "read_member",
    "split_http",
    "warc_date",
]

REVISIT_PROFILES = {
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}
try:  # standard gzip members either way; readers need nothing but zlib
    from isal import isal_zlib as _deflate

    GZIP_LEVEL = 2  # ISA-L's levels are 0-3; 2 is as fast as 1 here, and smaller
except ImportError:  # pragma: no cover - isal ships wheels for the usual platforms
    _deflate = zlib
    GZIP_LEVEL = 6
DEFLATE = _deflate.__name__.rsplit(".", 1)[-1]  # what writes the members, for benchmarks
# A named field of our own on response records (WARC 1.1 allows extension fields); JSON,
# ASCII-only so the header stays valid.
HINTS_FIELD = "Newsarchive-Hints"
# The outlet a capture was made for, so re-extraction from the WARCs alone files it right.
OUTLET_FIELD = "Newsarchive-Outlet"
# The article JSON's metadata record is named ``urn:article:<page URL>``, as Browsertrix
# names its own records (``urn:pageinfo:<url>``): replay tools index metadata records,
# and one under the page's own URL would be served in place of the page.
ARTICLE_URI_PREFIX = "urn:article:"


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def article_record_uri(url: str) -> str:
    """The ``WARC-Target-URI`` of the metadata record holding the JSON of the article at ``url``."""
    return ARTICLE_URI_PREFIX + url


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date: UTC, with microseconds when the moment has them."""
    return datetime_to_iso_date(utc(moment).replace(tzinfo=None), use_micros=True)


def split_http(message: bytes) -> tuple[bytes, bytes]:
    """(head including its blank line, body) of a raw HTTP message."""
    end = message.find(b"\r\n\r\n")
    # A bare-LF blank line counts only before the CRLF one: searching all of a large
    # body for it is what made this cost more than the rest of the split.
    bare = message.find(b"\n\n", 0, end if end >= 0 else len(message))
    if bare >= 0:
        end, sep = bare, 2
    elif end >= 0:
        sep = 4
    else:
        raise ArchiveError("HTTP message has no end of headers (blank line); pass the bytes exactly as received")
    return message[: end + sep], message[end + sep :]


def _as_warc_date(value: str) -> str:
    """A caller's ISO 8601 date (``+00:00`` offsets and all) in WARC form; other text as given."""
    try:
        return warc_date(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return value


class RawHead(StatusAndHeaders):
    """An HTTP status line and headers, parsed for indexing, serialised as received."""

    def __init__(self, raw: bytes) -> None:
        parsed = StatusAndHeadersParser([], verify=False).parse(io.BytesIO(raw))
        super().__init__(parsed.statusline, parsed.headers, protocol=parsed.protocol, total_len=len(raw))
        self._raw = raw
        self.headers_buff = raw

    def compute_headers_buffer(self, header_filter=None) -> None:
        self.headers_buff = self._raw


@dataclass(frozen=True)
class BuiltRecord:
    """One record, built and compressed but not yet written: what ``WarcWriter.append``
    takes. Picklable, so records can be built in another process and written in order here."""

    member: bytes  # the whole record as one gzip member
    record_id: str
    payload_digest: str
    index: IndexEntry | None  # its CDXJ line but for where it lands; None if not indexed


def build_warcinfo(*, record_id: str, filename: str, info: Mapping[str, str], date: datetime) -> BuiltRecord:
    block = "".join(f"{name}: {value}\r\n" for name, value in info.items() if value).encode("utf-8")
    headers = {"WARC-Type": "warcinfo", "WARC-Record-ID": record_id, "WARC-Date": warc_date(date),
               "WARC-Filename": filename}
    return _built(_BUILDER.create_warc_record(
        "", "warcinfo", payload=io.BytesIO(block), length=len(block), warc_headers_dict=headers
    ))


def build_exchange(
    *,
    record_ids: tuple[str, str],
    url: str,
    request: bytes,
    response: bytes,
    remote_ip: str | None,
    date: datetime,
    annotations: Mapping[str, str] | None = None,
) -> tuple[BuiltRecord, BuiltRecord]:
    """A ``request`` and a ``response`` record (ids in that order), the HTTP blocks as the
    bytes that crossed the wire. ``annotations`` become extra fields of the response's header."""
    head, body = split_http(response)
    return _pair(record_ids, url=url, request=request, rec_type="response", head=head, body=body, date=date,
                 remote_ip=remote_ip, extra=annotations)


def build_revisit(
    *,
    record_ids: tuple[str, str],
    url: str,
    request: bytes,
    response_head: bytes,
    date: datetime,
    refers_to: WarcRef,
    refers_to_url: str,
    refers_to_date: str,
    profile: str,
    remote_ip: str | None = None,
) -> tuple[BuiltRecord, BuiltRecord]:
    """A ``request`` and a ``revisit`` record pointing at an earlier response."""
    if profile not in REVISIT_PROFILES:
        raise ArchiveError(f"unknown revisit profile {profile!r}: use one of {', '.join(REVISIT_PROFILES)}")
    extra = {
        "WARC-Profile": REVISIT_PROFILES[profile],
        "WARC-Refers-To": refers_to.record_id,
        "WARC-Refers-To-Target-URI": refers_to_url,
        "WARC-Refers-To-Date": _as_warc_date(refers_to_date),
    }
    if profile == "identical-payload-digest":
        extra["WARC-Payload-Digest"] = refers_to.payload_digest
    head, _ = split_http(response_head)
    return _pair(record_ids, url=url, request=request, rec_type="revisit", head=head, body=b"", date=date,
                 remote_ip=remote_ip, extra=extra)


def build_metadata(*, record_id: str, url: str, payload: bytes, content_type: str, refers_to: str | None,
                   date: datetime) -> BuiltRecord:
    """A ``metadata`` record about the record ``refers_to`` (``WARC-Refers-To``).

    ``url`` is its ``WARC-Target-URI``: never the described page's own URL (replay
    would serve the metadata as the page); for article JSON, ``article_record_uri``.
    """
    headers = {"WARC-Type": "metadata", "WARC-Record-ID": record_id, "WARC-Date": warc_date(date),
               "WARC-Target-URI": url}
    if refers_to:
        headers["WARC-Refers-To"] = refers_to
    return _built(_BUILDER.create_warc_record(
        url, "metadata", payload=io.BytesIO(payload), length=len(payload), warc_content_type=content_type,
        warc_headers_dict=headers
    ))


def build_article(article: Article, *, record_id: str, date: datetime) -> tuple[bytes, BuiltRecord]:
    """An article's JSON, and the ``metadata`` record holding it (named ``urn:article:<url>``,
    referring to the response it was extracted from)."""
    data = article.to_json().encode("utf-8")
    return data, build_metadata(record_id=record_id, url=article_record_uri(article.url), payload=data,
                                content_type="application/json",
                                refers_to=article.warc.record_id if article.warc else None, date=date)


_BUILDER = RecordBuilder(warc_version="1.1")


def _pair(
    record_ids: tuple[str, str],
    *,
    url: str,
    request: bytes,
    rec_type: str,
    head: bytes,
    body: bytes,
    date: datetime,
    remote_ip: str | None,
    extra: Mapping[str, str] | None = None,
) -> tuple[BuiltRecord, BuiltRecord]:
    """The request record, then the response or revisit record it is concurrent to."""
    request_id, main_id = record_ids
    common = {"WARC-Date": warc_date(date), "WARC-Target-URI": url}
    if remote_ip:
        common["WARC-IP-Address"] = remote_ip
    request_head, request_body = split_http(request)
    return (
        _built(_http_record(url, "request", request_head, request_body,
                            {"WARC-Type": "request", "WARC-Record-ID": request_id, **common,
                             "WARC-Concurrent-To": main_id})),
        _built(_http_record(url, rec_type, head, body,
                            {"WARC-Type": rec_type, "WARC-Record-ID": main_id, **common, **(extra or {})})),
    )


def _http_record(url: str, rec_type: str, head: bytes, body: bytes, headers: Mapping[str, str]) -> Any:
    return _BUILDER.create_warc_record(
        url, rec_type, payload=io.BytesIO(body), length=len(body), http_headers=RawHead(head),
        warc_headers_dict=dict(headers)
    )


def _built(record: Any) -> BuiltRecord:
    plain = io.BytesIO()
    WARCWriter(plain, gzip=False).write_record(record)
    return BuiltRecord(
        member=gzip_member(plain.getvalue()),
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        payload_digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
        index=describe(record),
    )


class WarcWriter:
    """Appends records, one gzip member each, to an open binary file.

    ``append`` writes records built anywhere (``build_*``, possibly in another process);
    ``warcinfo``, ``exchange``, ``revisit`` and ``metadata`` build and append in one go.
    ``file`` is what the returned ``WarcRef``s name (the WARC's object key); record ids
    come from ``record_ids`` so tests can compare exact bytes. A write that fails (disk
    full, I/O error) is cut off again; if even that fails the writer is ``broken`` and
    refuses further records, and the file must be closed as it is (spool recovery cuts
    it back to its last whole record). Give it an unbuffered file: a buffer keeps what
    it could not write, so a buffered file cannot be cut back.

    ``index`` (an ``archive.index.IndexLines``) is told of every record once it is
    written whole: ``index.add(entry, offset, length)``.
    """

    def __init__(self, out: BinaryIO, *, file: str, record_ids: Callable[[], str] = new_record_id,
                 index: Any = None) -> None:
        self._out = out
        self._file = file
        self._record_ids = record_ids
        self._index = index
        self._offset = out.tell()
        self.broken = False

    @property
    def size(self) -> int:
        return self._offset

    def pair_ids(self) -> tuple[str, str]:
        """Record ids for a request and the response or revisit it is concurrent to."""
        return self._record_ids(), self._record_ids()

    def warcinfo(self, *, filename: str, info: Mapping[str, str], date: datetime) -> WarcRef:
        return self.append(build_warcinfo(record_id=self._record_ids(), filename=filename, info=info, date=date))

    def exchange(
        self,
        *,
        url: str,
        request: bytes,
        response: bytes,
        remote_ip: str | None,
        date: datetime,
        annotations: Mapping[str, str] | None = None,
    ) -> WarcRef:
        """A ``request`` and a ``response`` record; returns where the response is."""
        return self.append(*build_exchange(record_ids=self.pair_ids(), url=url, request=request, response=response,
                                           remote_ip=remote_ip, date=date, annotations=annotations))

    def revisit(
        self,
        *,
        url: str,
        request: bytes,
        response_head: bytes,
        date: datetime,
        refers_to: WarcRef,
        refers_to_url: str,
        refers_to_date: str,
        profile: str,
        remote_ip: str | None = None,
    ) -> WarcRef:
        """A ``request`` and a ``revisit`` record pointing at an earlier response."""
        return self.append(*build_revisit(
            record_ids=self.pair_ids(), url=url, request=request, response_head=response_head, date=date,
            refers_to=refers_to, refers_to_url=refers_to_url, refers_to_date=refers_to_date, profile=profile,
            remote_ip=remote_ip,
        ))

    def metadata(self, *, url: str, payload: bytes, content_type: str, refers_to: str | None, date: datetime) -> WarcRef:
        """A ``metadata`` record (see ``build_metadata``)."""
        return self.append(build_metadata(record_id=self._record_ids(), url=url, payload=payload,
                                          content_type=content_type, refers_to=refers_to, date=date))

    def append(self, *records: BuiltRecord) -> WarcRef:
        """Write ``records`` in order; returns where the last one is."""
        ref = None
        for record in records:
            ref = self._write(record)
        if ref is None:
            raise ArchiveError("append needs at least one record")
        return ref

    def _write(self, record: BuiltRecord) -> WarcRef:
        if self.broken:
            raise ArchiveError(f"{self._file} could not be cut back after a failed write; write to a new WARC file")
        member = record.member
        offset = self._offset
        try:
            view = memoryview(member)
            while view:
                view = view[self._out.write(view) :]  # an unbuffered file may take part of it
            self._out.flush()
        except BaseException:
            self._cut_back(offset)
            raise
        self._offset += len(member)
        if self._index is not None:
            self._index.add(record.index, offset, len(member))
        return WarcRef(file=self._file, record_id=record.record_id, offset=offset, length=len(member),
                       payload_digest=record.payload_digest)

    def _cut_back(self, offset: int) -> None:
        """Drop a partly written member: every later ``WarcRef`` offset depends on it."""
        try:
            self._out.seek(offset)
            self._out.truncate()
        except OSError:
            self.broken = True


def gzip_member(data: bytes) -> bytes:
    """``data`` as one standard gzip member (what every WARC record is written as)."""
    compressor = _deflate.compressobj(GZIP_LEVEL, _deflate.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(data) + compressor.flush()


class DamagedMember(ArchiveError):
    """A gzip member of a WARC file is truncated or corrupt (``offset`` is where it starts)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def iter_members(stream: BinaryIO, *, chunk_size: int = 1 << 20) -> Iterator[tuple[int, int, bytes]]:
    """(offset, length, decompressed bytes) of each gzip member of a ``.warc.gz`` stream.

    zlib checks each member's CRC and length, so unlike a record iterator this notices a
    damaged or cut-off member; it raises ``DamagedMember`` there.
    """
    offset, pending = 0, b""
    while True:
        decompressor = zlib.decompressobj(zlib.MAX_WBITS + 16)
        parts: list[bytes] = []
        used = 0
        while not decompressor.eof:
            if not pending:
                pending = stream.read(chunk_size)
                if not pending:
                    if used:
                        raise DamagedMember(f"gzip member at offset {offset} is cut off", offset)
                    return
            try:
                parts.append(decompressor.decompress(pending))
            except zlib.error as exc:
                raise DamagedMember(f"gzip member at offset {offset} is corrupt: {exc}", offset) from exc
            used += len(pending) - len(decompressor.unused_data)
            pending = decompressor.unused_data
        yield offset, used, b"".join(parts)
        offset += used


def parse_member(member: bytes) -> tuple[StatusAndHeaders, bytes]:
    """(WARC headers, block) of one decompressed record, the block exactly as stored."""
    head, sep, rest = member.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        raise ArchiveError("not a WARC record: the archive file or the offset/length pointing into it is wrong")
    headers = StatusAndHeadersParser(["WARC/1.1", "WARC/1.0"], verify=True).parse(io.BytesIO(head + b"\r\n\r\n"))
    length = int(headers.get_header("Content-Length", "-1"))
    if length < 0 or len(rest) < length:
        raise ArchiveError(f"WARC record {headers.get_header('WARC-Record-ID')} is shorter than its Content-Length")
    return headers, rest[:length]


def read_heads(prefix: bytes) -> tuple[StatusAndHeaders, StatusAndHeaders | None]:
    """(WARC headers, HTTP headers or None) from the first bytes of one gzip member.

    A record's heads sit at its start, so a few KiB of a large response are enough:
    what is cheap to read back when only dates and validators are wanted.
    """
    data = zlib.decompressobj(zlib.MAX_WBITS + 16).decompress(prefix)
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"WARC/"):
        raise ArchiveError("not the start of a WARC record: the offset pointing into the file is wrong")
    warc = StatusAndHeadersParser(["WARC/1.1", "WARC/1.0"], verify=True).parse(io.BytesIO(head + b"\r\n\r\n"))
    if not rest.startswith(b"HTTP/") or b"\r\n\r\n" not in rest:
        return warc, None
    http_head = rest[: rest.index(b"\r\n\r\n") + 4]
    return warc, StatusAndHeadersParser([], verify=False).parse(io.BytesIO(http_head))


def read_member(data: bytes) -> bytes:
    """Decompress exactly one gzip member (as addressed by a ``WarcRef``)."""
    members = list(iter_members(io.BytesIO(data)))
    if len(members) != 1:
        raise ArchiveError("the WARC offset/length does not address exactly one record; run `newsarchive verify`")
    return members[0][2]
