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
