"""Each noise rule on its own: text that must appear and text that must be gone."""

from __future__ import annotations

import lxml.html
import pytest

from extract import text_rules
from extract.cards import remove_teaser_cards
from extract.hidden import remove_hidden
from extract.links import remove_link_lists, remove_link_paragraphs
from extract.options import ExtractOptions
from extract.widgets import remove_widgets

OPTS = ExtractOptions()
PROSE = [
    "The committee met on Monday to review the proposal, which had been delayed twice since spring.",
    "Members agreed that the cost estimates needed an independent check before any vote could be held.",
    "A final decision is now expected before the end of the year, the chair told reporters.",
]


def ctx(page_lines=(), headlines=(), site_names=()):
    return text_rules.PageContext(tuple(page_lines), tuple(headlines), tuple(site_names), OPTS)


def dom(html: str):
    return lxml.html.document_fromstring(html)


def text_of(tree) -> str:
    return " ".join(" ".join(tree.itertext()).split())


# --- markup rules -------------------------------------------------------------------


def test_remove_hidden_drops_invisible_spam_keeps_visible_text():
    tree = dom(
        f"<html><body><p>{PROSE[0]}</p><div style='display: none'>cheap pills casino bonus</div>"
        f"<div style='position:absolute; left:-9999px'><a href='#'>farm</a></div><span hidden>secret</span>"
        f"<p>{PROSE[1]}</p></body></html>"
    )
    assert remove_hidden(tree, OPTS) == 3
    out = text_of(tree)
    assert PROSE[0] in out and PROSE[1] in out
    assert "casino" not in out and "farm" not in out and "secret" not in out


def test_remove_hidden_spares_an_article_hidden_until_scripts_run():
    paras = "".join(f"<p>{p}</p>" for p in PROSE)
    tree = dom(f"<html><body><div style='display:none' class='paywalled'>{paras}</div></body></html>")
    assert remove_hidden(tree, OPTS) == 0
    assert PROSE[2] in text_of(tree)


def test_remove_widgets_by_class_token_not_substring():
    tree = dom(
        f"<html><body><div class='share-bar'>Share on X Print</div><div class='font-size'>A+ A-</div>"
        f"<div id='comments'>Post a comment</div><div class='newsletter'>Sign up</div>"
        f"<div class='shared-content'><p>{PROSE[0]}</p></div></body></html>"
    )
    remove_widgets(tree, OPTS)
    out = text_of(tree)
    assert PROSE[0] in out  # "shared" is not the token "share"
    for gone in ("Share on X", "A+", "Post a comment", "Sign up"):
        assert gone not in out


def test_remove_link_lists_drops_navigation_and_link_farms():
    farm = " | ".join(f"<a href='/{i}'>town {i}</a>" for i in range(12))
    tree = dom(f"<html><body><p>{PROSE[0]} <a href='/x'>details</a></p><div>{farm}</div></body></html>")
    remove_link_lists(tree, OPTS)
    out = text_of(tree)
    assert PROSE[0] in out and "town 3" not in out


def test_remove_link_paragraphs_drops_read_also_teasers_keeps_prose_with_a_link():
    tree = dom(
        f"<html><body><p><b>READ ALSO:</b> <a href='/y'>Minister resigns after row over budget leak</a></p>"
        f"<p>{PROSE[1]} <a href='/z'>report</a></p></body></html>"
    )
    remove_link_paragraphs(tree, OPTS)
    out = text_of(tree)
    assert PROSE[1] in out and "Minister resigns" not in out


def _cards(n: int = 3) -> str:
    return "".join(
        f"<li><div class='meta'>Agency · {i} days ago</div><h3><a href='/story/{i}'>Storm number {i} closes the coast road again</a></h3>"
        f"<p>Crews worked through the night to clear the road after the storm, the council said on day {i}.</p></li>"
        for i in range(n)
    )


def test_remove_teaser_cards_drops_a_more_stories_stream_of_headline_cards():
    # Each card is mostly summary prose, so the stream's link density is low and
    # remove_link_lists keeps it; every card is built around its own headline link.
    tree = dom(f"<html><body><article><p>{PROSE[0]}</p><p>{PROSE[1]}</p></article>"
               f"<section><h2>More stories</h2><ul>{_cards()}</ul></section></body></html>")
    remove_link_lists(tree, OPTS)
    assert "Crews worked" in text_of(tree)
    assert remove_teaser_cards(tree, OPTS) == 3
    out = text_of(tree)
    assert PROSE[0] in out and PROSE[1] in out
    assert "Storm number" not in out and "Crews worked" not in out


