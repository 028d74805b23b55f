"""Every simulated outlet's feeds, sitemaps and section pages, fetched over loopback HTTP and
read with the discovery parsers and the shipped specs, announce all its expected articles.

This checks the parsers and config/outlets.yaml against the outlet structures the crawl
tests use, without Scrapy: a miss here is a parser or spec bug, not a spider bug.
"""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request

import pytest

from crawler.discovery import extract_links, parse_feed, parse_sitemap
from crawler.urls import canonicalize_url
from crawler.outlets import OutletSpec, load_outlets
from tests.sim.outlets import SITES
from tests.sim.simulator import OutletSimulator


@pytest.fixture(scope="module")
def sim_and_specs(tmp_path_factory):
    with OutletSimulator() as sim:
        config = sim.write_config(tmp_path_factory.mktemp("sim") / "outlets.yaml")
        yield sim, load_outlets([config])


def fetch(url: str) -> bytes | None:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body
    except urllib.error.HTTPError:
        return None  # the simulator's 404s and first-request 500s


def announced(spec: OutletSpec) -> set[str]:
    """Canonical article URLs that the outlet's discovery sources point to."""
    urls: set[str] = set()
    for feed in spec.feeds:
        body = fetch(feed)
        if body:
            urls.update(e.url for e in parse_feed(body, feed))
    pending, seen = list(spec.sitemaps), set()
    while pending:
        sitemap = pending.pop()
        seen.add(sitemap)
        body = fetch(sitemap)
        if body:
            doc = parse_sitemap(body, sitemap)
            urls.update(e.url for e in doc.entries)
            pending.extend(c for c, _ in doc.children if spec.allows(c) and c not in seen)
    pages = [(section, 0) for section in spec.sections]
    while pages:
        page, depth = pages.pop()
        body = fetch(page)
        for link in extract_links(body, page) if body else ():
            if spec.is_article_url(link):
                urls.add(link)
            elif depth < spec.section_depth and spec.allows(link) and spec.exclusion_reason(link) != "excluded" \
                    and link.startswith(page.rstrip("/")) and link != page:
                pages.append((link, depth + 1))
    return {canonicalize_url(u) for u in urls if spec.is_article_url(u)}


@pytest.mark.parametrize("outlet", list(SITES))
def test_discovery_announces_every_expected_article(sim_and_specs, outlet):
    sim, specs = sim_and_specs
    expected = {canonicalize_url(u) for u in sim.expected_articles(outlet)}
    assert expected, outlet
    missing = expected - announced(specs[outlet])
    assert not missing, f"{outlet}: not announced by any source: {sorted(missing)[:5]}"
