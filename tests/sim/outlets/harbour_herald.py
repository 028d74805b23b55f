"""The Harbour Herald: an outlet config/outlets.yaml has never heard of, defined only by the
YAML block ``spec()`` returns (what a user would write).

Its shape differs from every shipped outlet: extension-less
`/news/YYYY/MM/DD/<slug>-n<5 digits>` URLs, an Atom feed (not RSS) and a sitemap index as
the only other source (no sections). Live blogs and podcasts share the article shape and
must be excluded; topic and author pages are listed in a second child sitemap;
robots.txt forbids the `/members/` copies of stories that the feed links.
"""

from __future__ import annotations

import re
from datetime import datetime

from tests.sim import noise
from tests.sim.formats import Entry, atom, robots, sitemap_index, urlset
from tests.sim.site import Resource, SimArticle, Site, esc, paragraphs_html

__all__ = ["HarbourHerald"]

_HOME = "https://www.harbour-herald.example"


def _slug(title: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", " ", title.lower()).split()[:6])


class HarbourHerald(Site):
    name = "harbour-herald"
    language = "en"
    authors = ("Maeve Callan", "Tomas Reid", "Harbour Herald staff")

    def spec(self) -> dict:
        return {
            "name": self.name,
            "domains": ["www.harbour-herald.example"],
            "language": "en",
            "feeds": [f"{_HOME}/feeds/latest.atom"],
            "sitemaps": [f"{_HOME}/sitemaps/index.xml"],
            "sections": [],
            "article_patterns": [r"/\d{4}/\d{2}/\d{2}/[a-z0-9-]+-n\d{5}$"],
            "exclude_patterns": ["/news/live/", "/podcasts/", "/topics/", "/authors/"],
            "schedule": "*/45 * * * *",
        }

    def populate(self) -> None:
        for _ in range(5):
            self.new_article("news")
        self.disallowed.add(self.new_article("members").path)
        day = self.anchor
        self.live = f"/news/live/{day:%Y/%m/%d}/harbour-strike-as-it-happened-n40900"
        self.podcast = f"/podcasts/{day:%Y/%m/%d}/harbour-weekly-n40901"
        self.gone = f"/news/{day:%Y/%m/%d}/ferry-timetable-changes-n40902"
        self.pages_listed = ("/topics/shipping", "/authors/maeve-callan")
        self.non_articles |= {self.live, self.podcast, self.gone, *self.pages_listed}

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        return f"/{section}/{published:%Y/%m/%d}/{_slug(title)}-n{40100 + 17 * index}"

    def lead(self, article: SimArticle, place: str) -> str:
        return f"{place.upper()} — "

    def section_for_new_article(self) -> str:
        return "news"

    def chrome(self, title: str, body: str, head: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width"><title>{esc(title)}</title>{head}</head><body>'
            '<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>'
            '<header><a href="/">The Harbour Herald</a> <a href="/topics/shipping">Shipping</a> '
            '<a href="/subscribe">Subscribe</a></header>'
            + body
            + noise.footer("en", "Harbour Herald Media Ltd", self.anchor.year,
                           '<p>Registered in the Harbour Press Register, no. 4471.</p>')
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        url = self.url(a.path)
        head = (f'<link rel="canonical" href="{url}"><meta property="og:type" content="article">'
                f'<meta property="og:title" content="{esc(a.title)}">'
                f'<meta property="article:published_time" content="{a.published.isoformat()}">'
                f'<meta property="article:author" content="{esc(a.author)}">')
        most_read = [(r.path, r.title) for r in self.listed() if r.path != a.path][:3]
        body = (
            '<main><article class="story"><header>'
            f'<h1 class="story-headline">{esc(a.title)}</h1>'
            f'<p class="story-meta">By <a rel="author" href="/authors/maeve-callan">{esc(a.author)}</a> · '
            f'<time datetime="{a.published.isoformat()}">{a.published:%d %B %Y, %H:%M}</time></p></header>'
            + noise.share_bar("en", url)
            + f'<div class="story-body">{paragraphs_html(a.paragraphs)}'
            f'<p>[soliloquy id="{151000 + a.index}"]</p></div>'
            + '<p class="story-tags">Topics: <a href="/topics/shipping">Shipping</a></p>'
            + "</article>"
            + noise.related("en", most_read) + noise.newsletter("en") + noise.comment_form("en")
            + "</main>"
        )
        return self.chrome(f"{a.title} | The Harbour Herald", body, head)

    def pages(self) -> dict[str, Resource]:
        shown = self.listed()
        latest = max(a.modified for a in shown)
        feed = [Entry(self.url(a.path), a.title, a.published, a.paragraphs[0][:160], categories=("News",))
                for a in shown]
        feed += [Entry(self.url(p), "Members' edition", shown[-1].published) for p in sorted(self.disallowed)]
        feed += [Entry(self.url(self.live), "Harbour strike: as it happened", latest),
                 Entry(self.url(self.podcast), "Harbour Weekly podcast", latest)]
        stories = [Entry(self.url(a.path), published=a.modified) for a in shown]
        stories.append(Entry(self.url(self.gone), published=latest))
        return {
            "/robots.txt": Resource(robots([(["*"], ["Disallow: /members/", "Disallow: /subscribe"])],
                                           sitemaps=[self.url("/sitemaps/index.xml")]).encode(), "text/plain"),
            "/feeds/latest.atom": self.xml(atom(title="The Harbour Herald", site=self.url("/"),
                                                feed_id=f"{_HOME}/", updated=latest, entries=feed,
                                                self_url=self.url("/feeds/latest.atom")),
                                           kind="application/atom+xml"),
            "/sitemaps/index.xml": self.xml(sitemap_index([(self.url("/sitemaps/stories.xml"), latest),
                                                           (self.url("/sitemaps/pages.xml"), None)])),
            "/sitemaps/stories.xml": self.xml(urlset(stories)),
            "/sitemaps/pages.xml": self.xml(urlset([Entry(self.url(p)) for p in self.pages_listed])),
            "/": self.listing_page("The Harbour Herald", [(a.path, a.title) for a in shown]),
            self.live: self.listing_page("Harbour strike: as it happened", [(a.path, a.title) for a in shown[:2]]),
            self.podcast: self.html(self.chrome("Harbour Weekly", '<h1>Harbour Weekly</h1><audio src="/a.mp3"></audio>')),
            "/topics/shipping": self.listing_page("Shipping", [(a.path, a.title) for a in shown]),
            "/authors/maeve-callan": self.listing_page("Maeve Callan", [(a.path, a.title) for a in shown[:2]]),
        }
