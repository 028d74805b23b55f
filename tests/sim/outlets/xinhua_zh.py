"""Xinhua Chinese (www.news.cn), GBK: new-scheme `/<section>/YYYYMMDD/<32 hex>/c.html` and
old-scheme `/<section>/YYYY-MM/DD/c_<digits>.htm` articles, discovered only through two
section pages (no feed, no sitemap) and their second pages.

Encoding traps: most pages say GBK in header and <meta>; one page's header says
iso-8859-1 over GBK bytes (the <meta> is right); one page declares gb2312 everywhere but
carries characters outside GB2312 (the editors' names), so only a GBK/GB18030 decode works.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.sim import noise
from tests.sim.formats import robots
from tests.sim.site import Resource, SimArticle, Site, esc, paragraphs_html

__all__ = ["XinhuaChinese"]

_SECTIONS = {"politics": "时政", "world": "国际"}


class XinhuaChinese(Site):
    name = "xinhua-zh"
    language = "zh"
    charset = "GBK"
    tz = timezone(timedelta(hours=8))
    authors = ("刘喆", "张晓堃", "王珺")   # none of these is in GB2312

    def populate(self) -> None:
        for i in range(6):
            self.new_article(("politics", "world")[i % 2])
        self.old_scheme = self.new_article("world")     # the legacy URL shape
        newest = self.newest()
        newest[1].header_charset = "iso-8859-1"
        newest[2].header_charset = "gb2312"
        self.gb2312_path = newest[2].path
        self.disallowed.add(self.new_article("preview").path)
        day = self.anchor.astimezone(self.tz)
        self.special = f"/zt/{day:%Y%m%d}/5d2f8e1c9a7b4e3f6a0c2d8b1e9f7a44/c.html"
        self.non_articles |= {self.special, "/video/20261101/shipin.htm", "/photo/zutu.htm",
                              "/politics/index_2.htm", "/world/index_2.htm"}

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        if index == 6:   # the seventh story keeps the pre-2019 URL scheme
            return f"/{section}/{published:%Y-%m}/{published:%d}/c_{1130000000 + index * 7919}.htm"
        return f"/{section}/{published:%Y%m%d}/{digest}/c.html"

    def lead(self, article: SimArticle, place: str) -> str:
        return f"新华社{place}{article.published.month}月{article.published.day}日电（记者{article.author}）"

    def section_for_new_article(self) -> str:
        return "politics"

    def chrome(self, title: str, body: str, head: str = "", charset: str = "GBK") -> str:
        nav = "".join(f'<a href="/{k}/">{v}</a> ' for k, v in _SECTIONS.items())
        return (
            '<!DOCTYPE html>\n<html><head>'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{esc(title)}</title>{head}</head><body>"
            f'<div class="nav"><a href="/">新华网</a> {nav}<a href="/video/20261101/shipin.htm">视频</a> '
            '<a href="/photo/zutu.htm">图片</a></div>'
            + body
            + noise.footer("zh", "新华网", self.anchor.year,
                           '<p>违法和不良信息举报电话：010-00000000</p><p><a href="https://english.news.cn/">English</a></p>')
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        declared = "gb2312" if a.path == self.gb2312_path else "GBK"
        when = a.published
        head = (f'<meta name="publishdate" content="{when:%Y-%m-%d}">'
                f'<meta name="keywords" content="{esc(",".join(a.keywords))}">')
        related = [(r.path, r.title) for r in self.listed() if r.path != a.path][:4]
        body = (
            f'<div class="header"><div class="head-line"><span class="title">{esc(a.title)}</span></div>'
            f'<div class="header-time"><span class="year"><em>{when:%Y}</em></span>'
            f'<span class="day"><em>{when:%m}</em>/<em>{when:%d}</em></span> <span class="time">{when:%H:%M:%S}</span></div>'
            '<div class="source">来源：新华网</div>'
            + noise.share_bar("zh", self.url(a.path)) + noise.font_size("zh") + "</div>"
            f'<div id="detail">{paragraphs_html(a.paragraphs)}'
            f'<p class="jc"><a href="/jiucuo/form.htm">【纠错】</a></p>'
            f'<div class="editor">[责任编辑:{esc(a.author)}]</div></div>'
            + noise.ad_label("zh", "detail") + noise.related("zh", related) + noise.comment_form("zh")
        )
        return self.chrome(f"{a.title}-新华网", body, head, declared)

    def _section(self, section: str, page: int) -> Resource:
        stories = self.listed(section)
        if page == 2:
            stories = stories[-2:]       # older stories roll over onto page two
        links = [(a.path, a.title) for a in stories]
        if section == "politics" and page == 1:
            links += [(p, "内部稿件预览") for p in sorted(self.disallowed)]
            links += [(self.special, "专题：全面深化改革"), ("/politics/index_2.htm", "下一页")]
        if section == "world" and page == 1:
            links += [("/world/index_2.htm", "下一页")]
        items = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in links)
        title = f"{_SECTIONS[section]}_新华网"
        return self.html(self.chrome(title, f'<div class="list"><h2>{_SECTIONS[section]}</h2><ul>{items}</ul></div>'))

    def pages(self) -> dict[str, Resource]:
        pages = {
            "/robots.txt": Resource(robots([(["*"], ["Disallow: /preview/", "Disallow: /cgi-bin/"])]).encode(),
                                    "text/plain"),
            "/": self.listing_page("新华网", [(f"/{k}/", v) for k, v in _SECTIONS.items()]),
            self.special: self.listing_page("专题：全面深化改革", [(a.path, a.title) for a in self.listed()[:2]]),
            "/video/20261101/shipin.htm": self.video_page("视频：外交部例行记者会"),
            "/photo/zutu.htm": self.gallery_page("组图：会议现场"),
        }
        for section in _SECTIONS:
            pages[f"/{section}/"] = self._section(section, 1)
            pages[f"/{section}/index_2.htm"] = self._section(section, 2)
        return pages
