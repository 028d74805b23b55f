"""Metadata from markup, credits and datelines from text, dates, feed evidence."""

from __future__ import annotations

import lxml.html
import pytest

from extract import Hints, extract_page
from extract.credits import find_byline, find_credit, is_calendar_name, trim_byline
from extract.dates import iso_date, with_visible_time
from extract.hints import reconcile
from extract.metadata import clean_title, read_metadata
from tests.unit.test_extract_page import PARAS


def meta_of(head: str, body: str = "", url: str = "https://news.example/world/2024/story-1"):
    return read_metadata(lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>"), url)


def test_jsonld_article_beats_other_evidence():
    head = (
        '<title>Storm hits coast | Daily Planet</title><meta property="og:site_name" content="Daily Planet">'
        '<script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"x"},{"@type":"NewsArticle",'
        '"headline":"Storm hits coast","datePublished":"2024-02-03T07:05:00+01:00","dateModified":"2024-02-03T09:00:00Z",'
        '"author":[{"name":"Ann Lee"},{"name":"Bo Chan"}],"keywords":"storm, weather"}]}</script>'
    )
    meta = meta_of(head, "<h1>Storm hits coast</h1>")
    assert meta.title == "Storm hits coast"
    assert meta.published == "2024-02-03T07:05:00+01:00"
    assert meta.modified == "2024-02-03T09:00:00+00:00"
    assert meta.authors == ("Ann Lee", "Bo Chan")
    assert meta.tags == ("storm", "weather")
    assert meta.site_name == "Daily Planet"


def test_broken_jsonld_falls_back_to_meta_tags():
    head = '<script type="application/ld+json">{broken</script><meta property="article:published_time" content="2023-05-01T10:00:00Z">'
    assert meta_of(head).published == "2023-05-01T10:00:00+00:00"


@pytest.mark.parametrize(
    ("raw", "site", "title"),
    [
        ("Steigende Zinsen setzen Dax zu | Börsen-Zeitung", "Börsen-Zeitung", "Steigende Zinsen setzen Dax zu"),
        ("Post-Vac-Syndrom: Was wissen wir? – DW – 13.06.2023", "DW", "Post-Vac-Syndrom: Was wissen wir?"),
        ("Patent: Samsung must destroy phones - Golem.de", None, "Patent: Samsung must destroy phones"),
        ("Climate change: Labor on track to hit 2030 target", None, "Climate change: Labor on track to hit 2030 target"),
        ("Ukraine live - Day 500 of the war - Latest - Planet News", "Planet News", "Ukraine live - Day 500 of the war"),
    ],
)
def test_clean_title_strips_site_name_and_dates(raw, site, title):
    assert clean_title(raw, (site,) if site else ()) == title


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        # A site suffix glued on by a hyphen, en dash or hyphen run between CJK words.
        ("莫斯科军备控制会谈结束 下一轮会谈时间确定-新华网", "莫斯科军备控制会谈结束 下一轮会谈时间确定"),
        ("跨界学习让学生成长--大河网", "跨界学习让学生成长"),
        ("地铁十一号线全线开通运营（图）–南方网", "地铁十一号线全线开通运营（图）"),
        ("你知道什么该吃什么不该吃吗？-报社新闻-查报纸网", "你知道什么该吃什么不该吃吗？"),
        ("東京株式市場、終値は大幅に続伸－経済新報", "東京株式市場、終値は大幅に続伸"),
        # Not separators: Latin compounds, scores, abbreviations joined inside a
        # headline, and the Chinese dash "——" before a subtitle.
        ("U.S.-China trade talks resume in Geneva", "U.S.-China trade talks resume in Geneva"),
        ("中国女排3-0战胜日本队", "中国女排3-0战胜日本队"),
        ("한-미 정상회담 다음 달 워싱턴에서 열린다", "한-미 정상회담 다음 달 워싱턴에서 열린다"),
        ("中-俄联合海上军事演习今日在东海开始", "中-俄联合海上军事演习今日在东海开始"),
        ("为城市建设凝聚强大智慧和力量——热烈祝贺会议开幕", "为城市建设凝聚强大智慧和力量——热烈祝贺会议开幕"),
    ],
)
def test_clean_title_splits_hyphens_glued_between_cjk_words(raw, title):
    assert clean_title(raw) == title


def test_cjk_title_without_h1_or_og_title_loses_the_glued_site_name():
    meta = meta_of(
        "<title>莫斯科军备控制会谈结束 下一轮会谈时间确定-新华网</title>",
        '<span class="title">莫斯科军备控制会谈结束 下一轮会谈时间确定</span>',
        url="https://www.news.example/world/20240301/abc.htm",
    )
    assert meta.title == "莫斯科军备控制会谈结束 下一轮会谈时间确定"


