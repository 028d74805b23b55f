from crawler.discovery import Entry
from crawler.spiders.outlet import _section_root, merge_hints, parse_since


def test_merged_hints_do_not_depend_on_arrival_order():
    feed = Entry(url="u", title="Feed title", published="2026-11-21T22:25:00+08:00", keywords=("a",), source="feed")
    news = Entry(url="u", title="News title", published=None, language="en", keywords=("b", "a"),
                 source="news-sitemap")
    plain = Entry(url="u", modified="2026-11-22", source="sitemap")
    for order in ([feed, news, plain, None], [None, plain, news, feed]):
        hints = merge_hints(order)
        assert hints.title == "News title"  # the news sitemap outranks the feed
        assert hints.published == "2026-11-21T22:25:00+08:00"  # the first source that has one
        assert hints.language == "en" and hints.source == "news-sitemap"
        assert set(hints.keywords) == {"a", "b"}


def test_links_alone_give_no_hints():
    assert merge_hints([None, None]) is None


def test_section_root_covers_the_sections_own_listing_pages():
    assert _section_root("https://x.org/world/") == "/world/"
    assert _section_root("https://x.org/world/index.htm") == "/world/"
    assert _section_root("https://tass.com/politics") == "/politics"
    assert _section_root("https://x.org") == "/"


def test_since_is_an_aware_datetime():
    assert parse_since("2026-11-01").isoformat() == "2026-11-01T00:00:00+00:00"
    assert parse_since("2026-11-01T10:00:00+03:00").utcoffset().total_seconds() == 3 * 3600
    assert parse_since(None) is None


def test_articles_reach_the_scheduler_a_slice_at_a_time_round_robin_over_outlets():
    """However large the frontier, the scheduler holds a few hundred requests (memory stays
    flat), and a multi-outlet crawl has every outlet's requests waiting at once."""
    import dataclasses
    from types import SimpleNamespace

    import pytest
    from scrapy.exceptions import DontCloseSpider

    from crawler.outlets import load_outlets
    from crawler.spiders import outlet as module

    specs = load_outlets()
    a, b = sorted(specs)[:2]
    spider = module.OutletSpider(outlet=f"{a},{b}", specs={n: dataclasses.replace(specs[n], max_age_days=None)
                                                          for n in (a, b)})
    queued: list = []
    spider.crawler = SimpleNamespace(engine=SimpleNamespace(scheduler=queued, crawl=queued.append))
    for name in (a, b):
        spider.candidates.announce(name, None, None)
        for n in range(1000):
            spider.candidates.add(name, f"https://{name}.example/news/{n:04d}",
                                  Entry(url="", published=f"2026-11-{1 + n % 28:02d}T00:00:00+00:00", source="feed"))
    with pytest.raises(DontCloseSpider):
        spider._on_idle()
    assert len(queued) == module.RELEASE_SLICE
    outlets = [request.meta["outlet"] for request in queued]
    assert outlets[:4] == [a, b, a, b]  # round-robin
    spider._top_up(queued[0])
    assert len(queued) == module.RELEASE_SLICE  # enough waiting: nothing more yet
    fetched = []
    while queued or spider._unreleased:
        taken = max(1, len(queued) - module.RELEASE_LOW_WATER + 1)  # the downloader takes some
        fetched += queued[:taken]
        del queued[:taken]
        spider._top_up(None)
        assert len(queued) <= module.RELEASE_LOW_WATER + module.RELEASE_SLICE
        if not queued and spider._unreleased:
            with pytest.raises(DontCloseSpider):
                spider._on_idle()
    assert len({r.url for r in fetched}) == 2000
    first = [r.meta["hints"].published for r in fetched if r.meta["outlet"] == a]
    assert first == sorted(first, reverse=True)  # newest first, as discovery ordered them
