"""Discovery parsers: what feeds, sitemaps and section pages announce.

Pure functions of (body bytes, URL). They keep what the announcement says about each
article (title, dates, language, keywords), which Scrapy's own sitemap parser drops for
Google News sitemaps, so extraction can use it as a second opinion.

The bodies come from the internet and are treated as hostile: entity declarations are
refused (no XML bombs), gzip is inflated only up to a cap, entry counts are capped, and
anything that is not the expected document raises :class:`DiscoveryError`.
"""

from __future__ import annotations

import codecs
import html
import html.entities
import logging
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Iterable, Iterator, Literal, TypeVar
from urllib.parse import urldefrag, urljoin, urlsplit

import charset_normalizer
import lxml.html
from lxml import etree


__all__ = [
    "MAX_BODY_BYTES",
    "MAX_ENTRIES",
    "DiscoveryError",
    "Entry",
    "SitemapDoc",
    "extract_links",
    "parse_feed",
    "parse_sitemap",
]

log = logging.getLogger(__name__)

# The sitemaps protocol caps a sitemap at 50,000 URLs and 50 MB uncompressed; no
# legitimate feed or sitemap is larger, so anything beyond is refused or cut.
MAX_BODY_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 50_000

Source = Literal["feed", "sitemap", "news-sitemap"]


class DiscoveryError(ValueError):
    """Raised by the parsers when a body is not a usable feed, sitemap or page."""


@dataclass(frozen=True)
class Entry:
    """One article URL as a feed or sitemap announced it; dates are ISO 8601 or None."""

    url: str
    title: str | None = None
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    keywords: tuple[str, ...] = ()
    source: Source = "feed"


@dataclass(frozen=True)
class SitemapDoc:
    """A parsed sitemap: a ``urlset`` has entries, a ``sitemapindex`` has children.

    ``children`` are ``(url, lastmod)`` pairs of the sitemaps an index points to.
    """

    kind: Literal["urlset", "sitemapindex"]
    entries: list[Entry] = field(default_factory=list)
    children: list[tuple[str, str | None]] = field(default_factory=list)


# ------------------------------------------------------------------------ bytes to tree

_GZIP_MAGIC = b"\x1f\x8b"
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S)


def _gunzip(body: bytes, url: str) -> bytes:
    """Inflate a gzip body, refusing one that inflates beyond MAX_BODY_BYTES."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, MAX_BODY_BYTES + 1)
    except zlib.error as exc:
        raise DiscoveryError(f"{url}: corrupt gzip body ({exc}); fetch it again") from None
    if len(data) > MAX_BODY_BYTES:
        raise DiscoveryError(f"{url}: gzip body inflates beyond {MAX_BODY_BYTES} bytes "
                             "(the sitemaps protocol limit); refusing it as a likely gzip bomb")
    if not inflater.eof:
        raise DiscoveryError(f"{url}: truncated gzip body; the download was cut short, fetch it again")
    return data


def _prepare(body: bytes, url: str, what: str) -> bytes:
    """The document bytes: inflated if gzip, size-capped, BOM and leading space gone."""
    if body[:2] == _GZIP_MAGIC:
        body = _gunzip(body, url)
    if len(body) > MAX_BODY_BYTES:
        raise DiscoveryError(f"{url}: {what} of {len(body)} bytes exceeds {MAX_BODY_BYTES}; refusing it")
    body = _to_utf8(body).lstrip()  # stray whitespace before <?xml is common and harmless
    if not body:
        raise DiscoveryError(f"{url}: empty body where a {what} was expected")
    return body


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>")
_ANY_XML_DECL = re.compile(r"^\s*<\?xml\s[^>]*\?>")
# Declared labels whose real-world bytes are often a superset (see NOTES: gb2312 pages
# carry GBK/GB18030 characters).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "iso-8859-1": "cp1252",
              "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8"}


def _to_utf8(body: bytes) -> bytes:
    """Re-encode a document as UTF-8 without its XML declaration.

    Feeds declare one charset and send another often enough that the declaration is only
    the first guess: BOM, then the declaration (widened to its usual superset), then
    UTF-8, then detection; what still fails is decoded with replacement characters.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            candidates = [encoding]
            break
    else:
        match = _XML_DECL.match(body[:1024])
        declared = match.group(1).decode("ascii").lower() if match else "utf-8"
        candidates = [_SUPERSETS.get(declared, declared), "utf-8"]
    text = None
    for encoding in candidates:
        try:
            text = body.decode(encoding)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    if text is None:
        best = charset_normalizer.from_bytes(body[:200_000]).best()
        text = body.decode(best.encoding if best else "utf-8", errors="replace")
    return _ANY_XML_DECL.sub("", text.lstrip("\ufeff"), count=1).encode("utf-8")


