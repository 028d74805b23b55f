"""Global Times (www.globaltimes.cn): `/page/YYYYMM/<id>.shtml` (one story still on the
old `/content/<id>.shtml` scheme), the outbrain RSS feed, a flat sitemap of the latest
items and two `<section>/index.html` pages.

Traps: the feed still lists a story six weeks old (beyond max_age_days); sections link
video, gallery and special-coverage pages whose URLs have the article shape (excluded by
the spec); robots.txt forbids a `/draft/` story a section links.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.sim import noise
from tests.sim.formats import Entry, robots, rss, urlset
from tests.sim.site import Resource, SimArticle, Site, esc, paragraphs_html

__all__ = ["GlobalTimes"]

_SECTIONS = {"china/politics": "POLITICS", "world/asia-pacific": "ASIA-PACIFIC"}


class GlobalTimes(Site):
    name = "global-times"
    language = "en"
    tz = timezone(timedelta(hours=8))
    authors = ("Global Times", "Liu Xin", "Yang Sheng")

    def populate(self) -> None:
        for i in range(6):
            self.new_article(list(_SECTIONS)[i % 2])
        self.disallowed.add(self.new_article("draft").path)
        # The outbrain feed lags by weeks: it still lists a story beyond max_age_days.
        self.too_old.add(self.new_article("china/politics", self.anchor - timedelta(days=42)).path)
        month = f"{self.anchor.astimezone(self.tz):%Y%m}"
        self.extras = {
            f"/video/page/{month}/1338001.shtml": "VIDEO: Ministers meet in Beijing",
            f"/galleries/page/{month}/1338002.shtml": "PHOTOS: Autumn harvest",
            f"/special-coverage/page/{month}/1338003.shtml": "SPECIAL: Belt and Road",
        }
        self.non_articles |= set(self.extras)

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        number = 1337000 + 11 * index
        if section == "draft":
            return f"/draft/page/{published:%Y%m}/{number}.shtml"
        if index == 5:   # ids keep one sequence; this one predates the /page/ scheme
            return f"/content/{number}.shtml"
        return f"/page/{published:%Y%m}/{number}.shtml"

    def section_for_new_article(self) -> str:
        return "china/politics"

    def chrome(self, title: str, body: str, head: str = "") -> str:
        nav = "".join(f'<a href="/{k}/index.html">{v}</a> ' for k, v in _SECTIONS.items())
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title>{head}</head><body>"
            f'<div class="nav_bar"><a href="/">Global Times</a> {nav}</div>'
            + body
            + noise.footer("en", "Global Times", self.anchor.year,
                           '<p>About Us | <a href="/rss/outbrain.xml">RSS</a></p>')
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        when = a.published
        column = _SECTIONS.get(a.section, "CHINA")
        head = (f'<meta name="description" content="{esc(a.paragraphs[0][:150])}">'
                f'<meta property="og:title" content="{esc(a.title)}">'
                f'<meta property="og:url" content="{self.url(a.path)}">')
        more = [(r.path, r.title) for r in self.listed() if r.path != a.path][:3]
        body = (
            '<div class="article">'
            f'<div class="article_column">{column}</div>'
            f'<div class="article_title">{esc(a.title)}</div>'
            f'<div class="author_share"><div class="author_share_left"><span class="byline">By '
            f'<span class="author_name">{esc(a.author)}</span></span>'
            f'<span class="pub_time">Published: {when:%b %d, %Y %I:%M %p}</span></div>'
            + noise.share_bar("en", self.url(a.path)) + "</div>"
            # A pull-quote teaser repeating a body paragraph, as on seed page 001.
            f'<div class="article_summary">{esc(a.paragraphs[-1])}</div>'
            f'<div class="article_right">{paragraphs_html(a.paragraphs)}</div>'
            + noise.ad_label("en", "right")
            + noise.related("en", more) + noise.newsletter("en") + "</div>"
        )
        return self.chrome(f"{a.title} - Global Times", body, head)

    def _section(self, section: str) -> Resource:
        links = [(a.path, a.title) for a in self.listed(section)]
        if section == "china/politics":
            links += [(p, "Draft: editorial") for p in sorted(self.disallowed)]
        links += list(self.extras.items())
        return self.listing_page(f"{_SECTIONS[section]} - Global Times", links)

    def pages(self) -> dict[str, Resource]:
        shown = self.listed()
        entries = [Entry(self.url(a.path), a.title, a.published, a.paragraphs[0][:160]) for a in shown]
        stale = [Entry(self.url(p), self.articles[p].title, self.articles[p].published) for p in sorted(self.too_old)]
        pages = {
            "/robots.txt": Resource(robots([(["*"], ["Disallow: /draft/", "Disallow: /api/"])],
                                           sitemaps=[self.url("/sitemap.xml")]).encode(), "text/plain"),
            "/rss/outbrain.xml": self.xml(rss(title="Global Times", link=self.url("/"), language="en",
                                              entries=entries[:4] + stale), kind="application/rss+xml"),
            # The sitemap only carries the latest items, as the real one does.
            "/sitemap.xml": self.xml(urlset(entries[:3])),
            "/": self.listing_page("Global Times", [(f"/{k}/index.html", v) for k, v in _SECTIONS.items()]),
            **{f"/{k}/index.html": self._section(k) for k in _SECTIONS},
        }
        for path, title in self.extras.items():
            builder = self.video_page if path.startswith("/video/") else self.gallery_page
            pages[path] = builder(title)
        return pages
