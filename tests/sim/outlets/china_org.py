"""china.org.cn (English): `/<section>/YYYY-MM/DD/content_<digits>.htm`, a Top News RSS
feed and two section pages with `node_` pagination.

The site is hacked, as the seed page 000 shows: some article pages carry a bracketed spam
prefix in <title> (not in the h1), a hidden keyword block, a spider-pool link farm and a
referrer-conditional redirect script. og:url points at the home page (a real trap on
china.com.cn). One article-shaped URL is a "page not found" page served with status 200.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.sim import noise
from tests.sim.formats import Entry, robots, rss
from tests.sim.site import Resource, SimArticle, Site, esc, paragraphs_html

__all__ = ["ChinaOrg"]

_SECTIONS = ("world", "china")


class ChinaOrg(Site):
    name = "china-org"
    language = "en"
    tz = timezone(timedelta(hours=8))
    authors = ("Xinhua", "China.org.cn", "Chen Lin")

    def populate(self) -> None:
        for i in range(6):
            self.new_article(_SECTIONS[i % 2])
        self.hacked = {a.path for a in self.newest()[::2]}
        self.disallowed.add(self.new_article("preview").path)
        day = self.anchor.astimezone(self.tz)
        stamp = f"{day:%Y-%m}/{day:%d}"
        self.soft_404 = f"/china/{stamp}/content_90700000.htm"
        self.video = f"/video/{stamp}/content_90799999.htm"
        self.photos = f"/photos/{stamp}/content_90788888.htm"
        self.non_articles |= {self.soft_404, self.video, self.photos, "/world/node_7075123.htm"}

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        return f"/{section}/{published:%Y-%m}/{published:%d}/content_{90712000 + 37 * index}.htm"

    def section_for_new_article(self) -> str:
        return "world"

    def chrome(self, title: str, body: str, head: str = "") -> str:
        nav = "".join(f'<a href="/{s}/">{s.title()}</a> ' for s in _SECTIONS)
        return (
            '<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f"<title>{esc(title)}</title>{head}</head><body>"
            f'<div id="top"><a href="/">China.org.cn</a> {nav}<a href="{self.video}">Video</a></div>'
            + body
            + '<div class="getmore">Send your stories <a href="/rss/1185842.xml">RSS</a> '
              'Newsletter Mobile</div>'
            + noise.footer("en", "China.org.cn", self.anchor.year,
                           "<p>Website Copyright Declaration. China Internet Information Center.</p>")
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        hacked = a.path in self.hacked
        title = f"【澳门新葡京】{a.title}" if hacked else f"{a.title} - China.org.cn"
        head = (f'<meta name="publishdate" content="{a.published:%Y-%m-%d}">'
                f'<meta property="og:url" content="{self.url("/")}">'   # the home page, not the story
                f'<meta property="og:title" content="{esc(a.title)}">')
        if hacked:
            head += noise.referrer_hijack()
        credit = a.author
        body = (
            (noise.seo_keyword_block() if hacked else "")
            + f'<h1 class="title_header">{esc(a.title)}</h1>'
            f'<div class="byline"><a href="#comment">0 Comment(s)</a> '
            f'<a href="javascript:window.print()">Print</a> <a href="/mail.htm">E-mail</a> '
            f'{esc(credit)}, {a.published:%B} {a.published.day}, {a.published:%Y}</div>'
            + noise.font_size("en")
            + f'<div id="container_txt"><!--enpcontent-->{paragraphs_html(a.paragraphs)}<!--/enpcontent--></div>'
            + '<div class="print-share">Print E-mail Bookmark and Share</div>'
            + '<div id="comment"><a href="/forum/">Go to Forum &gt;&gt;</a> 0 Comment(s)'
              "<p>No comments.</p><p>Add your comments...</p></div>"
            + noise.comment_form("en")
            + (noise.spider_pool(a.index * 4099) if hacked else "")
        )
        return self.chrome(title, body, head)

    def _section(self, section: str) -> Resource:
        links = [(a.path, a.title) for a in self.listed(section)]
        if section == "china":
            links += [(self.soft_404, "Premier meets entrepreneurs"), (self.photos, "Photos: autumn harvest")]
            links += [(p, "Preview: policy briefing") for p in sorted(self.disallowed)]
        else:
            links += [(self.video, "Video: rail link opens"), ("/world/node_7075123.htm", "More >>")]
        return self.listing_page(f"{section.title()} - China.org.cn", links)

    def pages(self) -> dict[str, Resource]:
        entries = [Entry(self.url(a.path), a.title, a.published, a.paragraphs[0][:150])
                   for a in self.listed()]
        missing = ("<div class='error'><h1>Sorry, the page you visited does not exist.</h1>"
                   "<p>It may have been moved or deleted. <a href='/'>Return to home page</a></p></div>")
        return {
            "/robots.txt": Resource(robots([(["*"], ["Disallow: /preview/", "Disallow: /cgi-bin/"])]).encode(),
                                    "text/plain"),
            "/rss/1185842.xml": self.xml(rss(title="China.org.cn - Top News", link=self.url("/"),
                                             language="en", entries=entries)),
            "/": self.listing_page("China.org.cn", [(f"/{s}/", s.title()) for s in _SECTIONS]),
            "/world/node_7075123.htm": self.listing_page(
                "World - page 2", [(a.path, a.title) for a in self.listed("world")[-2:]]),
            self.soft_404: self.html(self.chrome("China.org.cn", missing)),
            self.video: self.video_page("Video: rail link opens"),
            self.photos: self.gallery_page("Photos: autumn harvest"),
            **{f"/{s}/": self._section(s) for s in _SECTIONS},
        }