def _parse_xml(body: bytes) -> etree._Element | None:
    # The parser never expands entities nor fetches DTDs; libxml2 also stops entity
    # amplification, which surfaces as a syntax error. A parser per call: lxml parsers
    # must not be shared between threads.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    return etree.fromstring(body, parser)


_ENTITY_REF = re.compile(rb"&(?:([A-Za-z][A-Za-z0-9]{1,31});|(?!#[0-9]+;|#x[0-9A-Fa-f]+;))")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})


def _repair_entities(body: bytes) -> bytes:
    """HTML named entities to character references, bare '&' to '&amp;'."""
    def fix(match: re.Match) -> bytes:
        name = match.group(1)
        if name is None:
            return b"&amp;"
        if name in _XML_ENTITIES:
            return match.group(0)
        codepoint = html.entities.name2codepoint.get(name.decode("ascii"))
        return b"&#%d;" % codepoint if codepoint is not None else b"&amp;" + name + b";"
    return _ENTITY_REF.sub(fix, body)


def _xml_root(body: bytes, url: str, what: str) -> etree._Element:
    """Parse prepared bytes as XML, refusing HTML pages and entity declarations."""
    if _HTML_START.match(body[:4096]):
        raise DiscoveryError(f"{url}: got an HTML page, not a {what}; the URL may have moved, "
                             "open it in a browser and correct the outlet spec")
    try:
        root = _parse_xml(body)
    except etree.XMLSyntaxError as exc:
        # Legacy feeds use HTML entities (&nbsp;, from the RSS 0.91 DTD) and bare '&' in
        # links; repairing just those is safe, unlike lxml's recover mode, which would
        # also accept a truncated document as complete.
        repaired = _repair_entities(body)
        try:
            root = _parse_xml(repaired) if repaired != body else None
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise DiscoveryError(f"{url}: not well-formed XML ({exc}); the {what} may be "
                                 "truncated or not XML at all") from None
    if root is None:
        raise DiscoveryError(f"{url}: no XML document in the body")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # Entity declarations have no use in feeds; they are how XML bombs and
        # external-file reads are built.
        raise DiscoveryError(f"{url}: the {what} declares XML entities; refused as unsafe")
    if _local(root) == "html":
        raise DiscoveryError(f"{url}: got an XHTML page, not a {what}; correct the outlet spec")
    return root


