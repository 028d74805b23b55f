"""Self-tests of the outlet simulator: it must be a faithful stand-in for the outlets whose
specs ship in config/outlets.yaml, or crawl tests against it prove nothing.

A small reference walker (stdlib only) reads each outlet's discovery sources the way the
spec describes them and checks that what it finds agrees with what the simulator says a
correct crawl archives.
"""

from __future__ import annotations

import gzip
import http.client
import re
import time
import urllib.robotparser
from datetime import datetime, timedelta, timezone
from html import escape
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import yaml
from lxml import etree

from tests.sim import OutletSimulator
from tests.sim.outlets import NEVER_SEEN

REPO = Path(__file__).resolve().parents[2]
SHIPPED = yaml.safe_load((REPO / "config" / "outlets.yaml").read_text(encoding="utf-8"))
SETTINGS = yaml.safe_load((REPO / "config" / "settings.yaml").read_text(encoding="utf-8"))
DEFAULTS = {**SETTINGS.get("outlet_defaults", {}), **SHIPPED.get("defaults", {})}


@pytest.fixture(scope="module")
def sim():
    with OutletSimulator() as simulator:
        yield simulator


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def spec_of(sim: OutletSimulator, name: str) -> dict:
    """The outlet's spec with its URLs rehosted onto the simulator, as the loader does."""
    if name == NEVER_SEEN:
        spec = {**DEFAULTS, **sim.spec(name)}
    else:
        spec = {**DEFAULTS, **next(o for o in SHIPPED["outlets"] if o["name"] == name)}
    base = sim.base_url(name)
    for key in ("feeds", "sitemaps", "sections"):
        spec[key] = [base + path_query(u) for u in spec.get(key, [])]
    return spec


def canonical(url: str) -> str:
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def path_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def is_article(spec: dict, url: str) -> bool:
    target = path_query(url)
    return (any(re.search(p, target) for p in spec["article_patterns"])
            and not any(re.search(p, target) for p in spec.get("exclude_patterns", [])))


def xml_locs(body: bytes) -> tuple[str, list[str]]:
    if body[:2] == b"\x1f\x8b":
        body = gzip.decompress(body)
    root = etree.fromstring(body)
    tag = etree.QName(root).localname
    if tag in ("urlset", "sitemapindex"):
        return tag, [e.text.strip() for e in root.iter("{*}loc")]
    if tag == "rss":
        return tag, [e.text.strip() for e in root.iter("link") if e.getparent().tag == "item"]
    if tag == "feed":
        return tag, [e.get("href") for e in root.iter("{http://www.w3.org/2005/Atom}link")
                     if e.getparent().tag.endswith("entry") and e.get("rel", "alternate") == "alternate"]
    raise AssertionError(f"unexpected XML root {tag}")


_HREF = re.compile(rb"""href=["']([^"'#][^"']*)["']""")


def walk(sim: OutletSimulator, name: str) -> set[str]:
    """Every same-site URL the spec's sources announce (sections followed to their depth)."""
    spec = spec_of(sim, name)
    base = sim.base_url(name)
    found: set[str] = set()
    queue = list(spec["feeds"]) + list(spec["sitemaps"])
    while queue:
        status, _, body = fetch(queue.pop())
        assert status == 200
        kind, locs = xml_locs(body)
        for loc in locs:
            if kind == "sitemapindex":
                queue.append(loc)
            else:
                found.add(canonical(loc))
    frontier = {u: 0 for u in spec["sections"]}
    seen: set[str] = set()
    while frontier:
        url, depth = frontier.popitem()
        seen.add(url)
        status, _, body = fetch(url, {"Accept-Encoding": "identity"})
        assert status == 200, url
        for raw in _HREF.findall(body):
            link = canonical(urljoin(url, raw.decode("ascii", "replace").replace("&amp;", "&")))
            if not link.startswith(base + "/"):
                continue
            found.add(link)
            if (not is_article(spec, link) and depth < spec.get("section_depth", 1)
                    and link not in seen and link not in sim.non_articles(name)):
                frontier[link] = depth + 1
    return found


ALL = [o["name"] for o in SHIPPED["outlets"]] + [NEVER_SEEN]


def test_every_shipped_outlet_is_simulated(sim):
    assert set(ALL) <= set(sim.names)


@pytest.mark.parametrize("name", ALL)
def test_headlines_are_unique_within_an_outlet(sim, name):
    urls = sim.expected_articles(name) | sim.disallowed(name) | sim.too_old(name)
    assert len({sim.article(u).title for u in urls}) == len(urls)


