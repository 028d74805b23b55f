"""`newsarchive report` on a crawl of three simulated outlets that carried one wire story:
the story is listed once with every outlet; the HTML opens offline (no external requests)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import lxml.html
import pytest

from tests.cli import newsarchive
from tests.integration.syndication import OUTLETS, crawl, syndicate
from tests.sim import OutletSimulator

BASE = "http://127.0.0.1:8080/archive/"


@pytest.fixture(scope="module")
def coverage(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    with OutletSimulator(OUTLETS) as sim:
        urls = syndicate(sim)
        titles = {name: sim.article(url).title for name, url in urls.items()}
        archive = crawl(sim, root)
    return {"root": root, "archive": archive, "urls": urls, "titles": titles}


def report(coverage, *args: str) -> str:
    out = coverage["root"] / "out"
    proc = newsarchive("report", "--archive", str(coverage["archive"]), "-o", str(out), *args, check=True)
    assert "stories" in proc.stderr
    return out.read_text(encoding="utf-8")


def test_the_syndicated_story_is_listed_once_with_every_outlet(coverage):
    data = json.loads(report(coverage, "--format", "json"))
    syndicated = set(coverage["urls"].values())
    [story] = [s for s in data["stories"] if syndicated & {a["url"] for a in s["articles"]}]
    assert {a["url"] for a in story["articles"]} == syndicated
    assert story["outlets"] == sorted(OUTLETS)
    counts = [len(s["outlets"]) for s in data["stories"]]
    assert counts == sorted(counts, reverse=True)  # most outlets first
    for article in story["articles"]:
        assert article["title"] == coverage["titles"][article["outlet"]]  # each outlet's own headline
        assert article["published"] and article["replay"].startswith(BASE) and article["replay"].endswith(article["url"])
        assert article["json"].endswith("id_/urn:article:" + article["url"])
    every = [a["url"] for s in data["stories"] for a in s["articles"]]
    assert len(every) == len(set(every)) == data["articles"]
    assert set(data["timeline"]) == set(OUTLETS)
    assert sum(n for days in data["timeline"].values() for n in days.values()) == data["articles"]
    assert set(data["health"]["outlets"]) == set(OUTLETS)  # from the crawl's run record


def test_the_html_page_is_self_contained_and_shows_story_timeline_and_health(coverage):
    text = report(coverage)
    page = lxml.html.document_fromstring(text)
    assert page.find("head/title") is not None and page.find("body") is not None
    # Nothing is fetched when the page opens: no scripts, no external styles, images,
    # frames or fonts; the plot is inline SVG. Only links (a href) point elsewhere.
    assert not page.xpath("//script | //iframe | //img | //link[@rel='stylesheet'] | //object | //embed")
    for element in page.iter():
        for name, value in element.attrib.items():
            if name in ("src", "srcset", "data", "poster") or name.endswith("href") and element.tag != "a":
                assert not urlsplit(value).scheme, (element.tag, name, value)
    assert "url(" not in "".join(page.xpath("//style/text()")) and "@import" not in text
    [_] = [el for el in page.iter() if isinstance(el.tag, str) and el.tag.endswith("svg") and el.getparent().tag == "body"]
    # The story is one section (headed by its first headline) with one row per outlet.
    titles = set(coverage["titles"].values())
    assert len([h for h in page.xpath("//h3/text()") if h in titles]) == 1
    rows = page.xpath("//tr[td]")
    assert sorted(row.xpath("td[1]/text()")[0] for row in rows if row.xpath("td[3]/text()")[:1] and
                  row.xpath("td[3]/text()")[0] in titles) == sorted(OUTLETS)
    for url in coverage["urls"].values():
        links = page.xpath(f"//a[@href='{BASE}' or contains(@href, '/{url}')]/@href")
        assert any(link.endswith("/" + url) for link in links)
    health = page.xpath("//h2[.='Outlet health']/following-sibling::table[1]//td[1]/text()")
    assert sorted(health) == sorted(OUTLETS)


def test_filters_narrow_the_report(coverage):
    data = json.loads(report(coverage, "--format", "json", "--outlet", "tass-en"))
    assert data["outlets"] == ["tass-en"] and set(data["timeline"]) == {"tass-en"}
    data = json.loads(report(coverage, "--format", "json", "--since", "2999-01-01"))
    assert data["stories"] == [] and data["articles"] == 0
    assert "No articles." in report(coverage, "--since", "2999-01-01")
