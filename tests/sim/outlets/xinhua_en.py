"""Xinhua English (english.news.cn): `/YYYYMMDD/<32 hex>/c.html`, one RSS feed, two
section pages with a second page, and no robots.txt at all (it answers 404, as the real
host does). One article-shaped URL is a video page.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.sim import noise
from tests.sim.formats import Entry, rss
from tests.sim.site import Resource, SimArticle, Site, esc, paragraphs_html

__all__ = ["XinhuaEnglish"]

_SECTIONS = ("world", "china")


class XinhuaEnglish(Site):
    name = "xinhua-en"
    language = "en"
    tz = timezone(timedelta(hours=8))
    authors = ("Liu Yang", "Zhang Xin", "Huang Wei")

    def populate(self) -> None:
        for i in range(6):
            self.new_article(_SECTIONS[i % 2])
        day = self.anchor.astimezone(self.tz)
        # Article-shaped, but a video page: the extractor has to say "not an article".
        self.video_path = f"/{day:%Y%m%d}/0f3c9a7d2e5b4c1a8d6e0b9f7a3c5e21/c.html"
        self.non_articles |= {self.video_path, "/video/20251120/clip.html", "/photo/nato.htm",
                              "/gallery/summit.htm", "/world/index_2.htm"}

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        return f"/{published:%Y%m%d}/{digest}/c.html"

    def lead(self, article: SimArticle, place: str) -> str:
        month = article.published.strftime("%b.") if article.published.month != 5 else "May"
        return f"{place.upper()}, {month} {article.published.day} (Xinhua) -- "

    def chrome(self, title: str, body: str, head: str = "") -> str:
        nav = "".join(f'<a href="/{s}/">{s.title()}</a> ' for s in _SECTIONS)
        return (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title>{head}</head><body>"
            f'<div class="header"><a href="/" class="logo">Xinhua</a><div class="nav">{nav}'
            '<a href="/video/20251120/clip.html">Video</a> <a href="/photo/nato.htm">Photos</a></div></div>'
            f"{body}"
            + noise.footer("en", "Xinhua News Agency", self.anchor.year,
                           '<p><a href="https://www.news.cn/">Chinese</a> | <a href="/rss/world.xml">RSS</a></p>')
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        when = a.published
        related = [(self.url(r.path), r.title) for r in self.listed() if r.path != a.path][:3]
        head = (f'<meta name="publishdate" content="{when:%Y-%m-%d}">'
                f'<meta name="keywords" content="{esc(", ".join(a.keywords))}">'
                f'<link rel="canonical" href="{self.url(a.path)}">')
        body = (
            f'<div class="head-line"><h1><span class="title">{esc(a.title)}</span></h1>'
            f'<div class="header-time left"><span class="year"><em>{when:%Y}</em></span>'
            f'<span class="day"><em>{when:%m}</em>/<em>{when:%d}</em></span>'
            f'<span class="time">{when:%H:%M:%S}</span></div>'
            f'<div class="source">Source: Xinhua</div><div class="editor">Editor: {esc(a.author)}</div>'
            + noise.share_bar("en", self.url(a.path)) + noise.font_size("en") + "</div>"
            f'<div id="detail"><span id="detailContent">{paragraphs_html(a.paragraphs)}</span></div>'
            + noise.ad_label("en", "inline")
            + noise.related("en", related)
        )
        return self.chrome(f"{a.title}-Xinhua", body, head)

    def _section(self, section: str, page: int) -> Resource:
        stories = self.listed(section)
        if page == 2:
            stories = stories[-2:]   # the oldest stories roll over onto page two
        links = "".join(f'<li><a href="{self.url(a.path)}">{esc(a.title)}</a>'
                        f'<span class="time">{a.published:%Y-%m-%d}</span></li>' for a in stories)
        extra = ""
        if section == "world" and page == 1:
            extra = (f'<li><a href="{self.video_path}">Video: leaders meet on trade</a></li>'
                     '<li><a href="/gallery/summit.htm">In pictures: summit</a></li>'
                     '<li><a href="/world/index_2.htm">More</a></li>')
        body = f'<div class="list"><h2>{section.title()}</h2><ul>{links}{extra}</ul></div>'
        return self.html(self.chrome(f"{section.title()} - Xinhua", body))

    def pages(self) -> dict[str, Resource]:
        entries = [Entry(self.url(a.path), a.title, a.published, a.paragraphs[0][:160])
                   for a in self.listed()]
        pages = {
            "/rss/world.xml": self.xml(rss(title="Xinhua World", link=self.url("/world/"),
                                           language="en", entries=entries,
                                           self_url=self.url("/rss/world.xml"))),
            "/": self.listing_page("Xinhua English", [(f"/{s}/", s.title()) for s in _SECTIONS]),
            "/world/index_2.htm": self._section("world", 2),
            self.video_path: self.video_page("Video: leaders meet on trade"),
            "/video/20251120/clip.html": self.video_page("Video: port traffic rebounds"),
            "/photo/nato.htm": self.gallery_page("Photos: foreign ministers meet"),
            "/gallery/summit.htm": self.gallery_page("In pictures: summit"),
        }
        for section in _SECTIONS:
            pages[f"/{section}/"] = self._section(section, 1)
        return pages
