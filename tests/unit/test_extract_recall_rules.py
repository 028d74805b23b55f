"""Recall rules: article text that noise rules took for page furniture stays (each test fails without its rule)."""

from __future__ import annotations

from lxml import html as lxml_html

from extract import extract_page, text_rules
from extract.links import remove_link_lists, remove_link_paragraphs
from extract.options import ExtractOptions

STORY = (
    "The regional council voted on Tuesday to replace the two ageing ferries that link the harbour with the islands. "
    "The new vessels will run on batteries charged at the quay overnight, cutting fuel costs by almost half. "
    "Islanders have complained for years about cancelled crossings whenever one of the old boats was in repair. "
    "Construction is due to start next spring at a yard in the north, with the first ferry in service by 2027. "
)


def _text(tree) -> str:
    return " ".join(" ".join(tree.itertext()).split())


def test_page_wrapper_mostly_of_menu_links_keeps_its_short_story():
    # A short story inside the wrapper that also holds long menus: the wrapper is
    # mostly link text, but it holds a story of its own; only the menus go.
    menu = "".join(f"<li><a href='/topic/{i}'>Topic number {i} in the menu</a></li>" for i in range(150))
    tree = lxml_html.fromstring(
        "<html><body><div id='main'>"
        f"<div class='menu'><ul>{menu}</ul></div>"
        f"<div class='article'><h1>Ferries</h1><div class='content'>{STORY * 3}</div></div>"
        "</div></body></html>"
    )
    remove_link_lists(tree, ExtractOptions())
    text = _text(tree)
    assert "The regional council voted" in text
    assert "Topic number 5" not in text


def _ctx(page_lines=(), site_names=()):
    return text_rules.PageContext(tuple(page_lines), (), tuple(site_names), ExtractOptions())


def test_short_list_after_two_sentences_of_text_is_the_articles_list():
    paras = [
        "The council announced the winners of this year's harbour grants on Tuesday.",
        "Five groups were chosen from more than forty applications.",
        "The selected groups are:",
        "Harbour Rowing Club, North Quay",
        "Island Youth Sailing, Eastport",
        "Friends of the Lighthouse, Point Hill",
        "Each group will receive up to 20,000 euros for its project over the next two years.",
    ]
    assert text_rules.drop_label_runs(paras, _ctx()) == set()


def test_share_bar_under_the_headline_still_goes():
    paras = ["Share", "Tweet", "Email", "The council announced the winners of this year's harbour grants on Tuesday."]
    assert text_rules.drop_label_runs(paras, _ctx()) == {0, 1, 2}


URL = "https://gazette.example/deals/2024/05/14/harbour-deals"


def test_containers_opening_text_before_its_first_block_is_kept():
    # The story's opening paragraph is the container's own text, before its first
    # heading: trafilatura reads such a container block by block and lost it.
    items = "".join(
        f"<h2>Harbour item number {i} for sale this week</h2>"
        f"<p>{STORY.split('. ')[i % 4]}. It is the best offer we have seen on it this year, and it will not last long.</p>"
        for i in range(4)
    )
    html = (
        "<html><head><title>Harbour deals | Harbour Gazette</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/deals'>Deals</a> <a href='/local'>Local</a></nav>"
        "<main><article><h1>Harbour deals</h1><div class='article-content'>"
        "<section class='article-page'>We bring you the best offers we have found today around the harbour, "
        "<a href='/guide'>checked by our team</a>, and several have dropped in price already."
        f"{items}</section></div></article></main></body></html>"
    ).encode()
    result = extract_page(html, URL)
    assert result.article is not None, result.reasons
    assert result.article.text.startswith("We bring you the best offers we have found today around the harbour, checked by")


def test_words_with_vowel_signs_and_diacritics_count_once():
    # Devanagari vowel signs and Arabic harakat are combining marks: part of the word,
    # not breaks between words (a line of eleven words is no teaser-length sentence).
    assert text_rules._units("हिन्दी समाचार") == 2
    assert text_rules._units("ٱلْعِلْمُ نُورٌ يُضِيءُ") == 3


def test_parallel_lines_of_a_quotation_with_diacritics_are_not_teasers():
    first = "ٱلْعِلْمُ نُورٌ يُضِيءُ ٱلطَّرِيقَ لِلنَّاسِ وَٱلْجَهْلُ ظَلَامٌ يُغَطِّي ٱلطَّرِيقَ عَنِ ٱلنَّاسِ"
    second = "ٱلْجَهْلُ ظَلَامٌ يُغَطِّي ٱلطَّرِيقَ عَنِ ٱلنَّاسِ وَٱلْعِلْمُ نُورٌ يُضِيءُ ٱلطَّرِيقَ لِلنَّاسِ"
    paras = [
        "Sebuah pepatah lama yang sering dikutip oleh para guru di sekolah kami berbunyi sebagai berikut:",
        first,
        second,
        "Artinya, ilmu adalah cahaya yang menerangi jalan bagi manusia, sedangkan kebodohan adalah kegelapan.",
    ]
    assert text_rules.drop_teasers(paras, _ctx()) == set()


def test_titled_about_section_closing_a_press_release_stays():
    about = (
        "Acme Robotics builds warehouse robots for retailers and logistics companies in Europe and North America. "
        "Founded in 2012, the company employs 300 people in offices in Lyon, Rotterdam and Chicago, and its robots "
        "move more than two million parcels a day for customers ranging from grocers to fashion brands."
    )
    paras = [
        "Acme Robotics today announced a partnership with a large Dutch grocer to automate its three distribution centres.",
        "The Acme platform includes a fleet manager and a picking robot that works beside people on the same shelves.",
        "About Acme Robotics",
        about,
    ]
    assert text_rules.drop_self_promotion(paras, _ctx(site_names=["Acme Robotics"])) == set()


def test_trailing_promo_naming_the_outlet_still_goes():
    paras = [
        "The council announced the winners of this year's harbour grants on Tuesday.",
        "Each group will receive up to 20,000 euros for its project over the next two years.",
        "Follow Harbour Gazette on social media for the latest local news.",
    ]
    assert text_rules.drop_self_promotion(paras, _ctx(site_names=["Harbour Gazette"])) == {2}


def test_source_line_beside_a_block_quote_stays():
    tree = lxml_html.fromstring(
        "<html><body><div class='post'>"
        "<p>Reviewers were not impressed by the new streaming service.</p>"
        "<p><strong>[</strong><a href='https://reviews.example/a'><strong>Review Weekly</strong></a><strong>]</strong></p>"
        "<blockquote><p>It works, mostly, but it is hard to see who it is for at this price.</p></blockquote>"
        "<p>Read more: <a href='/2024/05/other-story'>Council approves the new harbour ferries</a></p>"
        "<p>Others were kinder to it.</p>"
        "</div></body></html>"
    )
    remove_link_paragraphs(tree, ExtractOptions())
    text = _text(tree)
    assert "Review Weekly" in text
    assert "Council approves" not in text
