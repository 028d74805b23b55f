"""Dates are never invented: they come from the page, never from the fetch time.

A dateline without a year ("MOSCOW, August 8 (RIA Novosti)") gives a date only when the
page itself states the year (structured data, the URL's date path, a visible full stamp
of that day); otherwise ``published`` is null and the reasons say why. ``fetch`` passes
the fetch time to ``extract_page`` and ``extract`` does not: the records must agree.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from extract import ExtractOptions, SiteRules, extract_page
from extract.dates import date_in_text, dateline_date, stated_year, url_year

LEAD = "MOSCOW, August 8 (RIA Novosti) – Russia hopes upcoming talks with the United States will be constructive."
PARAS = [
    LEAD,
    "The defence and foreign ministers will meet their counterparts in Washington on Friday for consultations.",
    "Officials said missile defence would be among the sticking points discussed at the meeting on Friday.",
]


def page(head: str = "", before: str = "", after: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f"<html><head><title>Talks</title>{head}</head><body>{before}"
            f"<article>{body}</article>{after}</body></html>").encode()


FETCHES = (None, "2026-08-10T00:00:00Z", "2013-08-09T10:00:00Z", "2031-01-02T03:04:05Z")


def _same_record_for_every_fetch_time(body: bytes, url: str, options: ExtractOptions = ExtractOptions()):
    results = [extract_page(body, url, fetched_at=f, options=options) for f in FETCHES]
    base = replace(results[0].article, fetched_at=None)
    for result in results[1:]:
        assert replace(result.article, fetched_at=None) == base
        assert result.reasons == results[0].reasons
    return results[0]


def test_undated_dateline_gives_no_date_and_says_why():
    result = _same_record_for_every_fetch_time(page(), "https://blog.example/posts/talks")
    assert result.article.published is None
    assert result.article.source_credit == "RIA Novosti"
    assert "dateline: MOSCOW, August 8 (RIA Novosti)" in result.reasons
    assert any(r.startswith("date: unknown") for r in result.reasons)


@pytest.mark.parametrize("url", [
    "https://blog.example/2013/08/talks.html",
    "https://blog.example/2013/talks.html",
    "https://ria.example/20130808/talks-123456.html",
])
def test_year_from_the_urls_date_path(url):
    result = _same_record_for_every_fetch_time(page(), url)
    assert result.article.published == "2013-08-08"


def test_url_month_must_agree_with_the_dateline():
    assert url_year("https://x.example/2013/07/talks", 8) is None
    assert url_year("https://x.example/p/1234567", 8) is None
    art = extract_page(page(), "https://blog.example/2013/07/talks.html").article
    assert art.published is None


def test_year_from_a_visible_full_stamp_of_the_same_day():
    result = _same_record_for_every_fetch_time(page(before="<div class='meta'>Posted August 8, 2013</div>"),
                                               "https://blog.example/p")
    assert result.article.published.startswith("2013-08-08")
    assert stated_year(8, 8, ("Posted August 18, 2013",)) is None
    assert stated_year(8, 8, ("8 Aug 2013",)) == 2013


def test_structured_date_wins_over_a_conflicting_visible_stamp():
    head = '<meta property="article:published_time" content="2013-08-08T10:15:00+04:00">'
    result = _same_record_for_every_fetch_time(page(head=head, before="<p>Updated 2013-09-01 12:00</p>"),
                                               "https://blog.example/p")
    assert result.article.published == "2013-08-08T10:15:00+04:00"


def test_a_dateline_with_its_own_year():
    assert dateline_date((12, 9, 2011)) == "2011-12-09"
    assert dateline_date((12, 9, None)) is None
    assert dateline_date((12, 9, None), 2011) == "2011-12-09"


def test_future_stamps_are_read_the_same_whatever_the_fetch_time():
    # The page's own stamp, even one after the fetch time, is what it says; the bound
    # is fixed, so a later re-extraction gives the same record.
    result = _same_record_for_every_fetch_time(page(before="<span>2030-05-01 09:00</span>"), "https://x.example/a")
    assert result.article.published == "2030-05-01T09:00:00"


def test_outlet_zone_localises_naive_times_only():
    head = '<meta property="article:published_time" content="2026-11-30T17:32:00">'
    moscow = ExtractOptions(rules=SiteRules(timezone="Europe/Moscow"))
    art = _same_record_for_every_fetch_time(page(head=head), "https://ria.example/a", moscow).article
    assert art.published == "2026-11-30T17:32:00+03:00"
    # 2013: Moscow was on UTC+4; the zone database knows it.
    old = page(head='<meta property="article:published_time" content="2013-08-08T10:00:00">')
    assert extract_page(old, "https://ria.example/a", options=moscow).article.published == "2013-08-08T10:00:00+04:00"
    for zone, offset in (("Asia/Shanghai", "+08:00"), ("Asia/Kolkata", "+05:30"), ("+08:00", "+08:00")):
        art = extract_page(page(head=head), "https://x.example/a", options=ExtractOptions(rules=SiteRules(timezone=zone))).article
        assert art.published == "2026-11-30T17:32:00" + offset
    # A stated zone stays as stated; a bare day gets no invented time.
    stated = page(head='<meta property="article:published_time" content="2026-11-30T17:32:00Z">')
    assert extract_page(stated, "https://x.example/a", options=moscow).article.published == "2026-11-30T17:32:00+00:00"
    day = page(head='<meta name="publishdate" content="2026-11-30">')
    assert extract_page(day, "https://x.example/a", options=moscow).article.published == "2026-11-30"
    # Without the outlet's zone, a naive time stays naive.
    assert extract_page(page(head=head), "https://x.example/a").article.published == "2026-11-30T17:32:00"


def test_date_in_one_element():
    assert date_in_text("Published: Aug 8, 2013 10:32 AM") == "2013-08-08T10:32:00"
    assert date_in_text("2013年08月08日 10:20") == "2013-08-08T10:20:00"
    assert date_in_text("8 August 2013") == "2013-08-08"
    assert date_in_text("no date here") is None