def test_remove_teaser_cards_needs_three_cards_to_different_pages():
    tree = dom(f"<html><body><p>{PROSE[0]}</p><ul>{_cards(2)}</ul></body></html>")
    assert remove_teaser_cards(tree, OPTS) == 0
    same = _cards(3).replace("/story/1", "/story/0").replace("/story/2", "/story/0")
    tree = dom(f"<html><body><p>{PROSE[0]}</p><ul>{same}</ul></body></html>")
    assert remove_teaser_cards(tree, OPTS) == 0


def test_remove_teaser_cards_keeps_prose_links_references_tables_and_feature_lists():
    prose = "".join(
        f"<div><p>What is the <a href='/a{i}'>status report on the new harbour wall</a>, three months in?</p></div>"
        for i in range(3)
    )
    references = "<ol>" + "".join(
        f"<li>^ <a href='https://ref{i}.example/'>Harbour wall report, part {i}, council archive</a></li>" for i in range(3)
    ) + "</ol>"
    table = "<table>" + "".join(
        f"<tr><td><a href='/film{i}'>The Long Night Number {i}</a></td><td>199{i}</td><td>A short plot summary.</td></tr>"
        for i in range(3)
    ) + "</table>"
    features = "<ul>" + "".join(
        f"<li><h3>Tool {i}</h3><p>Inspect and edit the page. <a href='/tool{i}'>Learn more about tool {i}</a></p></li>"
        for i in range(3)
    ) + "</ul>"
    tree = dom(f"<html><body>{prose}{references}{table}{features}</body></html>")
    before = text_of(tree)
    assert remove_teaser_cards(tree, OPTS) == 0
    assert text_of(tree) == before


# --- paragraph rules ----------------------------------------------------------------


def test_drop_separator_runs_keyword_and_place_name_lists_at_the_edges():
    places = "| ".join(f"Town{i}" for i in range(20))
    keywords = ", ".join(f"kw{i} offer" for i in range(8))
    paras = [keywords, PROSE[0], PROSE[1], PROSE[2], places]
    assert text_rules.drop_separator_runs(paras, ctx()) == {0, 4}


def test_drop_separator_runs_keeps_a_list_inside_the_article():
    towns = "Miyazaki: " + "、".join(f"町{i}" for i in range(12))
    paras = [PROSE[0], PROSE[1], towns, PROSE[2], PROSE[0], PROSE[1], PROSE[2]]
    assert text_rules.drop_separator_runs(paras, ctx()) == set()


def test_drop_separator_runs_keeps_enumerations_in_prose():
    prose = "The delegation visited Paris, Lyon, Lille, Nantes, Nice and Bordeaux, meeting mayors in each city before returning home."
    assert text_rules.drop_separator_runs([prose], ctx()) == set()


def test_drop_separator_runs_footer_and_toolbar_rows_at_the_edges():
    footer = "ChinaRen - 搜狐招聘 - 网站登录 - 网站建设 - 设置首页 - 广告服务 - 联系方式 - 保护隐私权 - About SOHU"
    toolbar = "页面功能 【我来说两句】【热点排行】【推荐】【字体：大 中 小】【打印】 【收藏】 【关闭】"
    paras = [PROSE[0], PROSE[1], PROSE[2], toolbar, footer]
    assert text_rules.drop_separator_runs(paras, ctx()) == {3, 4}
    # Inside the body such a row may be the article's; results ("Name - 9") are data.
    inside = [PROSE[0], PROSE[1], PROSE[2], footer, PROSE[0], PROSE[1], PROSE[2]]
    assert text_rules.drop_separator_runs(inside, ctx()) == set()
    results = "Autohaus Pulz - 9 11. Matej Fryza - 6 (2,1,w,1,2) 12. Stepan Melc - 3+1 (0,0,2,0,1*) 13. Jan Novak - 2 (1,1)"
    assert text_rules.drop_separator_runs([PROSE[0], PROSE[1], results], ctx()) == set()


def test_drop_stamped_tail_drops_a_closing_list_of_dated_headlines():
    related = [
        "v 为同门兄弟途胜让路 现代集团叫停狮跑上市活动 2005-07-13 09:00:04",
        "v 国产途胜全面进场 北京现代4S店经销商喜上眉梢 2005-07-11 15:02:26",
        "·富夫妻望子成龙假离婚 三月后丈夫另娶妻子傻眼（2005-04-03 17:19PM）",
    ]
    notice = "未经本网书面特别授权，请勿转载或建立镜像，违者依法必究"
    paras = [PROSE[0], PROSE[1], "相关报道", *related, notice]
    assert text_rules.drop_stamped_tail(paras, ctx()) == {2, 3, 4, 5, 6}
    # Two dated lines are not a listing; a chronology puts its dates first.
    assert text_rules.drop_stamped_tail([PROSE[0], PROSE[1], *related[:2]], ctx()) == set()
    chronology = ["2005-07-13 09:00 The plant reopened.", "2005-07-14 10:00 Workers returned.", "2005-07-15 The first cars left."]
    assert text_rules.drop_stamped_tail([PROSE[0], *chronology], ctx()) == set()


