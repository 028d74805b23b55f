"""Discovery documents as outlets publish them: RSS 2.0, Atom, sitemaps, robots.txt.

Builders return text; the site encodes it in its own charset, which the XML declaration
names. Text is escaped with ``xml.sax.saxutils`` so titles with ``&`` or quotes stay
well-formed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "Entry",
    "rss",
    "atom",
    "urlset",
    "news_urlset",
    "sitemap_index",
    "robots",
    "http_date",
]


@dataclass(frozen=True)
class Entry:
    """One announced URL, with what the feed or sitemap says about it."""

    url: str
    title: str = ""
    published: datetime | None = None
    summary: str = ""
    keywords: tuple[str, ...] = ()
    categories: tuple[str, ...] = field(default=())


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


def _decl(encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>\n'


def rss(*, title: str, link: str, language: str, entries: Iterable[Entry],
        encoding: str = "utf-8", self_url: str = "") -> str:
    items = []
    for e in entries:
        parts = [f"<title>{escape(e.title)}</title>", f"<link>{escape(e.url)}</link>",
                 f'<guid isPermaLink="true">{escape(e.url)}</guid>']
        if e.published is not None:
            parts.append(f"<pubDate>{e.published.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>")
        if e.summary:
            parts.append(f"<description>{escape(e.summary)}</description>")
        parts.extend(f"<category>{escape(c)}</category>" for c in e.categories)
        items.append("    <item>" + "".join(parts) + "</item>")
    atom_link = (f'\n    <atom:link href={quoteattr(self_url)} rel="self" type="application/rss+xml"/>'
                 if self_url else "")
    return (
        _decl(encoding)
        + '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n  <channel>\n'
        + f"    <title>{escape(title)}</title>\n    <link>{escape(link)}</link>\n"
        + f"    <description>{escape(title)}</description>\n    <language>{language}</language>"
        + atom_link + "\n"
        + "\n".join(items)
        + "\n  </channel>\n</rss>\n"
    )


def atom(*, title: str, site: str, feed_id: str, updated: datetime, entries: Iterable[Entry],
         self_url: str) -> str:
    out = [
        _decl("utf-8"),
        '<feed xmlns="http://www.w3.org/2005/Atom">\n',
        f"  <title>{escape(title)}</title>\n  <id>{escape(feed_id)}</id>\n",
        f"  <updated>{updated.isoformat()}</updated>\n",
        f"  <link rel=\"self\" href={quoteattr(self_url)}/>\n",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(site)}/>\n",
    ]
    for e in entries:
        stamp = e.published.isoformat() if e.published else updated.isoformat()
        out.append(
            "  <entry>\n"
            f"    <title type=\"text\">{escape(e.title)}</title>\n"
            f"    <id>{escape(e.url)}</id>\n"
            # Atom puts the address in an attribute; rel="alternate" is the page itself.
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(e.url)}/>\n"
            f"    <published>{stamp}</published>\n    <updated>{stamp}</updated>\n"
            + "".join(f"    <category term={quoteattr(c)}/>\n" for c in e.categories)
            + (f"    <summary>{escape(e.summary)}</summary>\n" if e.summary else "")
            + "  </entry>\n"
        )
    out.append("</feed>\n")
    return "".join(out)


_SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
_NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def urlset(entries: Iterable[Entry], *, encoding: str = "utf-8") -> str:
    rows = []
    for e in entries:
        lastmod = f"<lastmod>{e.published.isoformat()}</lastmod>" if e.published else ""
        rows.append(f"  <url><loc>{escape(e.url)}</loc>{lastmod}<changefreq>hourly</changefreq></url>")
    return _decl(encoding) + f"<urlset {_SITEMAP_NS}>\n" + "\n".join(rows) + "\n</urlset>\n"


def news_urlset(entries: Iterable[Entry], *, publication: str, language: str) -> str:
    """A Google News sitemap: the ``news:`` block is what generic sitemap parsers drop."""
    rows = []
    for e in entries:
        stamp = e.published.isoformat() if e.published else ""
        keywords = (f"<news:keywords>{escape(', '.join(e.keywords))}</news:keywords>"
                    if e.keywords else "")
        rows.append(
            f"  <url>\n    <loc>{escape(e.url)}</loc>\n    <lastmod>{stamp}</lastmod>\n"
            "    <news:news>\n"
            f"      <news:publication><news:name>{escape(publication)}</news:name>"
            f"<news:language>{language}</news:language></news:publication>\n"
            f"      <news:publication_date>{stamp}</news:publication_date>\n"
            f"      <news:title>{escape(e.title)}</news:title>\n"
            + (f"      {keywords}\n" if keywords else "")
            + "    </news:news>\n  </url>"
        )
    return _decl("utf-8") + f"<urlset {_SITEMAP_NS} {_NEWS_NS}>\n" + "\n".join(rows) + "\n</urlset>\n"


def sitemap_index(children: Sequence[tuple[str, datetime | None]]) -> str:
    rows = []
    for loc, lastmod in children:
        stamp = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        rows.append(f"  <sitemap><loc>{escape(loc)}</loc>{stamp}</sitemap>")
    return _decl("utf-8") + f"<sitemapindex {_SITEMAP_NS}>\n" + "\n".join(rows) + "\n</sitemapindex>\n"


def robots(groups: Sequence[tuple[Sequence[str], Sequence[str]]], *, sitemaps: Sequence[str] = (),
           extra: Sequence[str] = ()) -> str:
    """``groups``: (user agents, rule lines such as 'Disallow: /x'); then Sitemap lines."""
    blocks = []
    for agents, rules in groups:
        blocks.append("\n".join([*(f"User-agent: {a}" for a in agents), *rules]))
    tail = [*(f"Sitemap: {s}" for s in sitemaps), *extra]
    return "\n\n".join(blocks) + ("\n\n" + "\n".join(tail) if tail else "") + "\n"