@pytest.mark.parametrize("name", ALL)
def test_discovery_finds_exactly_the_expected_articles(sim, name):
    spec = spec_of(sim, name)
    found = walk(sim, name)
    expected, disallowed, non_articles = (sim.expected_articles(name), sim.disallowed(name),
                                          sim.non_articles(name))
    assert expected and expected <= found
    assert non_articles and non_articles <= found, "every non-article must be linked from a source"
    assert all(is_article(spec, u) for u in expected)
    assert all(is_article(spec, u) for u in disallowed)
    article_shaped = {u for u in found if is_article(spec, u)}
    # Article-shaped non-articles (error and video pages, dead links) are the extractor's
    # job; everything else the spec already filters out.
    assert article_shaped - expected - disallowed - sim.too_old(name) <= non_articles
    assert disallowed <= found or name == "xinhua-en"
    assert not expected & (disallowed | non_articles | sim.too_old(name))
    assert sim.too_old(name) <= found


@pytest.mark.parametrize("name", ["ria", "global-times"])
def test_stale_articles_are_announced_with_old_dates(sim, name):
    stale = sim.too_old(name)
    assert stale
    for url in stale:
        assert is_article(spec_of(sim, name), url)
        assert sim.article(url).published < datetime.now(timezone.utc) - timedelta(days=DEFAULTS["max_age_days"])
    for url in sim.expected_articles(name):
        assert sim.article(url).published > datetime.now(timezone.utc) - timedelta(days=2)


@pytest.mark.parametrize("name", ALL)
def test_robots_txt_forbids_exactly_the_disallowed_urls(sim, name):
    status, _, body = fetch(sim.base_url(name) + "/robots.txt")
    if name == "xinhua-en":
        assert status == 404 and not sim.disallowed(name)
        return
    assert status == 200
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(body.decode("utf-8").splitlines())
    assert sim.disallowed(name)
    for url in sim.disallowed(name):
        assert not parser.can_fetch("newsarchive", url)
    for url in sim.expected_articles(name):
        assert parser.can_fetch("newsarchive", url)


def _meta_charset(body: bytes) -> str:
    return re.search(rb'<meta[^>]*charset="?([\w-]+)', body).group(1).decode()


@pytest.mark.parametrize("name", ALL)
def test_articles_carry_their_text_in_the_declared_encoding(sim, name):
    for url in sim.expected_articles(name):
        status, headers, body = fetch(url)
        if status == 500:   # the flaky one; the retry must succeed
            status, headers, body = fetch(url)
        assert status == 200
        header_charset = headers["content-type"].split("charset=")[1]
        declared = _meta_charset(body)
        # gb2312 pages hold GBK characters; GB18030 is the superset that reads them.
        text = body.decode("gb18030" if declared == "gb2312" else declared)
        story = sim.article(url)
        assert escape(story.title) in text
        assert all(escape(p) in text for p in story.paragraphs)
        assert headers["etag"] and headers["last-modified"]
        if header_charset != _meta_charset(body):
            with pytest.raises(UnicodeDecodeError):
                body.decode(header_charset if header_charset != "iso-8859-1" else "ascii")


def test_encodings_are_real_and_one_header_lies(sim):
    charsets = {}
    for name in ("xinhua-zh", "ria"):
        for url in sim.expected_articles(name):
            status, headers, body = fetch(url)
            if status == 500:
                status, headers, body = fetch(url)
            charsets.setdefault(name, set()).add((headers["content-type"].split("charset=")[1],
                                                  _meta_charset(body)))
    assert ("GBK", "GBK") in charsets["xinhua-zh"]
    assert ("iso-8859-1", "GBK") in charsets["xinhua-zh"]
    assert ("gb2312", "gb2312") in charsets["xinhua-zh"]
    assert ("windows-1251", "windows-1251") in charsets["ria"]
    assert ("utf-8", "windows-1251") in charsets["ria"]


def test_a_gb2312_page_holds_characters_outside_gb2312(sim):
    for url in sim.expected_articles("xinhua-zh"):
        _, headers, body = fetch(url)
        if headers["content-type"].endswith("gb2312"):
            with pytest.raises(UnicodeDecodeError):
                body.decode("gb2312")
            assert body.decode("gb18030")
            return
    pytest.fail("no gb2312 page")