def test_drop_repeated_labels_only_short_lines_seen_twice_on_the_page():
    paras = ["Advertisement", PROSE[0], "Analysis"]
    lines = ["Advertisement", "Menu", "Advertisement", PROSE[0], "Analysis"]
    assert text_rules.drop_repeated_labels(paras, ctx(page_lines=lines)) == {0}


def test_drop_teasers_keeps_the_full_later_paragraph():
    body = "Leaders met on Friday on the sidelines of the summit and reaffirmed their close ties in the face of pressure, prompting wide attention."
    teaser = "Leaders met on Friday on the sidelines of the summit and reaffirmed their close ties in the face of pressure…reports Daily Planet"
    paras = [teaser, PROSE[0], body]
    assert text_rules.drop_teasers(paras, ctx()) == {0}
    assert text_rules.drop_teasers([PROSE[0], PROSE[0]], ctx()) == set()  # exact repeats are the author's


def test_drop_title_repeats():
    paras = ["Original title: Talks to continue despite differences", PROSE[0]]
    assert text_rules.drop_title_repeats(paras, ctx(headlines={"talks to continue despite differences"})) == {0}


def test_drop_foreign_script_edges_injected_spam_and_disclaimers():
    zh = ["北约与俄罗斯高官周三召开会议，试图弥合分歧。", "克里姆林宫周三表示，俄罗斯没有发出最后通牒。", "双方同意继续对话。"]
    paras = ["日韩午夜精品视频,欧美私密网站", *PROSE, "主站蜘蛛池模板: 富锦市| 雅安市"]
    assert text_rules.drop_foreign_script_edges(paras, ctx()) == {0, 4}
    disclaimer = "copyright protection: all articles are reproduced for learning and communication only"
    assert text_rules.drop_foreign_script_edges([*zh, disclaimer], ctx()) == {3}


def test_drop_edge_fragments_keeps_headings_inside_the_body():
    paras = ["Trending Photos", PROSE[0], "A new plan", PROSE[1], "Live Tv", "Post a Comment"]
    assert text_rules.drop_edge_fragments(paras, ctx()) == {0, 4, 5}


def test_drop_self_promotion_only_at_the_end_and_only_at_its_edges():
    promo = "Stay informed on all the latest news and follow the headlines on Daily Planet."
    cites = "The minister told the Daily Planet that talks would resume in the autumn, after the budget."
    assert text_rules.drop_self_promotion([PROSE[0], cites, promo], ctx(site_names=["Daily Planet"])) == {2}


def test_drop_label_runs_share_bars_near_the_top_only():
    paras = [PROSE[0], "Post", "See everyone's posts", "Share", "Bookmark", PROSE[1], "Background", PROSE[2]]
    assert text_rules.drop_label_runs(paras, ctx()) == {1, 2, 3, 4}
    assert text_rules.drop_label_runs([PROSE[0], "Background", PROSE[1], "Reaction", PROSE[2]], ctx()) == set()


def test_drop_copyright_lines_only_trailing():
    paras = [PROSE[0], "Copyright © 2024 Daily Planet Ltd. All rights reserved.", PROSE[1], "© Daily Planet", "(c) 2024 Planet Media"]
    assert text_rules.drop_copyright_lines(paras, ctx()) == {3, 4}


def test_drop_without_letters():
    assert text_rules.drop_without_letters(["0", "12 | 34", PROSE[0]], ctx()) == {0, 1}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('[soliloquy id="151345"]', ""),
        ("[gallery ids='1,2,3'] Photos from the day.", "Photos from the day."),
        ("Caption text [/caption]", "Caption text"),
        ("“The message [media coverage] was negative,” he said.", "“The message [media coverage] was negative,” he said."),
    ],
)
def test_strip_shortcodes_but_not_editorial_brackets(before, after):
    assert text_rules.strip_shortcodes([before], ctx()) == [after]


def test_apply_rules_reports_what_each_rule_removed():
    kept, removed = text_rules.apply_rules(["Advertisement", *PROSE, "0"], ctx(page_lines=["Advertisement"] * 2))
    assert kept == PROSE
    assert removed["drop_without_letters"] == ["0"]