def _local(element: etree._Element) -> str:
    tag = element.tag
    # String split, not etree.QName: this runs for every element of a 50,000-URL sitemap.
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children with the given local name, whatever their namespace."""
    for child in element:
        if _local(child) == name:
            yield child


def _first(element: etree._Element, *names: str) -> etree._Element | None:
    for name in names:
        for child in _children(element, name):
            return child
    return None


def _kids(element: etree._Element) -> dict[str, etree._Element]:
    """The first child of each local name: one pass instead of a scan per field."""
    kids: dict[str, etree._Element] = {}
    for child in element:
        kids.setdefault(_local(child), child)
    return kids


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    raw = element.text if len(element) == 0 else "".join(element.itertext())
    return " ".join(raw.split()) or None if raw else None


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _title(element: etree._Element | None) -> str | None:
    """Plain-text title: feeds often escape or CDATA-wrap HTML inside titles."""
    text = _text(element)
    if not text:
        return None
    return " ".join(_TAG.sub(" ", html.unescape(text)).split()) or None


def _child_text(element: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in _children(element, name):
            text = _text(child)
            if text:
                return text
    return None


# ---------------------------------------------------------------------------- dates

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Seen in Chinese feeds: slashes instead of dashes, no time zone.
_SLASH_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d")


def _iso_date(text: str | None) -> str | None:
    """ISO 8601 from a W3C/ISO, RFC 822 or slashed date; None when it cannot be read.

    A date without time stays a date, and a time without zone stays naive: inventing
    either would turn a feed's vague claim into a precise wrong one.
    """
    if not text:
        return None
    text = text.strip()
    try:
        if _DATE_ONLY.fullmatch(text):
            return datetime.strptime(text, "%Y-%m-%d").date().isoformat()
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        pass
    for fmt in _SLASH_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.date().isoformat() if fmt == "%Y/%m/%d" else parsed.isoformat()
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return None


# ---------------------------------------------------------------------------- feeds

_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#]|$)")


def _absolute(link: str | None, base: str) -> str | None:
    """An absolute http(s) URL with a host and without fragment, or None."""
    if not link:
        return None
    link = link.strip()
    if _PLAIN_ABSOLUTE.match(link) and "/." not in link:
        # Plainly absolute, no dot segments: skip urljoin, which is most of the cost of
        # a 50,000-URL sitemap.
        return link.partition("#")[0]
    try:
        url = urldefrag(urljoin(base, link))[0]
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a link anyone can follow
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _keywords(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(" ".join(value.split()), None)
    return tuple(seen)


def _rss_item(item: etree._Element, base: str, language: str | None) -> Entry | None:
    # A feed proxy's <link> is its own redirector; origLink is the publisher's URL.
    link = _child_text(item, "origLink", "link")
    if not link:
        guid = _first(item, "guid")
        if guid is not None and guid.get("isPermaLink", "true").lower() != "false":
            link = _text(guid)
    if not link:
        # RSS 1.0 items name their URL in rdf:about.
        link = next((v for k, v in item.attrib.items() if etree.QName(k).localname == "about"), None)
    url = _absolute(link, base)
    if url is None:
        return None
    categories = [_text(c) for c in _children(item, "category")]
    categories += [_text(c) for c in _children(item, "subject")]  # dc:subject
    return Entry(
        url=url,
        title=_title(_first(item, "title")),
        published=_iso_date(_child_text(item, "pubDate", "date", "published", "issued")),
        modified=_iso_date(_child_text(item, "updated", "modified")),
        language=_child_text(item, "language") or language,
        keywords=_keywords(categories),
        source="feed",
    )


def _atom_link(entry: etree._Element) -> str | None:
    fallback = None
    for link in _children(entry, "link"):
        rel = link.get("rel", "alternate")
        if rel == "alternate" and link.get("type", "text/html") in ("text/html", "application/xhtml+xml"):
            return link.get("href")
        if rel == "alternate" and fallback is None:
            fallback = link.get("href")
    return fallback


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def _atom_entry(entry: etree._Element, base: str, language: str | None) -> Entry | None:
    base = urljoin(base, entry.get(_XML_BASE) or "")
    url = _absolute(_atom_link(entry), base)
    if url is None:
        return None
    return Entry(
        url=url,
        title=_title(_first(entry, "title")),
        published=_iso_date(_child_text(entry, "published", "issued")),
        modified=_iso_date(_child_text(entry, "updated", "modified")),
        language=entry.get(_XML_LANG) or language,
        keywords=_keywords(c.get("term") or c.get("label") for c in _children(entry, "category")),
        source="feed",
    )


_T = TypeVar("_T")


def _capped(entries: Iterable[_T | None], url: str) -> list[_T]:
    """The first MAX_ENTRIES items that are not None."""
    result: list[_T] = []
    for entry in entries:
        if entry is None:
            continue
        if len(result) == MAX_ENTRIES:
            log.warning("%s: more than %d entries; keeping the first %d", url, MAX_ENTRIES, MAX_ENTRIES)
            break
        result.append(entry)
    return result


def parse_feed(body: bytes, url: str) -> list[Entry]:
    """Entries of an RSS 0.9x/2.0, RSS 1.0 (RDF) or Atom feed, in document order.

    Relative links are resolved against ``url`` (and Atom ``xml:base``); entries without
    an http(s) link are skipped. Raises :class:`DiscoveryError` for anything else.
    """
    root = _xml_root(_prepare(body, url, "feed"), url, "feed")
    kind = _local(root)
    if kind == "rss":
        channel = _first(root, "channel")
        if channel is None:
            raise DiscoveryError(f"{url}: RSS document without a <channel>")
        language = _child_text(channel, "language")
        return _capped((_rss_item(i, url, language) for i in _children(channel, "item")), url)
    if kind == "RDF":
        channel = _first(root, "channel")
        language = _child_text(channel, "language") if channel is not None else None
        return _capped((_rss_item(i, url, language) for i in _children(root, "item")), url)
    if kind == "feed":
        base = urljoin(url, root.get(_XML_BASE) or "")
        language = root.get(_XML_LANG)
        return _capped((_atom_entry(e, base, language) for e in _children(root, "entry")), url)
    if kind in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"{url}: this is a sitemap, not a feed; list it under sitemaps:")
    raise DiscoveryError(f"{url}: <{kind}> is not an RSS or Atom feed root")


# ---------------------------------------------------------------------------- sitemaps

def _sitemap_url(element: etree._Element, base: str) -> Entry | None:
    kids = _kids(element)
    url = _absolute(_text(kids.get("loc")), base)
    if url is None:
        return None
    modified = _iso_date(_text(kids.get("lastmod")))
    news = kids.get("news")
    if news is None:
        return Entry(url=url, modified=modified, source="sitemap")
    news_kids = _kids(news)
    publication = news_kids.get("publication")
    keywords = _text(news_kids.get("keywords")) or ""
    return Entry(
        url=url,
        title=_title(news_kids.get("title")),
        published=_iso_date(_text(news_kids.get("publication_date"))),
        modified=modified,
        language=_text(_kids(publication).get("language")) if publication is not None else None,
        keywords=_keywords(k.strip() for k in keywords.split(",")),
        source="news-sitemap",
    )


def _child_sitemap(element: etree._Element, base: str) -> tuple[str, str | None] | None:
    kids = _kids(element)
    url = _absolute(_text(kids.get("loc")), base)
    return None if url is None else (url, _iso_date(_text(kids.get("lastmod"))))


def _text_sitemap(data: bytes, url: str) -> list[Entry]:
    """The sitemaps protocol's plain-text form: one absolute URL per line, UTF-8."""
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    if not all(line.startswith(("http://", "https://")) for line in lines):
        raise DiscoveryError(f"{url}: neither an XML sitemap nor a text sitemap (one URL per line)")
    return _capped((Entry(url=u, source="sitemap") for line in lines if (u := _absolute(line, url))), url)


