"""Zee News (zeenews.india.com): `/<section>/<slug>-<7 digits>.html`, two RSS feeds and a
sitemap index with a monthly Google News sitemap (`/sitemaps/sitemap-YYYY-mon.xml`) and a
video sitemap. No section pages in the spec. Pages are gzip Content-Encoded.

Traps: one feed tags its links with `?utm_` parameters (canonicalise before matching the
`.html$` pattern); feeds link a photo gallery, a live blog and a deleted story (404); the
news sitemap lists a Hindi story (excluded); the video sitemap lists only videos;
robots.txt forbids an `/exclusive/` story the India feed links. Dates come from the third
JSON-LD block, as on the real site.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from tests.sim import noise
from tests.sim.formats import Entry, news_urlset, robots, rss, sitemap_index, urlset
from tests.sim.site import Resource, SimArticle, Site, esc

__all__ = ["ZeeNews"]

_FEEDS = {"world": "/rss/world-news.xml", "india": "/rss/india-national-news.xml"}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70].rstrip("-")


class ZeeNews(Site):
    name = "zee-news"
    language = "en"
    tz = timezone(timedelta(hours=5, minutes=30))
    gzip = True
    authors = ("Zee Media Bureau", "Ritika Sharma", "WION Web Team")

    def populate(self) -> None:
        for i in range(6):
            self.new_article(("world", "india")[i % 2])
        self.disallowed.add(self.new_article("exclusive").path)
        self.gone = "/world/lavrov-to-visit-delhi-next-week-2716099.html"
        self.gallery = "/photos/world/summit-in-pictures-2716091.html"
        self.live = "/live-updates/world/talks-live-2716092.html"
        self.hindi = "/hindi/world/nato-baithak-2716093.html"
        self.videos = ("/video/world/leaders-meet-2716090.html", "/video/india/port-opens-2716094.html")
        self.non_articles |= {self.gone, self.gallery, self.live, self.hindi, *self.videos}

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        return f"/{section}/{_slug(title)}-{2716000 + 7 * index}.html"

    def section_for_new_article(self) -> str:
        return "world"

    def chrome(self, title: str, body: str, head: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title>{head}</head><body>"
            '<header><a href="/" class="logo">Zee News</a><nav><a href="/india">India</a> '
            '<a href="/world">World</a> <a href="/tags/nato.html">NATO</a> '
            '<a href="https://zeenews.india.com/hindi">हिंदी</a></nav></header>'
            + body
            + noise.footer("en", "Zee Media Corporation Ltd", self.anchor.year,
                           '<p><a href="/about-us">About Us</a> | <a href="/rss">RSS</a></p>')
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        url = self.url(a.path)
        ld = [
            '{"@context":"https://schema.org","@type":"WebSite","name":"Zee News","url":"%s"}' % self.url("/"),
            '{"@context":"https://schema.org","@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem",'
            '"position":1,"name":"%s","item":"%s"}]}' % (a.section.title(), self.url("/" + a.section)),
            '{"@context":"https://schema.org","@type":"NewsArticle","headline":"%s","datePublished":"%s",'
            '"dateModified":"%s","author":{"@type":"Person","name":"%s"},"keywords":"%s"}'
            % (esc(a.title), a.published.isoformat(), a.modified.isoformat(), esc(a.author),
               esc(", ".join(a.keywords))),
        ]
        head = (f'<link rel="canonical" href="{url}"><meta property="og:title" content="{esc(a.title)}">'
                f'<meta name="description" content="{esc(a.paragraphs[0][:150])}">'
                + "".join(f'<script type="application/ld+json">{j}</script>' for j in ld))
        also = [(r.path, r.title) for r in self.listed() if r.path != a.path][:2]
        body_parts = [f"<p>{esc(p)}</p>" + (noise.ad_label("en", f"in{i}") if i in (1, 3) else "")
                      for i, p in enumerate(a.paragraphs)]
        if also:   # an inline cross-link inside the story container
            body_parts.insert(2, f'<p><strong>Also Read:</strong> <a href="{also[0][0]}">{esc(also[0][1])}</a></p>')
        body = (
            f'<div class="article"><h1>{esc(a.title)}</h1>'
            f'<div class="author"><span class="aaticleauthor_name">{esc(a.author)}</span> | '
            f'Last Updated: {a.modified:%b %d, %Y, %H:%M %p} IST</div>'
            '<div class="widget-label">Trending Photos</div>'
            + noise.share_bar("en", url)
            + f'<div id="fullArticle">{"".join(body_parts)}</div>'
            + noise.newsletter("en")
            + '<div class="tags"><a href="/tags/nato.html">NATO</a></div>'
            + noise.related("en", also) + "</div>"
        )
        return self.chrome(f"{a.title} | World News | Zee News", body, head)

    def pages(self) -> dict[str, Resource]:
        shown = self.listed()
        month = self.anchor.astimezone(self.tz)

        def entry(a: SimArticle, query: str = "") -> Entry:
            return Entry(self.url(a.path) + query, a.title, a.published, a.paragraphs[0][:160], a.keywords)

        oldest = shown[-1].published
        world = [entry(a) for a in shown if a.section == "world"] + [
            Entry(self.url(self.gallery), "In pictures: summit", oldest),
            Entry(self.url(self.live), "Talks live updates", oldest),
            Entry(self.url(self.gone), "Lavrov to visit Delhi next week", oldest)]
        india = [entry(a, "?utm_source=rss&utm_medium=feed") for a in shown if a.section == "india"]
        india += [Entry(self.url(p), "Exclusive report", oldest) for p in sorted(self.disallowed)]
        news = [entry(a) for a in shown] + [Entry(self.url(self.hindi), "नाटो बैठक", oldest, keywords=("NATO",))]
        news_map = f"/sitemaps/sitemap-{month:%Y}-{month:%b}.xml".lower()
        video_map = f"/sitemaps/{month:%Y}-{month:%B}-video-sitemap.xml".lower()
        latest = max(a.modified for a in shown)
        return {
            "/robots.txt": Resource(robots(
                [(["*"], ["Disallow: /exclusive/", "Disallow: /search", "Allow: /"])],
                sitemaps=[self.url("/sitemap.xml")]).encode(), "text/plain"),
            _FEEDS["world"]: self.xml(rss(title="Zee News :World", link=self.url("/world"), language="en",
                                          entries=world), kind="application/rss+xml"),
            _FEEDS["india"]: self.xml(rss(title="Zee News :India", link=self.url("/india"), language="en",
                                          entries=india), kind="application/rss+xml"),
            "/sitemap.xml": self.xml(sitemap_index([(self.url(news_map), latest),
                                                    (self.url(video_map), latest)])),
            news_map: self.xml(news_urlset(news, publication="Zee News", language="en")),
            video_map: self.xml(urlset([Entry(self.url(v), published=latest) for v in self.videos])),
            self.gallery: self.gallery_page("In pictures: summit"),
            self.live: self.listing_page("Talks live updates", [(a.path, a.title) for a in shown[:2]]),
            self.hindi: self.html(self.chrome("नाटो बैठक", "<h1>नाटो बैठक</h1><p>हिंदी समाचार</p>")),
            "/tags/nato.html": self.listing_page("NATO", [(a.path, a.title) for a in shown[:4]]),
            **{v: self.video_page("Leaders meet") for v in self.videos},
        }