def test_untitled_post_whose_only_title_is_the_site_name_has_no_title():
    meta = meta_of('<title>Defence Notes</title><meta property="og:site_name" content="Defence Notes">', "<h1>Defence Notes</h1>")
    assert meta.title is None


def test_canonical_pointing_at_home_page_is_not_trusted():
    url = "http://www.example.cn/world/2011-12/09/content_1.htm"
    assert meta_of('<meta property="og:url" content="http://www.example.cn/">', url=url).canonical_url is None
    rel = meta_of('<link rel="canonical" href="/world/2011-12/09/content_1.htm">', url=url)
    assert rel.canonical_url == url


def test_markup_language_is_recorded_but_detection_decides():
    paras = "".join(
        f"<p>{p}</p>"
        for p in [
            "Le conseil municipal a voté mardi la prolongation du réseau de bus de nuit vers les quartiers est.",
            "Quatre nouvelles lignes circuleront toutes les trente minutes entre minuit et cinq heures du matin.",
            "Les travailleurs de nuit attendaient cette décision depuis deux ans, selon les syndicats.",
        ]
    )
    page = f"<html lang='en'><head><title>Bus de nuit</title></head><body><article>{paras}</article></body></html>"
    assert extract_page(page.encode(), "https://x.example/a").article.language == "fr"


@pytest.mark.parametrize(
    ("paragraphs", "lines", "source", "dateline"),
    [
        (["MOSCOW, August 8 (RIA Novosti) – Russia hopes talks will be constructive."], (), "RIA Novosti", "MOSCOW, August 8 (RIA Novosti)"),
        (["WASHINGTON, 3 March (Reuters) - Officials said on Monday."], (), "Reuters", "WASHINGTON, 3 March (Reuters)"),
        (["Body text.", "They discussed regional security. (ANI)"], (), "ANI", None),
        (["Body text."], ("Xinhua, December 9, 2011",), "Xinhua", None),
        (["Body text."], ("来源：新华社",), "新华社", None),
        (["参考消息网1月13日报道 据美联社报道，会议周三举行。"], (), "参考消息网", None),
        (["Body text."], ("Monday, December 9, 2011",), None, None),  # a weekday is not a credit
        (["Body text."], ("Sat, May 25, 2024",), None, None),
        (["Body text."], ("Quiet Garden Notes Tuesday, March 3, 2020",), None, None),
        # Markup or label junk after a source label is no credit; a later label ends one.
        (["Body text."], ('作者： size="9" 来源： size="9" 发布日期： 3/4/2005 1:02:03 PM',), None, None),
        (["Body text."], ("来源：北方晨报 编辑：李明",), "北方晨报", None),
        (["Body text."], ("Source: 2024",), None, None),
        (["He said the plan (which was leaked) is sound."], (), None, None),
    ],
)
def test_find_credit(paragraphs, lines, source, dateline):
    credit = find_credit(paragraphs, lines)
    assert credit.source == source
    assert credit.dateline == dateline


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-05-03T10:00:00+0200", "2024-05-03T10:00:00+02:00"),
        ("2024-05-03 10:00", "2024-05-03T10:00:00"),
        ("2024/5/3", "2024-05-03"),
        ("20240503", "2024-05-03"),
        ("2024-05-03T10:00:00.123Z", "2024-05-03T10:00:00+00:00"),
        ("not a date", None),
        ("2024-13-45", None),
    ],
)
def test_iso_date(raw, iso):
    assert iso_date(raw) == iso


@pytest.mark.parametrize(
    ("lines", "names"),
    [
        (("作者：宋怡 杨志华",), ("宋怡", "杨志华")),
        (("光明日报记者 王建宏 张文攀",), ("王建宏", "张文攀")),
        (("来源：巴彦淖尔日报 编辑：苏亮",), ("苏亮",)),
        (("北约与俄罗斯高官周三召开会议",), ()),
        # A label inside a longer word is no label: 记者 in 记者会 (press conference).
        (("发言人在例行记者会上表示：",), ()),
        (("中文版本说明",), ()),
        (("文/林小溪",), ("林小溪",)),
        # The bracketed reporter credit of a wire lead counts in a long paragraph.
        (("发言人在例行记者会上表示：",
          "本报南宁3月2日电（记者林小溪、周明）发言人在例行记者会上表示，双方将在下月举行新一轮磋商，会期三天。"),
         ("林小溪", "周明")),
    ],
)
def test_find_byline_in_labelled_chinese_lines(lines, names):
    assert find_byline(lines) == names


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By Ann Lee Published: Mar 3, 2025 04:10 PM", "By Ann Lee"),
        ("Posted by: Ann Lee", "Ann Lee"),
        ("Ann Lee 3 hours ago", "Ann Lee"),
        ("By Ann Lee March 3, 2025", "By Ann Lee"),
        ("Bo Chan Tuesday, March 3, 2025 @ 4:10 PM", "Bo Chan"),
        ("Ann Lee, 30. listopadu 2025", "Ann Lee"),
        ("Last Updated: March 3, 2025", ""),
        ("Comments Print Northwind Wire, March 3, 2025", "Comments Print Northwind Wire"),
        ("Text: Ann Lee Photos: Bo Chan", "Ann Lee"),
    ],
)
def test_trim_byline_stops_at_dates_and_labels(raw, names):
    assert trim_byline(raw) == names