@pytest.mark.parametrize("name", ALL)
def test_feeds_and_sitemaps_are_well_formed(sim, name):
    spec = spec_of(sim, name)
    queue = list(spec["feeds"]) + list(spec["sitemaps"])
    assert queue or name == "xinhua-zh"   # Chinese Xinhua is discovered through sections only
    while queue:
        status, headers, body = fetch(queue.pop())
        assert status == 200
        kind, locs = xml_locs(body)   # raises on malformed XML
        assert locs and all(loc.startswith(sim.base_url(name) + "/") for loc in locs)
        if kind == "sitemapindex":
            queue.extend(locs)


@pytest.mark.parametrize("name", ["zee-news", "tass-en"])
def test_news_sitemaps_carry_news_fields(sim, name):
    status, _, body = fetch(sim.base_url(name) + "/sitemap.xml")
    kind, children = xml_locs(body)
    assert kind == "sitemapindex"
    titles = []
    for child in children:
        _, _, data = fetch(child)
        if data[:2] == b"\x1f\x8b":
            continue
        root = etree.fromstring(data)
        ns = {"n": "http://www.google.com/schemas/sitemap-news/0.9"}
        for news in root.iterfind(".//n:news", ns):
            titles.append(news.findtext("n:title", namespaces=ns))
            assert news.findtext("n:publication_date", namespaces=ns)
            assert news.findtext("n:keywords", namespaces=ns)
    expected_titles = {sim.article(u).title for u in sim.expected_articles(name)}
    assert len(set(titles) & expected_titles) >= 4


def test_one_child_sitemap_is_a_gzip_file(sim):
    _, children = xml_locs(fetch(sim.base_url("tass-en") + "/sitemap.xml")[2])
    gz = [c for c in children if c.endswith(".gz")]
    status, headers, body = fetch(gz[0], {"Accept-Encoding": "gzip"})
    assert status == 200 and "content-encoding" not in headers and body[:2] == b"\x1f\x8b"


def test_ria_sitemap_children_are_dated_queries(sim):
    _, children = xml_locs(fetch(sim.base_url("ria") + "/sitemap_article_index.xml")[2])
    assert children and all(re.search(r"/sitemap_article\.xml\?date_start=\d{8}&date_end=\d{8}$", c)
                            for c in children)


