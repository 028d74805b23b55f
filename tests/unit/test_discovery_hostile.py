"""Discovery parsers on hostile or broken input: clear errors, bounded work, no hangs."""

from __future__ import annotations

import gzip
import time

import pytest

from crawler.discovery import (
    MAX_BODY_BYTES,
    MAX_ENTRIES,
    DiscoveryError,
    extract_links,
    parse_feed,
    parse_sitemap,
)

FEED_URL = "https://ria.ru/export/rss2/archive/index.xml"
SITEMAP_URL = "https://tass.com/sitemap.xml"


def _bomb() -> bytes:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(levels)}]>'
            '<rss><channel><item><title>&lol9;</title><link>https://ria.ru/a</link></item>'
            '</channel></rss>').encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"   \n", "empty body"),
        (b"<!DOCTYPE html><html><head><title>Moved</title></head><body>Gone</body></html>", "HTML page"),
        (b"\xef\xbb\xbf\n<html lang='ru'><body>feed moved</body></html>", "HTML page"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "HTML page"),
        (b'<?xml-stylesheet href="s.xsl"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "XHTML"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>cut', "not well-formed"),
        (b'{"items": []}', "not well-formed"),
        (b"\x00\x01\x02binary", "not well-formed"),
        (b'<?xml version="1.0"?><rss version="2.0"/>', "without a <channel>"),
        (b'<?xml version="1.0"?><opml><body/></opml>', "<opml> is not an RSS or Atom"),
    ],
)
def test_not_a_feed_raises_a_clear_error(body, message):
    with pytest.raises(DiscoveryError, match=message) as info:
        parse_feed(body, FEED_URL)
    assert str(info.value).startswith(FEED_URL)


def test_xml_bomb_is_refused_quickly():
    started = time.perf_counter()
    with pytest.raises(DiscoveryError):
        parse_feed(_bomb(), FEED_URL)
    assert time.perf_counter() - started < 1.0


def test_external_entity_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<rss><channel><item><title>&x;</title><link>https://ria.ru/a</link></item></channel></rss>').encode()
    with pytest.raises(DiscoveryError, match="declares XML entities") as info:
        parse_feed(body, FEED_URL)
    assert "TOP-SECRET" not in str(info.value)


def test_gzip_bomb_is_refused_without_inflating_it_all():
    body = gzip.compress(b"<urlset>" + b" " * (MAX_BODY_BYTES + 1024) + b"</urlset>", compresslevel=1)
    assert len(body) < MAX_BODY_BYTES // 100
    with pytest.raises(DiscoveryError, match="gzip bomb"):
        parse_sitemap(body, SITEMAP_URL + ".gz")


def test_truncated_and_corrupt_gzip():
    body = gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    with pytest.raises(DiscoveryError, match="truncated gzip"):
        parse_sitemap(body[: len(body) // 2], SITEMAP_URL)
    with pytest.raises(DiscoveryError, match="corrupt gzip"):
        parse_sitemap(body[:10] + b"\xff" * 20, SITEMAP_URL)


def test_entry_count_is_capped():
    urls = "".join(f"<url><loc>https://tass.com/world/{i}</loc></url>" for i in range(MAX_ENTRIES + 5))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    doc = parse_sitemap(body, SITEMAP_URL)
    assert len(doc.entries) == MAX_ENTRIES
    assert doc.entries[-1].url == f"https://tass.com/world/{MAX_ENTRIES - 1}"


def test_deep_nesting_is_refused():
    body = b"<rss><channel>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</channel></rss>"
    with pytest.raises(DiscoveryError):
        parse_feed(body, FEED_URL)


def test_sitemap_with_junk_locs_keeps_only_http_urls():
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>ftp://tass.com/a</loc></url><url><loc></loc></url><url/>"
            b"<url><loc>https://tass.com/world/1</loc><lastmod>not a date</lastmod></url></urlset>")
    doc = parse_sitemap(body, SITEMAP_URL)
    assert [(e.url, e.modified) for e in doc.entries] == [("https://tass.com/world/1", None)]


def test_unparseable_dates_become_none_not_errors():
    body = ("<rss><channel><item><link>https://ria.ru/20261121/a-1.html</link>"
            "<pubDate>вчера</pubDate></item></channel></rss>").encode()
    assert parse_feed(body, FEED_URL)[0].published is None


@pytest.mark.parametrize("body", [b"", b"\x00\xff\xfe garbage", b"<a href='http://[::1'>broken</a>",
                                  b"<a href='http:///no-host'>x</a><a href='https://tass.com:99999/'>y</a>"])
def test_extract_links_never_fails_on_junk_pages(body):
    assert extract_links(body, "https://tass.com/politics") == []


def test_sitemap_index_children_are_capped_too():
    rows = "".join(f"<sitemap><loc>https://tass.com/s{i}.xml</loc></sitemap>" for i in range(MAX_ENTRIES + 1))
    body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'.encode()
    assert len(parse_sitemap(body, SITEMAP_URL).children) == MAX_ENTRIES
