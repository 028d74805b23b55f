"""RIA Novosti (ria.ru), Russian in windows-1251: `/YYYYMMDD/<slug>-<10 digits>.html`,
the RSS archive feed, and a sitemap index whose children are
`sitemap_article.xml?date_start=YYYYMMDD&date_end=YYYYMMDD` (one per month).

Traps: an older month's child sitemap lists stories beyond max_age_days (its lastmod says
so); one article's Content-Type header says utf-8 while the bytes are cp1251 (the
<meta charset> is right); one article answers 500 to its first request; robots.txt
disallows one article-shaped URL the feed links, with a Yandex-only Crawl-delay group.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone

from tests.sim import noise
from tests.sim.formats import Entry, robots, rss, sitemap_index, urlset
from tests.sim.site import Resource, SimArticle, Site, esc

__all__ = ["Ria"]

_SLUGS = ("peregovory", "nato-zayavlenie", "eksport-zerna", "mid-brifing", "sammit-shos",
          "energetika", "port-investitsii", "dolgi-soglashenie", "vstrecha-ministrov")
_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря")
_CITIES = {"Москве": "МОСКВА", "Брюсселе": "БРЮССЕЛЬ", "Женеве": "ЖЕНЕВА", "Вене": "ВЕНА",
           "Пекине": "ПЕКИН", "Астане": "АСТАНА", "Анкаре": "АНКАРА", "Минске": "МИНСК"}


class Ria(Site):
    name = "ria"
    language = "ru"
    charset = "windows-1251"
    tz = timezone(timedelta(hours=3))
    authors = ("Анна Смирнова", "Олег Петров")

    def populate(self) -> None:
        for _ in range(6):
            self.new_article("politics")
        newest = self.newest()
        newest[1].header_charset = "utf-8"     # the header lies; the bytes and <meta> agree
        self.fail_once.add(newest[2].path)
        hidden = self.new_article("politics")  # linked from the feed, forbidden by robots
        self.disallowed.add(hidden.path)
        # An older month's child sitemap: its lastmod is beyond max_age_days.
        for days in (45, 46):
            self.too_old.add(self.new_article("politics", self.anchor - timedelta(days=days)).path)
        day = self.anchor.astimezone(self.tz)
        self.non_articles |= {f"/video/{day:%Y%m%d}/1234567890.html",
                              f"/photo/{day:%Y%m%d}/sammit-1234567891.html",
                              "/infografika/20251001/dolg-1234567892.html"}

    def article_path(self, index: int, published: datetime, section: str, digest: str,
                     title: str) -> str:
        slug = _SLUGS[index % len(_SLUGS)]
        return f"/{published:%Y%m%d}/{slug}-{2050000000 + int(digest[:6], 16)}.html"

    def lead(self, article: SimArticle, place: str) -> str:
        when = article.published
        return f"{_CITIES[place]}, {when.day} {_MONTHS[when.month - 1][:3]} — РИА Новости. "

    def chrome(self, title: str, body: str, head: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html lang="ru"><head><meta charset="windows-1251">'
            f"<title>{esc(title)}</title>{head}</head><body>"
            '<header class="header"><a href="/" class="logo">РИА Новости</a>'
            '<nav><a href="/politics/">Политика</a> <a href="/world/">В мире</a> '
            '<a href="/economy/">Экономика</a></nav></header>'
            + body
            + noise.footer("ru", "МИА «Россия сегодня»", self.anchor.year,
                           '<p>Сетевое издание РИА Новости зарегистрировано Роскомнадзором. 18+</p>')
            + "</body></html>"
        )

    def render_article(self, a: SimArticle) -> str:
        url = self.url(a.path)
        when = a.published.isoformat()
        ld = (f'{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{esc(a.title)}",'
              f'"datePublished":"{when}","dateModified":"{a.modified.isoformat()}",'
              f'"articleSection":["{esc(a.keywords[1])}"],"author":{{"@type":"Person","name":"{esc(a.author)}"}}}}')
        head = (f'<meta property="og:title" content="{esc(a.title)}">'
                f'<meta property="og:url" content="{url}">'
                f'<meta property="article:published_time" content="{when}">'
                f'<link rel="canonical" href="{url}">'
                f'<script type="application/ld+json">{ld}</script>')
        more = [(self.url(r.path), r.title) for r in self.listed() if r.path != a.path][:3]
        body = (
            '<div class="article">'
            f'<div class="article__info"><div class="article__info-date">'
            f'<a href="/{a.published:%Y%m%d}/">{a.published:%H:%M %d.%m.%Y}</a></div>'
            '<div class="article__views">1&#8239;024</div></div>'
            f'<h1 class="article__title">{esc(a.title)}</h1>'
            + noise.share_bar("ru", url)
            + '<div class="article__body">'
            + "".join(f'<div class="article__block" data-type="text"><div class="article__text">{esc(p)}</div></div>'
                      + (noise.ad_label("ru", f"r{i}") if i == 1 else "")
                      for i, p in enumerate(a.paragraphs))
            + "</div>"
            f'<div class="article__tags"><a href="/keyword_{a.index}/" class="article__tags-item">'
            f"{esc(a.keywords[0])}</a></div>"
            + noise.related("ru", more) + noise.newsletter("ru") + "</div>"
        )
        return self.chrome(f"{a.title} - РИА Новости, {a.published:%d.%m.%Y}", body, head)

    def _months(self) -> dict[str, list[SimArticle]]:
        months: dict[str, list[SimArticle]] = {}
        for a in self.listed() + [self.articles[p] for p in sorted(self.too_old)]:
            first = a.published.replace(day=1)
            last = a.published.replace(day=calendar.monthrange(a.published.year, a.published.month)[1])
            key = f"/sitemap_article.xml?date_start={first:%Y%m%d}&date_end={last:%Y%m%d}"
            months.setdefault(key, []).append(a)
        return months

    def pages(self) -> dict[str, Resource]:
        day = self.anchor.astimezone(self.tz)
        feed = [Entry(self.url(a.path), a.title, a.published, a.paragraphs[0][:200])
                for a in self.listed() + [self.articles[p] for p in sorted(self.disallowed)]]
        feed.append(Entry(self.url(f"/video/{day:%Y%m%d}/1234567890.html"), "Видео: встреча министров", day))
        feed.append(Entry(self.url(f"/photo/{day:%Y%m%d}/sammit-1234567891.html"), "Фото: саммит", day))
        feed.append(Entry(self.url("/infografika/20251001/dolg-1234567892.html"), "Инфографика: госдолг", day))
        months = self._months()
        pages: dict[str, Resource] = {
            "/robots.txt": Resource(robots(
                [(["Yandex"], ["Disallow: /search/", "Crawl-delay: 2"]),
                 (["*"], ["Disallow: /search/", "Disallow: /services/",
                          *(f"Disallow: {p}" for p in sorted(self.disallowed))])],
                sitemaps=[self.url("/sitemap_article_index.xml")]).encode(), "text/plain"),
            "/export/rss2/archive/index.xml": self.xml(
                rss(title="РИА Новости", link=self.url("/"), language="ru", entries=feed,
                    encoding="windows-1251"),
                charset="windows-1251", kind="application/rss+xml"),
            "/sitemap_article_index.xml": self.xml(sitemap_index(
                [(self.url(k), max(a.modified for a in v)) for k, v in months.items()])),
            f"/video/{day:%Y%m%d}/1234567890.html": self.video_page("Видео: встреча министров"),
            f"/photo/{day:%Y%m%d}/sammit-1234567891.html": self.gallery_page("Фото: саммит"),
            "/infografika/20251001/dolg-1234567892.html": self.gallery_page("Инфографика: госдолг", 1),
        }
        for key, stories in months.items():
            pages[key] = self.xml(urlset([Entry(self.url(a.path), published=a.modified) for a in stories]))
        return pages