def test_calendar_words_are_never_names():
    assert is_calendar_name("December 1") and is_calendar_name("Nov") and is_calendar_name("Monday, March")
    assert not is_calendar_name("June Carter") and not is_calendar_name("Ann Lee")


def test_visible_byline_loses_its_date_and_label():
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    for byline, names in [
        ('<div class="byline-box">By <span class="writer_nm">Ann Lee</span> '
         '<span>Published: Mar 3, 2025 04:10 PM</span></div>', ("Ann Lee",)),
        ('<div class="byline"><a href="#c">0 Comment(s)</a> <a href="#p">Print</a> '
         "Northwind Wire, March 3, 2025</div>", ()),
    ]:
        page = f"<html><body>{byline}<article>{paras}</article></body></html>".encode()
        assert extract_page(page, "https://x.example/a").article.authors == names


def test_sitemap_keywords_fill_missing_tags():
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    page = f"<html><body><article>{paras}</article></body></html>".encode()
    art = extract_page(page, "https://x.example/a", hints=Hints(keywords=("harbour", " storms "), source="news-sitemap")).article
    assert art.tags == ("harbour", "storms")


def test_visible_time_refines_a_bare_day():
    lines = ("网络编辑 军事 2022-01-13 13:14:52 0 北约",)
    assert with_visible_time("2022-01-13", lines) == "2022-01-13T13:14:52"
    assert with_visible_time("2022-01-14", lines) == "2022-01-14"
    # Stamps split over elements, with month names, 12-hour clocks and written zones.
    assert with_visible_time("2025-03-03", (), ("2025 03/03 16:10:05",)) == "2025-03-03T16:10:05"
    assert with_visible_time("2025-03-03", (), ("Published: Mar 3, 2025 04:10 PM",)) == "2025-03-03T16:10:00"
    assert with_visible_time("2025-03-03", (), ("3 March 2025, 12:05 am",)) == "2025-03-03T00:05:00"
    assert with_visible_time("2025-03-03", ("2025-03-03 09:30 UTC",)) == "2025-03-03T09:30:00+00:00"
    assert with_visible_time("2025-03-03", ("2025-03-03 09:30 GMT+8",)) == "2025-03-03T09:30:00+08:00"
    assert with_visible_time("2025-03-03", (), ("Mar 4, 2025 04:10 PM",)) == "2025-03-03"


def test_structured_bare_day_gains_the_time_the_page_shows():
    paras = "".join(f"<p>{p}</p>" for p in PARAS)
    page = (
        '<html><head><meta name="publishdate" content="2025-03-03"></head><body>'
        '<div class="stamp"><span><b>2025</b></span><span><b>03</b>/<b>03</b></span> <span>16:10:05</span></div>'
        f"<article>{paras}</article></body></html>"
    ).encode()
    assert extract_page(page, "https://x.example/a").article.published == "2025-03-03T16:10:05"


def test_hints_fill_confirm_and_record_disagreements():
    none = reconcile("Page title", ("Page title",), None, False, "en", Hints(published="2024-01-02T03:04:05Z"))
    assert none.published == "2024-01-02T03:04:05+00:00"
    assert [d.field for d in none.disagreements] == ["published"]

    strong = reconcile("T", ("T",), "2024-01-05", True, "en", Hints(published="2024-01-02", source="sitemap"))
    assert strong.published == "2024-01-05" and strong.disagreements[0].chosen == "2024-01-05"
    weak = reconcile("T", ("T",), "2024-01-05", False, "en", Hints(published="2024-01-02", source="sitemap"))
    assert weak.published == "2024-01-02" and weak.disagreements[0].source == "sitemap"

    picked = reconcile("Short", ("Short", "The full headline"), None, False, "en", Hints(title="The full headline"))
    assert picked.title == "The full headline"
    kept = reconcile("Page headline", ("Page headline",), None, False, "en", Hints(title="Feed teaser title"))
    assert kept.title == "Page headline" and kept.disagreements[0].evidence == "Feed teaser title"

    lang = reconcile("T", ("T",), None, False, "de", Hints(language="en"))
    assert lang.disagreements[0].field == "language" and lang.disagreements[0].chosen == "de"


def test_same_day_with_time_takes_the_feed_precision():
    r = reconcile("T", ("T",), "2024-01-02", False, "en", Hints(published="2024-01-02T08:00:00+01:00"))
    assert r.published == "2024-01-02T08:00:00+01:00" and r.disagreements == ()