def test_gzip_content_encoding_when_accepted(sim):
    url = sorted(sim.expected_articles("tass-en"))[0]
    status, headers, body = fetch(url, {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert sim.article(url).title.encode() in gzip.decompress(body)
    _, plain_headers, plain = fetch(url)
    assert "content-encoding" not in plain_headers and plain == gzip.decompress(body)


@pytest.mark.parametrize("name", ALL)
def test_conditional_requests_get_304(sim, name):
    url = sorted(sim.expected_articles(name))[-1]
    status, headers, _ = fetch(url)
    if status == 500:
        status, headers, _ = fetch(url)
    assert fetch(url, {"If-None-Match": headers["etag"]})[0] == 304
    assert fetch(url, {"If-Modified-Since": headers["last-modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"something-else"'})[0] == 200


def test_first_request_of_a_flaky_article_fails_once():
    with OutletSimulator(["ria"]) as sim:
        statuses = {url: [fetch(url)[0], fetch(url)[0]] for url in sim.expected_articles("ria")}
    assert sorted(statuses.values()).count([500, 200]) == 1
    assert all(v in ([200, 200], [500, 200]) for v in statuses.values())


def test_update_and_add_change_what_is_served():
    with OutletSimulator(["tass-en"]) as sim:
        url = sorted(sim.expected_articles("tass-en"))[0]
        _, before, _ = fetch(url)
        sim.update_article("tass-en", url)
        status, after, body = fetch(url, {"If-None-Match": before["etag"]})
        assert status == 200 and after["etag"] != before["etag"]
        assert after["last-modified"] != before["last-modified"]
        assert b"Updated" in body
        new = sim.add_article("tass-en")
        assert new in sim.expected_articles("tass-en")
        assert new.encode() in fetch(sim.base_url("tass-en") + "/rss/v2.xml")[2]
        assert fetch(new)[0] == 200


def test_delay_and_request_log():
    with OutletSimulator(["tass-en"]) as sim:
        sim.set_delay("tass-en", 0.3)
        started = time.monotonic()
        fetch(sim.base_url("tass-en") + "/robots.txt", {"User-Agent": "probe/1.0"})
        assert time.monotonic() - started >= 0.3
        (request,) = sim.requests("tass-en")
        assert (request.method, request.path, request.headers["User-Agent"]) == ("GET", "/robots.txt", "probe/1.0")


def test_keep_alive_serves_several_requests_on_one_connection(sim):
    base = urlsplit(sim.base_url("tass-en"))
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=5)
    for path in ("/robots.txt", "/rss/v2.xml", "/sitemap.xml"):
        conn.request("GET", path)
        response = conn.getresponse()
        assert response.status == 200 and response.read()
    conn.close()


def test_config_points_outlets_at_the_simulator(sim, tmp_path):
    data = yaml.safe_load(sim.write_config(tmp_path / "outlets.yaml").read_text(encoding="utf-8"))
    blocks = {b["name"]: b for b in data["outlets"]}
    assert set(blocks) == set(sim.names)
    assert all(b["base_url"] == sim.base_url(n) for n, b in blocks.items())
    never = blocks[NEVER_SEEN]
    for key in ("domains", "language", "feeds", "sitemaps", "sections", "article_patterns",
                "exclude_patterns", "schedule"):
        assert key in never, key
    assert never["feeds"] and never["sitemaps"] and not never["sections"]
    assert NEVER_SEEN not in {o["name"] for o in SHIPPED["outlets"]}


def test_demo_crawls_every_simulated_outlet_exactly(home, tmp_path, capsys):
    from bench import demo

    assert demo.main(["--archive", str(tmp_path / "archive")]) == 0
    out = capsys.readouterr().out
    assert "crawl --all --config" in out
    summary = out.split("Summary (this run's simulator):\n", 1)[1].splitlines()
    assert len(summary) == 1 + len(ALL) and all(line.endswith(" ok") for line in summary[1:])
    # The README's `report --topic nato` and `export --topic nato` have coverage to show.
    from archive import ArchiveReader, LocalStore

    tagged = list(ArchiveReader(LocalStore(tmp_path / "archive")).articles(topic="nato"))
    assert tagged and all("nato" in article.topics for article in tagged)


def test_demo_names_outlets_instead_of_all_when_one_is_not_simulated(tmp_path):
    from bench import demo

    with OutletSimulator(["ria", "tass-en"]) as partial:
        assert demo.crawl_targets(partial) == ["ria", "tass-en"]
        wrong = partial.non_articles("tass-en")
        rows = demo.summarize(partial, [*partial.expected_articles("ria"), *wrong])
    assert [(r.outlet, r.ok, r.wrong) for r in rows] == [("ria", True, 0), ("tass-en", False, len(wrong))]


@pytest.mark.parametrize("language", ["en", "zh", "ru"])
def test_story_text_is_deterministic_and_varied(language):
    from tests.sim.content import compose

    stories = [compose(language, f"outlet:{i}") for i in range(12)]
    assert compose(language, "outlet:3") == stories[3]
    assert len({s.paragraphs for s in stories}) == 12
    for story in stories:
        assert 4 <= len(story.paragraphs) <= 12
        sentences = [x for p in story.paragraphs for x in re.split(r"(?<=[.。])\s*", p) if x]
        assert len(sentences) == len(set(sentences)), "a sentence repeats within one story"


@pytest.mark.parametrize("name", [o["name"] for o in SHIPPED["outlets"] if o.get("sections")])
def test_section_pages_link_off_site_and_to_non_articles(sim, name):
    spec = spec_of(sim, name)
    base = sim.base_url(name)
    links: set[str] = set()
    for section in spec["sections"]:
        body = fetch(section, {"Accept-Encoding": "identity"})[2]
        links |= {urljoin(section, h.decode()) for h in _HREF.findall(body)}
    assert any(urlsplit(u).scheme in ("http", "https") and not u.startswith(base) for u in links)
    assert links & sim.non_articles(name)


_BODY_PARAGRAPH = re.compile(rb"<p>[^<]{80,}</p>")


@pytest.mark.parametrize("name", ALL)
def test_article_shaped_non_articles_are_not_stories(sim, name):
    spec = spec_of(sim, name)
    shaped = {u for u in sim.non_articles(name) if is_article(spec, u)}
    for url in shaped:
        status, _, body = fetch(url, {"Accept-Encoding": "identity"})
        assert status == 404 or len(_BODY_PARAGRAPH.findall(body)) < 2, url
    # What the spec can reject by URL alone, it must.
    assert all(not is_article(spec, u) for u in sim.non_articles(name) - shaped)


def test_written_config_loads_with_the_real_loader(sim, tmp_path):
    from crawler.outlets import load_outlets

    specs = load_outlets([sim.write_config(tmp_path / "sim.yaml")])
    for name in sim.names:
        spec = specs[name]
        sources = [*spec.feeds, *spec.sitemaps, *spec.sections]
        assert sources and all(u.startswith(sim.base_url(name) + "/") for u in sources), name
    assert specs[NEVER_SEEN].language == "en" and specs[NEVER_SEEN].feeds