def parse_sitemap(body: bytes, url: str) -> SitemapDoc:
    """A sitemap (``urlset``, news fields kept), sitemap index or text sitemap; gzip or plain.

    ``lastmod`` becomes :attr:`Entry.modified`; ``news:publication_date`` becomes
    :attr:`Entry.published`. Raises :class:`DiscoveryError` for anything else.
    """
    data = _prepare(body, url, "sitemap")
    if not data.startswith(b"<"):
        return SitemapDoc("urlset", entries=_text_sitemap(data, url))
    root = _xml_root(data, url, "sitemap")
    kind = _local(root)
    if kind == "urlset":
        return SitemapDoc("urlset", entries=_capped((_sitemap_url(u, url) for u in _children(root, "url")), url))
    if kind == "sitemapindex":
        return SitemapDoc("sitemapindex", children=_capped((_child_sitemap(s, url) for s in _children(root, "sitemap")), url))
    if kind in ("rss", "RDF", "feed"):
        raise DiscoveryError(f"{url}: this is a feed, not a sitemap; list it under feeds:")
    raise DiscoveryError(f"{url}: <{kind}> is not a sitemap root (urlset or sitemapindex)")


# ---------------------------------------------------------------------------- pages

def extract_links(body: bytes, url: str) -> list[str]:
    """Absolute http(s) links of an HTML page, in document order, without duplicates.

    Honours ``<base href>``; fragments are dropped; ``javascript:``/``mailto:`` ignored.
    """
    if not body.strip():
        return []
    if len(body) > MAX_BODY_BYTES:
        raise DiscoveryError(f"{url}: page of {len(body)} bytes exceeds {MAX_BODY_BYTES}; refusing it")
    try:
        document = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError) as exc:
        raise DiscoveryError(f"{url}: cannot parse as HTML ({exc})") from None
    base = url
    for element in document.iter("base"):
        base = _absolute(element.get("href"), url) or url
        break
    links: dict[str, None] = {}
    for element in document.iter("a", "area"):
        link = _absolute(element.get("href"), base)
        if link is not None:
            links.setdefault(link, None)
    return list(links)
