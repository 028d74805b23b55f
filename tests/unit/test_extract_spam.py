"""No SEO spam: real pages of the corpus with spam injected by a seeded generator.

``extract.spamgen`` injects, at seeded places inside the article container, a link farm
(anchors separated by bars or spaces, with or without a label), a bracketed keyword run
glued to the front of ``<title>``, a hidden keyword block (inline style, a class hidden
by a ``<style>`` rule, ``hidden``, ``aria-hidden``) and a spider-pool run of place names.
Keywords are random, so nothing here passes by knowing words. Every injected keyword
must stay out of the title and the text, and the body of the clean page must be kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import extract_page
from extract.evaluation import load_corpus
from extract.scoring import body_score
from extract.spamgen import inject_spam

SUBSET = Path(__file__).resolve().parents[1] / "fixtures" / "corpus_subset"
SENTENCES = (
    "The harbour board approved a plan on Monday to repair the northern breakwater after the storms.",
    "Work will begin in March and is expected to last until the end of the summer, the board said.",
    "Fishing boats will keep using the inner basin while the outer berths are closed for the works.",
    "The ferry timetable will not change, although passengers may see delays on windy afternoons.",
    "Repairs are paid for from the reserve fund and a grant from the regional government in Bergen.",
    "Residents asked why the work could not start earlier, given the damage reported two winters ago.",
)
ZH_SENTENCES = (
    "港口管理局周一批准了修复北防波堤的计划，该防波堤在去年冬天的风暴中受损。",
    "工程将于三月开始，预计持续到夏末，管理局在声明中表示。",
    "外港泊位关闭期间，渔船将继续使用内港，渡轮时刻表不会改变。",
    "修复费用来自港口储备基金和地区政府的一笔拨款。",
    "一些居民询问为何工程不能更早开始，因为两年前就已发现裂缝。",
)


def story(sentences: tuple[str, ...] = SENTENCES) -> list[str]:
    return [f"<p>{s}</p>" for s in sentences]


def with_inserted(block: str, head: str = "", sentences: tuple[str, ...] = SENTENCES, at: int = 3):
    """The story's text as extracted with ``block`` inserted after paragraph ``at``."""
    paras = story(sentences)
    page = f"<html><head>{head}</head><body><article>{''.join(paras[:at])}{block}{''.join(paras[at:])}</article></body></html>"
    return extract_page(page.encode(), "https://x.example/a").article.text
PAGES = [p for p in load_corpus(SUBSET) if inject_spam(p.body, 0, p.gold) is not None]
SEEDS = (11, 29)


def test_the_generator_covers_the_subset_and_is_deterministic():
    assert len(PAGES) >= 30
    page = PAGES[0]
    assert inject_spam(page.body, 5, page.gold) == inject_spam(page.body, 5, page.gold)
    assert inject_spam(page.body, 5, page.gold) != inject_spam(page.body, 6, page.gold)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_injected_spam_stays_out_and_the_body_stays(page, seed):
    injected = inject_spam(page.body, seed, page.gold)
    clean = extract_page(injected.clean, page.url).article
    spammed = extract_page(injected.body, page.url).article
    assert spammed is not None, "a real story with spam in it is still an article"
    clean_text, clean_title = (clean.text, clean.title or "") if clean else ("", "")
    leaked = [t for t in injected.tokens
              if (t in spammed.text and t not in clean_text) or (t in (spammed.title or "") and t not in clean_title)]
    assert leaked == [], f"injected keywords leaked: {leaked[:5]}"
    for line in injected.strings:
        assert line not in spammed.text and line not in (spammed.title or "")
    kept = body_score(spammed.text, clean_text)
    # Kept: the clean page's body is all there; on a short page one template line more
    # or less at an edge is within the margin.
    assert kept.recall >= 0.95 and kept.precision >= 0.9, kept


@pytest.mark.parametrize("separator", [" | ", "|", " ", "｜", " · "])
@pytest.mark.parametrize("label", ["", "友情链接：", "Partner sites: "])
def test_link_farm_paragraph_dropped_wherever_it_sits(separator, label):
    farm = label + separator.join(f'<a href="http://s{i}.example.top/">站点{i}号</a>' for i in range(8))
    for where in range(len(SENTENCES) + 1):
        assert with_inserted(f"<p>{farm}</p>", at=where) == "\n\n".join(SENTENCES)


def test_a_sentence_that_links_names_is_kept():
    linked = "<p>Towns hit include <a>Alden</a>, <a>Brook</a>, <a>Carver</a> and <a>Dunmore</a>, officials said.</p>"
    assert "Towns hit include Alden, Brook, Carver and Dunmore" in with_inserted(linked)


def test_bracketed_title_prefix_is_cut_unless_the_headline_carries_it():
    body = "".join(story())
    page = ("<html><head><title>【彩票-足球-娱乐城】Harbour board approves breakwater repairs</title></head>"
            f"<body><h1>Harbour board approves breakwater repairs</h1><article>{body}</article></body></html>")
    assert extract_page(page.encode(), "https://x.example/a").article.title == "Harbour board approves breakwater repairs"
    og = page.replace("<h1>Harbour board approves breakwater repairs</h1>", "").replace(
        "<head>", '<head><meta property="og:title" content="Harbour board approves breakwater repairs">')
    assert extract_page(og.encode(), "https://x.example/a").article.title == "Harbour board approves breakwater repairs"
    own = page.replace("<h1>Harbour", "<h1>【彩票-足球-娱乐城】Harbour")
    assert extract_page(own.encode(), "https://x.example/a").article.title.startswith("【彩票-足球-娱乐城】")


@pytest.mark.parametrize("hiding", [
    '<div style="display:none">{}</div>',
    '<p hidden>{}</p>',
    '<div aria-hidden="true">{}</div>',
    '<div class="kwbox">{}</div>',
    '<div id="kwbox">{}</div>',
])
def test_hidden_text_stays_out(hiding):
    keywords = "Zorvex Quatril Pixmon Selrak Tivzen Brokam Lumdor Vextri"
    style = "<style>.kwbox{display:none} #kwbox{visibility:hidden}</style>"
    assert with_inserted(hiding.format(keywords), style, at=2) == "\n\n".join(SENTENCES)


def test_responsive_text_is_not_taken_for_hidden():
    style = "<style>.hidden{display:none} @media (min-width:768px){.md\\:block{display:block}}</style>"
    shown = '<div class="hidden md:block"><p>The board said the new wall will be built with granite from Larvik.</p></div>'
    assert "granite from Larvik" in with_inserted(shown, style)


def test_place_name_runs_go_but_prose_lists_stay():
    run = "<p>" + " ".join(["北京", "上海", "广州", "深圳", "杭州", "南京", "武汉", "成都", "重庆", "西安"]) + "</p>"
    assert with_inserted(run, sentences=ZH_SENTENCES, at=2) == "\n\n".join(ZH_SENTENCES)
    checklist = "<p>我的问题： 圣经的原理 环境的带领 肢体的劝告 行动的动机 心中的负担 自己的能力 行动的后果</p>"
    assert "环境的带领" in with_inserted(checklist, sentences=ZH_SENTENCES, at=2)
