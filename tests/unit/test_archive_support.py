"""Builders shared by the archive tests, and the check that what they build is valid."""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import jsonschema

from extract.article import Article, ExtractorInfo, WarcRef, article_id

BIN = Path(sys.executable).parent
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "extract/schema/article.schema.json").read_text())
T0 = datetime(2026, 11, 22, 7, 40, 5, tzinfo=timezone.utc)

HTML = b"<html><head><title>Harbour reopens</title></head><body><p>The harbour reopened today.</p></body></html>"


def gzip_chunked(head: bytes, html: bytes, *, first_chunk: int) -> bytes:
    """A response with ``head`` (status line and headers, no blank line) and ``html``
    gzipped and sent in two chunks, the way servers stream compressed pages."""
    body = gzip.compress(html, mtime=0)
    chunks = (body[:first_chunk], body[first_chunk:])
    return head + b"\r\n" + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


# Every oddity a normalising client would lose: a reason phrase nobody uses, lower- and
# mixed-case names, a repeated header, extra spaces, a gzip body sent chunked.
RESPONSE = gzip_chunked(
    b"HTTP/1.1 200 Fine And Dandy\r\n"
    b"content-type: text/html; charset=utf-8\r\n"
    b"Set-Cookie: a=1\r\n"
    b"X-Odd-Case:   spaced value\r\n"
    b"set-cookie: b=2\r\n"
    b"Content-Encoding: gzip\r\n"
    b"Transfer-Encoding: chunked\r\n",
    HTML,
    first_chunk=10,
)
REQUEST = b"GET /news/harbour HTTP/1.1\r\nHost: example.org\r\nUser-Agent: newsarchive-test\r\nAccept-Encoding: gzip\r\n\r\n"
URL = "http://example.org/news/harbour"


def record_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(counter):012d}>"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def make_article(
    url: str = URL,
    *,
    outlet: str | None = "harbourtimes",
    published: str | None = "2026-11-20T09:30:00+01:00",
    language: str = "en",
    topics: tuple[str, ...] = (),
    warc: WarcRef | None = None,
    title: str = "Harbour reopens",
) -> Article:
    return Article(
        id=article_id(url),
        url=url,
        canonical_url=url,
        title=title,
        text="The harbour reopened today.",
        language=language,
        published=published,
        extractor=ExtractorInfo(name="newsarchive", version="test"),
        fetched_at=T0.isoformat(),
        outlet=outlet,
        topics=topics,
        warc=warc,
    )


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a console script of the venv (warcio, cdxj-indexer) as a user would."""
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True, timeout=60)


def test_built_articles_match_the_published_schema():
    ref = WarcRef(
        file="warc/2026/11/22/x.warc.gz",
        record_id=record_ids()(),
        offset=0,
        length=10,
        payload_digest="sha1:" + "A" * 32,
    )
    for article in (make_article(warc=ref), make_article(outlet=None, published=None, topics=("port",))):
        data = json.loads(article.to_json())
        jsonschema.validate(data, SCHEMA)
        assert Article.from_json(article.to_json()) == article
