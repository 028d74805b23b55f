"""Feed, sitemap and section-page parsers on stored documents shaped like the outlets'."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from crawler.discovery import DiscoveryError, Entry, extract_links, parse_feed, parse_sitemap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "discovery"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss2_in_cp1251_keeps_titles_dates_keywords_and_language():
    entries = parse_feed(fixture("rss2_ria.xml"), "https://ria.ru/export/rss2/archive/index.xml")
    assert entries[0] == Entry(
        url="https://ria.ru/20261121/nato-1945000001.html",
        title="Столтенберг заявил о планах НАТО",
        published="2026-11-21T10:15:00+03:00",
        modified=None,
        language="ru",
        keywords=("НАТО", "В мире"),
        source="feed",
    )
    # Relative link resolved, whitespace and fragment dropped, escaped title unescaped.
    assert entries[1].url == "https://ria.ru/20261121/rubl-1945000002.html?utm_source=rss"
    assert entries[1].title == "Курс рубля & нефть"
    assert entries[1].published == "2026-11-21T09:00:00+00:00"
    assert entries[1].modified == "2026-11-21T09:30:00+03:00"
    # The guid that is not a permalink gives no URL; a permalink guid does.
    assert [e.url for e in entries[2:]] == ["https://ria.ru/20261120/guid-1944999999.html"]
    assert entries[2].published == "2026-11-20"
    assert entries[2].keywords == ("Экономика",)


def test_rss1_rdf_items_outside_the_channel():
    entries = parse_feed(fixture("rss1_rdf.xml"), "http://www.china.org.cn/rss/1185842.xml")
    assert [(e.url, e.published, e.language) for e in entries] == [
        ("http://www.china.org.cn/world/2026-11/21/content_118000001.htm", "2026-11-21T08:00:00+08:00", "en"),
        # No <link>: the rdf:about URL stands in for it.
        ("http://www.china.org.cn/china/2026-11/20/content_118000000.htm", "2026-11-20T18:30:00+08:00", "en"),
    ]
    assert entries[0].keywords == ("World",)


def test_atom_resolves_xml_base_and_prefers_the_alternate_link():
    entries = parse_feed(fixture("atom_xinhua.xml"), "https://www.news.cn/world/atom.xml")
    assert len(entries) == 2
    first, second = entries
    assert first.url == "https://www.news.cn/world/20261121/0123456789abcdef0123456789abcdef/c.html"
    assert first.title == "北约峰会 开幕"
    assert (first.published, first.modified) == ("2026-11-21T10:00:00+08:00", "2026-11-21T11:00:00+08:00")
    assert first.language == "zh"
    assert first.keywords == ("北约", "国际")
    assert second.language == "en"
    assert (second.published, second.modified) == (None, "2026-11-21T09:00:00+00:00")


def test_news_sitemap_keeps_the_news_fields():
    doc = parse_sitemap(fixture("news_sitemap_zee.xml"), "https://zeenews.india.com/sitemap.xml")
    assert doc.kind == "urlset" and doc.children == []
    assert doc.entries == [
        Entry(
            url="https://zeenews.india.com/world/nato-leaders-meet-in-brussels-2716060.html",
            title="NATO leaders meet in Brussels",
            published="2026-11-21T10:45:00+05:30",
            modified="2026-11-21T11:05:00+05:30",
            language="en",
            keywords=("NATO", "Brussels", "summit"),
            source="news-sitemap",
        ),
        Entry(
            url="https://zeenews.india.com/india/plain-sitemap-entry-2716061.html",
            modified="2026-11-20",
            source="sitemap",
        ),
    ]


def test_sitemap_index_lists_children_with_lastmod():
    doc = parse_sitemap(fixture("sitemapindex_ria.xml"), "https://ria.ru/sitemap_article_index.xml")
    assert doc.kind == "sitemapindex" and doc.entries == []
    assert doc.children == [
        ("https://ria.ru/sitemap_article.xml?date_start=20261101&date_end=20261130", "2026-11-21T10:20:00+03:00"),
        ("https://ria.ru/sitemap_article.xml?date_start=20261001&date_end=20261031", None),
    ]


def test_gzip_sitemap_is_detected_by_magic_bytes():
    body = gzip.compress(fixture("news_sitemap_zee.xml"))
    doc = parse_sitemap(body, "https://zeenews.india.com/sitemap.xml.gz")
    assert [e.source for e in doc.entries] == ["news-sitemap", "sitemap"]


def test_section_links_in_order_deduplicated_and_absolute():
    links = extract_links(fixture("section_tass.html"), "https://tass.com/politics")
    assert links == [
        "https://tass.com/",
        "https://tass.com/world",
        "https://tass.com/politics/",   # '#top' resolves to the base itself
        "https://tass.com/politics/1900001",
        "https://tass.com/politics/1900002",
        "https://tass.ru/politika/2000003",
        "https://tass.com/tag/nato",
    ]


def test_wrong_kind_of_document_is_named():
    with pytest.raises(DiscoveryError, match="sitemap, not a feed"):
        parse_feed(fixture("news_sitemap_zee.xml"), "https://zeenews.india.com/rss/world-news.xml")
    with pytest.raises(DiscoveryError, match="feed, not a sitemap"):
        parse_sitemap(fixture("atom_xinhua.xml"), "https://www.news.cn/sitemap.xml")


def test_text_sitemap_one_url_per_line():
    body = gzip.compress(b"https://tass.com/world/1\n\n  https://tass.com/world/2  \r\nhttps://tass.com/world/1#x\n")
    doc = parse_sitemap(body, "https://tass.com/sitemap.txt.gz")
    assert doc.kind == "urlset"
    assert [e.url for e in doc.entries] == ["https://tass.com/world/1", "https://tass.com/world/2", "https://tass.com/world/1"]
    with pytest.raises(DiscoveryError, match="neither an XML sitemap nor a text sitemap"):
        parse_sitemap(b'{"urls": []}', "https://tass.com/sitemap.json")


def test_feed_proxy_orig_link_wins_over_its_redirector():
    body = (b'<rss xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><item>'
            b"<link>https://feeds.example.net/~r/tass/~3/abc/</link>"
            b"<feedburner:origLink>https://tass.com/world/1900009</feedburner:origLink>"
            b"</item></channel></rss>")
    assert [e.url for e in parse_feed(body, "https://feeds.example.net/tass")] == ["https://tass.com/world/1900009"]


@pytest.mark.parametrize(
    ("declared", "encoding", "title"),
    [
        ("gb2312", "gb18030", "朱镕基会见"),       # 镕 is outside GB2312: the usual superset decodes it
        ("utf-8", "cp1251", "Визит генсека НАТО"),  # the declaration lies
        (None, "cp1251", "Визит генсека НАТО"),     # no declaration, and not UTF-8
        ("utf-8", "utf-16", "北约 НАТО"),            # a BOM wins over the declaration
    ],
)
def test_feed_charset_is_taken_from_the_bytes_when_the_declaration_is_wrong(declared, encoding, title):
    decl = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    text = f"{decl}<rss><channel><item><title>{title}</title><link>https://ria.ru/a</link></item></channel></rss>"
    assert parse_feed(text.encode(encoding), "https://ria.ru/export/rss2/index.xml")[0].title == title


def test_legacy_rss091_with_html_entities_and_bare_ampersands():
    body = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>China.org.cn</title><language>en-us</language>
<item><title>Caf&eacute;&nbsp;culture &amp; tea &bogus;</title>
<link>http://www.china.org.cn/china/2026-11/20/content_1.htm?a=1&b=2</link></item>
</channel></rss>"""
    [entry] = parse_feed(body, "http://www.china.org.cn/rss/news.xml")
    assert entry.title == "Café culture & tea &bogus;"  # the no-break space folds like any space
    assert entry.url == "http://www.china.org.cn/china/2026-11/20/content_1.htm?a=1&b=2"
    assert entry.language == "en-us"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Sat, 21 Nov 2026 10:15:00 +0300", "2026-11-21T10:15:00+03:00"),
        ("21 Nov 2026 10:15 GMT", "2026-11-21T10:15:00+00:00"),
        ("2026-11-21T10:15:00Z", "2026-11-21T10:15:00+00:00"),
        ("2026-11-21T10:15:00.5+08:00", "2026-11-21T10:15:00.500000+08:00"),
        ("2026-11-21 10:15:00", "2026-11-21T10:15:00"),
        ("2026/11/21 10:15:00", "2026-11-21T10:15:00"),
        ("2026/11/21", "2026-11-21"),
        ("2026-11-21", "2026-11-21"),
        ("2026-02-30", None),
        ("Sat, 31 Feb 2026 10:00:00 GMT", None),
        ("yesterday", None),
    ],
)
def test_feed_dates_become_iso_8601(raw, iso):
    body = f"<rss><channel><item><link>https://ria.ru/a</link><pubDate>{raw}</pubDate></item></channel></rss>"
    assert parse_feed(body.encode(), "https://ria.ru/rss")[0].published == iso


def test_atom_0_3_issued_and_modified():
    body = b"""<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>old</title>
<entry><title mode="escaped">Old &amp;lt;b&amp;gt;style&amp;lt;/b&amp;gt;</title>
<link rel="alternate" type="text/html" href="https://tass.com/world/1"/>
<issued>2026-11-20T08:00:00+03:00</issued><modified>2026-11-20T09:00:00+03:00</modified></entry></feed>"""
    [entry] = parse_feed(body, "https://tass.com/atom03.xml")
    assert (entry.url, entry.title) == ("https://tass.com/world/1", "Old style")
    assert (entry.published, entry.modified) == ("2026-11-20T08:00:00+03:00", "2026-11-20T09:00:00+03:00")
