"""TASS English (tass.com): `/<section>/<7 digits>`, an RSS feed, a sitemap index with a
Google News sitemap and a gzip-compressed child (`.xml.gz`, served as a file, not as a
Content-Encoding), and two section pages. Pages are gzip Content-Encoded.

Traps: the feed links a deleted story (404) and a press release (article-shaped, but
excluded); a section links an article-shaped `/preview/...` URL that robots.txt forbids.
"""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone

from tests.sim import noise
from tests.sim.formats import Entry, news_urlset, robots, rss, sitemap_index, urlset
from tests.sim.site import Resource, SimArticle, Site, esc, paragraphs_html

__all__ = ["TassEnglish"]

_SECTIONS = ("politics", "world")
_GONE = "/world/2040001"


class TassEnglish(Site):
    name = "tass-en"
    language = "en"
    tz = timezone(timedelta(hours=3))
    gzip = True

    def populate(self) -> None:
        for i in range(7):
            self.new_article(_SECTIONS[i % 2])
        self.disallowed.add(self.new_article("preview").path)
        self.non_articles |= {_GONE, "/press-releases/2040500", "/tag/nato", "/video/2040600",
                              "/photo/2040700"}

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        return f"/{section}/{2041000 + 13 * index}"

    def section_for_new_article(self) -> str:
        return "world"

    def lead(self, article: SimArticle, place: str) -> str:
        return f"{place.upper()}, {article.published:%B} {article.published.day}. /TASS/. "

    def chrome(self, title: str, body: str, head: str = "") -> str:
        nav = "".join(f'<a href="/{s}">{s.title()}</a> ' for s in _SECTIONS)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<title>{esc(title)}</title><link rel="alternate" type="application/rss+xml" href="/rss/v2.xml">'
            f"{head}</head><body><header><a href=\"/\" class=\"logo\">TASS</a><nav>{nav}"
            '<a href="/video/2040600">Video</a> <a href="/tag/nato">NATO</a></nav></header>'
            + body
            + noise.footer("en", "TASS", self.anchor.year,
                           '<p class="disclaimer">Use of TASS materials requires a hyperlink to tass.com.</p>')
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        url = self.url(a.path)
        ld = (f'{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{esc(a.title)}",'
              f'"datePublished":"{a.published.isoformat()}","dateModified":"{a.modified.isoformat()}",'
              f'"keywords":"{esc(", ".join(a.keywords))}","publisher":{{"@type":"Organization","name":"TASS"}}}}')
        head = (f'<meta property="og:title" content="{esc(a.title)} - TASS">'
                f'<meta property="og:type" content="article"><link rel="canonical" href="{url}">'
                f'<script type="application/ld+json">{ld}</script>')
        lead, rest = a.paragraphs[0], a.paragraphs[1:]
        body = (
            '<main class="news"><div class="news-header">'
            f'<h1 class="news-header__title">{esc(a.title)}</h1>'
            f'<div class="news-header__lead">{esc(lead)}</div>'
            f'<div class="news-header__date">{a.published:%B %d, %H:%M} UTC+3</div></div>'
            + noise.share_bar("en", url)
            + f'<div class="text-content"><div class="text-block">{paragraphs_html(rest)}</div></div>'
            + noise.ad_label("en", "bottom")
            + '<div class="tags"><a href="/tag/nato">NATO</a></div>'
            + noise.related("en", [(r.path, r.title) for r in self.listed()][:3])
            + "</main>"
        )
        return self.chrome(f"{a.title} - Politics & Diplomacy - TASS", body, head)

    def _section(self, section: str) -> Resource:
        links = [(a.path, a.title) for a in self.listed(section)]
        if section == "politics":
            links += [(p, "Exclusive: draft text of the statement") for p in sorted(self.disallowed)]
            links += [("/press-releases/2040500", "Press release: forum opens registration"),
                      ("/video/2040600", "Video: the talks in pictures")]
        else:
            links += [("/photo/2040700", "Photo: ministers meet")]
        return self.listing_page(section.title(), links,
                                 '<a class="more" href="/tag/nato">All news tagged NATO</a>')

    def pages(self) -> dict[str, Resource]:
        stories = self.listed()
        entries = [Entry(self.url(a.path), a.title, a.published, a.paragraphs[0][:200], a.keywords)
                   for a in stories]
        feed = entries + [Entry(self.url(_GONE), "Lavrov to visit region next week", stories[-1].published),
                          Entry(self.url("/press-releases/2040500"), "Forum opens registration",
                                stories[-1].published)]
        fresh, older = entries[:4], entries[4:]
        latest = max(a.modified for a in stories)
        return {
            "/robots.txt": Resource(robots(
                [(["*"], ["Disallow: /search", "Disallow: /preview/", "Disallow: /userApi/"])],
                sitemaps=[self.url("/sitemap.xml")]).encode(), "text/plain"),
            "/rss/v2.xml": self.xml(rss(title="TASS", link=self.url("/"), language="en", entries=feed),
                                    kind="application/rss+xml"),
            "/sitemap.xml": self.xml(sitemap_index([
                (self.url("/sitemap/sitemap_news0.xml"), latest),
                (self.url("/sitemap/sitemap_news1.xml.gz"), older[0].published if older else latest),
            ])),
            "/sitemap/sitemap_news0.xml": self.xml(news_urlset(fresh, publication="TASS", language="en")),
            # A gzip file, not a Content-Encoding: the client has to gunzip it itself.
            "/sitemap/sitemap_news1.xml.gz": Resource(gzip.compress(urlset(older).encode(), mtime=0),
                                                      "application/x-gzip", conditional=True),
            "/": self.listing_page("TASS", [(f"/{s}", s.title()) for s in _SECTIONS]),
            "/tag/nato": self.listing_page("NATO", [(a.path, a.title) for a in stories[:3]]),
            "/press-releases/2040500": self.listing_page("Press release: forum opens registration", []),
            "/video/2040600": self.video_page("The talks in pictures"),
            "/photo/2040700": self.gallery_page("Ministers meet"),
            **{f"/{s}": self._section(s) for s in _SECTIONS},
        }
