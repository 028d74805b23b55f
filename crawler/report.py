"""The coverage report: which outlets carried each story, when, under which headline.

``build_report`` reads the archive (articles, run records) into plain data, the JSON a
notebook takes; ``render_html`` turns that into one self-contained page: inline CSS, the
timeline as inline SVG drawn by matplotlib, no script, nothing fetched from elsewhere.
A story is a syndication cluster (``Article.cluster``); an article without one is a story
of its own.
"""

from __future__ import annotations

import html
import io
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from archive import ArchiveReader
from archive.replay import json_replay_url, replay_url
from crawler.service.health import assess, health_document, outlet_runs, parse_time
from extract.article import Article

__all__ = ["build_report", "render_html", "timeline_svg"]

HEALTH_DAYS = 30


def build_report(reader: ArchiveReader, *, replay_base: str, topic: str | None = None, since: str | None = None,
                 until: str | None = None, outlet: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The report's data: stories (most outlets first), articles per outlet per day, health."""
    now = now or datetime.now(timezone.utc)
    articles = list(reader.articles(outlet=outlet, since=since, until=until, topic=topic))
    return {
        "generated": now.isoformat(timespec="seconds"),
        "archive": reader.store.uri,
        "filters": {"topic": topic, "since": since, "until": until, "outlet": outlet},
        "replay_base": replay_base,
        "articles": len(articles),
        "outlets": sorted({a.outlet or "_adhoc" for a in articles}),
        "stories": _stories(articles, replay_base),
        "timeline": _timeline(articles),
        "health": _health(reader, now),
    }


def _day(article: Article) -> str:
    """The date the archive files the article under: published as the page states it, else fetched."""
    return (article.published or article.fetched_at or "")[:10]


def _stories(articles: Iterable[Article], replay_base: str) -> list[dict[str, Any]]:
    clusters: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        clusters[article.cluster or f"article:{article.id}"].append(article)
    stories = []
    for key, members in clusters.items():
        members.sort(key=lambda a: (a.published or a.fetched_at or "", a.outlet or "", a.id))
        stories.append({
            "cluster": key,
            "headline": members[0].title,
            "first": members[0].published or members[0].fetched_at,
            "outlets": sorted({a.outlet or "_adhoc" for a in members}),
            "articles": [{
                "id": a.id, "outlet": a.outlet, "title": a.title, "published": a.published, "fetched_at": a.fetched_at,
                "url": a.url, "language": a.language, "replay": replay_url(replay_base, a),
                "json": json_replay_url(replay_base, a),
            } for a in members],
        })
    stories.sort(key=lambda s: (-len(s["outlets"]), -len(s["articles"]), s["first"] or "", s["cluster"]))
    return stories


def _timeline(articles: Iterable[Article]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        counts[article.outlet or "_adhoc"][_day(article)] += 1
    return {name: dict(sorted(days.items())) for name, days in sorted(counts.items())}


def _health(reader: ArchiveReader, now: datetime) -> dict[str, Any]:
    """Outlet health (`newsarchive health`'s rules) from the archive's run records."""
    since = now - timedelta(days=HEALTH_DAYS)
    history = []
    for record in reader.runs():
        try:
            recent = parse_time(str(record.get("started"))) >= since
        except ValueError:  # not a crawl's run record
            continue
        if recent:
            history += outlet_runs(record)
    return health_document(assess(history, now), now)


def timeline_svg(timeline: dict[str, dict[str, int]]) -> str:
    """Articles per outlet per day as grouped bars: an ``<svg>`` element to inline in HTML."""
    from matplotlib.figure import Figure

    days = sorted({day for per_day in timeline.values() for day in per_day})
    figure = Figure(figsize=(min(4 + 0.5 * len(days) * max(len(timeline), 1) ** 0.5, 14), 3.6), layout="constrained")
    axes = figure.subplots()
    width = 0.8 / max(len(timeline), 1)
    for index, (name, per_day) in enumerate(timeline.items()):
        axes.bar([i + (index - (len(timeline) - 1) / 2) * width for i in range(len(days))],
                 [per_day.get(day, 0) for day in days], width=width, label=name)
    axes.set_xticks(range(len(days)), days, rotation=45 if len(days) > 6 else 0, ha="right" if len(days) > 6 else "center")
    axes.set_ylabel("articles")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.spines[["top", "right"]].set_visible(False)
    if timeline:
        axes.legend(frameon=False, fontsize="small", ncols=min(len(timeline), 4))
    out = io.StringIO()
    # Text as paths (the default), no date stamp: the SVG needs no font and is reproducible.
    figure.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg"):]  # inline: no XML declaration or DOCTYPE


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0}td,th{padding:.25rem .5rem;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}th{font-weight:600}.muted{color:#777}.flag{color:#b00;font-weight:600}
.outlets{color:#555}svg{max-width:100%;height:auto}code{font-size:.9em}
"""


def render_html(report: dict[str, Any]) -> str:
    """One self-contained HTML page of ``report`` (as ``build_report`` returns it)."""
    e = html.escape
    filters = ", ".join(f"{name} {value}" for name, value in report["filters"].items() if value) or "all articles"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Coverage report: {e(filters)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Coverage report</h1><p>{e(report['archive'])}: {e(filters)}. {report['articles']} articles, "
        f"{len(report['stories'])} stories, {len(report['outlets'])} outlets. Generated {e(report['generated'])}.</p>",
        f"<p class=muted>Page and JSON links open in replay (<code>newsarchive replay</code> serving "
        f"{e(report['replay_base'])}).</p>",
        "<h2>Articles per outlet per day</h2>",
        timeline_svg(report["timeline"]) if report["timeline"] else "<p class=muted>No articles.</p>",
        "<h2>Stories</h2>",
    ]
    for story in report["stories"]:
        parts.append(f"<h3>{e(story['headline'] or '(no title)')}</h3><p class=outlets>{len(story['outlets'])} outlets: "
                     f"{e(', '.join(story['outlets']))} <span class=muted>({e(story['cluster'])})</span></p>")
        rows = "".join(
            f"<tr><td>{e(a['outlet'] or '_adhoc')}</td><td>{e(a['published'] or a['fetched_at'] or '')}</td>"
            f"<td>{e(a['title'] or '')}</td><td><a href=\"{e(a['replay'])}\">page</a> "
            f"<a href=\"{e(a['json'])}\">JSON</a> <code>{e(a['id'])}</code></td></tr>"
            for a in story["articles"]
        )
        parts.append(f"<table><tr><th>outlet</th><th>published</th><th>headline</th><th>archive</th></tr>{rows}</table>")
    parts.append(_health_html(report["health"]))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _health_html(health: dict[str, Any]) -> str:
    e = html.escape
    outlets = health.get("outlets") or {}
    if not outlets:
        return "<h2>Outlet health</h2><p class=muted>No run records in the archive for the last 30 days.</p>"

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    rows = "".join(
        f"<tr><td>{e(name)}</td><td>{item['runs']}</td><td>{e((item['last_run'] or '-')[:16])}</td>"
        f"<td>{e((item['last_new_article'] or '-')[:16])}</td><td>{item['articles_per_day']}</td>"
        f"<td>{pct(item['error_rate'])}</td><td>{pct(item['block_rate'])}</td>"
        f"<td class=flag>{e(', '.join(item['flags']))}</td><td>{e('; '.join(item['problems']))}</td></tr>"
        for name, item in outlets.items()
    )
    return ("<h2>Outlet health</h2><p class=muted>From the archive's run records, last 30 days "
            "(the rules of <code>newsarchive health</code>).</p><table><tr><th>outlet</th><th>runs</th>"
            "<th>last run</th><th>last new article</th><th>articles/day</th><th>errors</th><th>blocked</th>"
            f"<th>flags</th><th>problems</th></tr>{rows}</table>")
