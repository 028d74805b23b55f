"""The model of one simulated outlet: its articles, its pages and what a crawl should do.

A ``Site`` subclass per outlet (``tests/sim/outlets/``) decides URL shapes, markup and
discovery pages; this base keeps the articles, turns them into ``Resource``s and answers
the simulator's questions (expected articles, non-articles, robots-disallowed URLs).
Everything is rebuilt from the article list after a change, so a published or updated
article shows up in every feed, sitemap and section page at once.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import ClassVar, Iterable

from tests.sim.content import compose

__all__ = ["SimArticle", "Resource", "Site", "esc", "paragraphs_html"]

esc = html.escape


@dataclass
class SimArticle:
    """A story as the outlet published it (paragraphs are the body text, in order)."""

    index: int
    path: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    modified: datetime
    section: str
    keywords: tuple[str, ...]
    author: str
    revision: int = 0
    header_charset: str = ""   # what Content-Type claims; "" = the site's real charset


@dataclass(frozen=True)
class Resource:
    """One response the server can give for a path."""

    body: bytes
    content_type: str
    status: int = 200
    gzip: bool = False                      # Content-Encoding: gzip when the client accepts it
    last_modified: datetime | None = None
    conditional: bool = False               # send ETag (and Last-Modified) and honour 304
    fail_first: bool = False                # the first request gets a 500


_NOT_FOUND = (b"<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>"
              b"<h1>Not Found</h1><p>The requested URL was not found on this server.</p>"
              b"</body></html>")


class Site:
    """Base of every simulated outlet. Subclasses fill in the ClassVars and hooks."""

    name: ClassVar[str]
    language: ClassVar[str]
    charset: ClassVar[str] = "utf-8"
    tz: ClassVar[tzinfo] = timezone.utc
    gzip: ClassVar[bool] = False
    authors: ClassVar[tuple[str, ...]] = ("Staff reporter",)

    def __init__(self, anchor: datetime) -> None:
        self.anchor = anchor               # publication times count back from here
        self.base_url = ""
        self.articles: dict[str, SimArticle] = {}
        self.non_articles: set[str] = set()   # linked paths that must not become articles
        self.disallowed: set[str] = set()     # paths robots.txt forbids
        self.fail_once: set[str] = set()      # paths answering 500 to their first request
        self.too_old: set[str] = set()        # real articles older than the spec's max_age_days
        self._count = 0
        self._routes: dict[str, Resource] | None = None
        self.populate()

    # -- hooks -------------------------------------------------------------------------
    def populate(self) -> None:
        """Create the articles and register the special paths."""
        raise NotImplementedError

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        raise NotImplementedError

    def render_article(self, article: SimArticle) -> str:
        raise NotImplementedError

    def pages(self) -> dict[str, Resource]:
        """Everything that is not an article: robots, feeds, sitemaps, sections, extras."""
        raise NotImplementedError

    def chrome(self, title: str, body: str, head: str = "") -> str:
        """Wrap ``body`` in the outlet's page template (header, navigation, footer)."""
        return (f'<!DOCTYPE html>\n<html lang="{self.language}"><head><meta charset="{self.charset}">'
                f"<title>{esc(title)}</title>{head}</head><body>{body}</body></html>")

    def section_for_new_article(self) -> str:
        return self.newest()[0].section

    def lead(self, article: SimArticle, story_place: str) -> str:
        """The dateline that opens the first paragraph, in the outlet's style."""
        return ""

    # -- building ----------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def new_article(self, section: str, published: datetime | None = None) -> SimArticle:
        index = self._count
        self._count += 1
        story = compose(self.language, f"{self.name}:{index}")
        attempt = 0
        while any(a.title == story.title for a in self.articles.values()):
            # Two stories of one outlet never share a headline (or a body).
            attempt += 1
            story = compose(self.language, f"{self.name}:{index}:{attempt}")
        when = published or self.anchor - timedelta(hours=3 * index + 1, minutes=7 * index)
        when = when.astimezone(self.tz)
        digest = hashlib.md5(f"{self.name}:{index}".encode()).hexdigest()
        path = self.article_path(index, when, section, digest, story.title)
        article = SimArticle(
            index=index, path=path, title=story.title, paragraphs=story.paragraphs,
            published=when, modified=when + timedelta(minutes=12), section=section,
            keywords=story.keywords, author=self.authors[index % len(self.authors)],
        )
        dateline = self.lead(article, story.place)
        if dateline:
            article.paragraphs = (dateline + article.paragraphs[0],) + article.paragraphs[1:]
        self.articles[path] = article
        self._routes = None
        return article

    def newest(self, section: str | None = None) -> list[SimArticle]:
        found = [a for a in self.articles.values() if section is None or a.section == section]
        return sorted(found, key=lambda a: (a.published, a.index), reverse=True)

    def listed(self, section: str | None = None) -> list[SimArticle]:
        """The articles a correct crawl archives, newest first: what feeds, sitemaps and
        sections list. Outlets add forbidden and stale links to their pages explicitly."""
        return [a for a in self.newest(section) if a.path not in self.disallowed | self.too_old]

    def encode(self, text: str, charset: str | None = None) -> bytes:
        return text.encode(charset or self.charset)

    def html(self, text: str) -> Resource:
        return Resource(self.encode(text), f"text/html; charset={self.charset}", gzip=self.gzip)

    def xml(self, text: str, *, charset: str | None = None, kind: str = "application/xml") -> Resource:
        enc = charset or "utf-8"
        return Resource(self.encode(text, enc), f"{kind}; charset={enc}", gzip=self.gzip,
                        conditional=True)

    def article_resource(self, article: SimArticle) -> Resource:
        return Resource(
            self.encode(self.render_article(article)),
            f"text/html; charset={article.header_charset or self.charset}",
            gzip=self.gzip,
            last_modified=article.modified,
            conditional=True,
            fail_first=article.path in self.fail_once,
        )

    def routes(self) -> dict[str, Resource]:
        if self._routes is None:
            routes = {path: self.article_resource(a) for path, a in self.articles.items()}
            routes.update(self.pages())
            self._routes = routes
        return self._routes

    def video_page(self, title: str) -> Resource:
        """A video player page: a caption, no story text."""
        body = (f'<div class="video-page"><h1>{esc(title)}</h1>'
                '<video controls width="960" poster="/img/poster.jpg">'
                '<source src="/media/clip.mp4" type="video/mp4"></video>'
                f'<p class="caption">{esc(title)} (01:42)</p></div>')
        return self.html(self.chrome(title, body, '<meta property="og:type" content="video.other">'))

    def gallery_page(self, title: str, count: int = 6) -> Resource:
        figures = "".join(f'<figure><img src="/img/g{i}.jpg" alt=""><figcaption>{esc(title)} ({i + 1}/{count})'
                          "</figcaption></figure>" for i in range(count))
        return self.html(self.chrome(title, f'<div class="gallery"><h1>{esc(title)}</h1>{figures}</div>'))

    def listing_page(self, title: str, links: Iterable[tuple[str, str]], extra: str = "") -> Resource:
        """A tag or topic page: a heading and a list of headlines."""
        items = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in links)
        return self.html(self.chrome(title, f'<div class="list"><h1>{esc(title)}</h1><ul>{items}</ul>{extra}</div>'))

    def not_found(self) -> Resource:
        return Resource(_NOT_FOUND, "text/html; charset=utf-8", status=404)

    # -- what a correct crawl does -----------------------------------------------------
    def expected_paths(self) -> set[str]:
        return set(self.articles) - self.disallowed - self.too_old

    # -- changes -----------------------------------------------------------------------
    def add(self, now: datetime) -> SimArticle:
        return self.new_article(self.section_for_new_article(), published=now)

    def update(self, path: str, now: datetime) -> None:
        article = self.articles[path]
        article.revision += 1
        note = {
            "en": f"(Updated: this story was revised {article.revision} time(s) with new details.)",
            "zh": f"（更新：本文已第{article.revision}次更新，补充了最新情况。）",
            "ru": f"(Обновлено: материал дополнен, редакция {article.revision}.)",
        }[self.language]
        article.paragraphs = article.paragraphs + (note,)
        article.modified = max(now, article.modified + timedelta(seconds=1))
        self._routes = None


def paragraphs_html(paragraphs: Iterable[str]) -> str:
    return "\n".join(f"<p>{esc(p)}</p>" for p in paragraphs)
