"""Rules of 0.3.2: short declared articles, subtitles set in lines, tables of contents,
utility toolbars. Each test fails without its rule."""

from __future__ import annotations

import lxml.html
from lxml import etree

from extract import extract_page, text_rules
from extract.article import PageType, Rejection
from extract.forms import remove_form_fields
from extract.options import ExtractOptions
from extract.pipeline import _paragraphs, _toc_lines
from extract.widgets import remove_widgets

OPTS = ExtractOptions()
LEAD = ("Bali - The president met the chief executive on the sidelines of the water forum in Bali on Monday. "
        "The two shook hands before the meeting.")  # 134 characters: under the 200 floor, over half of it


def photo_page(lead: str = LEAD, og_type: str = "article") -> bytes:
    slides = "".join(
        f"<figure aria-hidden='true' style='opacity:0'><img src='/{i}.jpg'><figcaption>Slide {i} caption.</figcaption></figure>"
        for i in range(2, 5)
    )
    return (
        f"<html><head><title>Handshake in Bali | Photo News</title><meta property='og:type' content='{og_type}'></head>"
        f"<body><nav><a href='/'>Home</a> <a href='/photo'>Photo</a></nav><article><h1>Handshake in Bali</h1>"
        f"<div class='detail__body-text'><p>{lead}</p></div><div class='gallery'>{slides}</div></article>"
        f"<footer>Contact us</footer></body></html>"
    ).encode("utf-8")


def test_a_declared_article_with_a_short_body_of_whole_sentences_is_a_brief():
    result = extract_page(photo_page(), "https://photo.example/foto/d-1/handshake")
    assert result.rejection is None and result.page_type is PageType.ARTICLE
    assert LEAD in result.article.text
    assert any("a brief" in r for r in result.reasons)


def test_a_short_body_stays_too_short_without_article_markup_or_whole_sentences():
    undeclared = extract_page(photo_page(og_type="website"), "https://photo.example/foto/d-1/handshake")
    assert undeclared.rejection is Rejection.TOO_SHORT
    label = "Bali - The president met the chief executive on the sidelines of the water forum in Bali on Monday and"
    unfinished = extract_page(photo_page(lead=label), "https://photo.example/foto/d-1/handshake")
    assert unfinished.rejection is Rejection.TOO_SHORT
    tiny = extract_page(photo_page(lead="The two shook hands."), "https://photo.example/foto/d-1/handshake")
    assert tiny.rejection is Rejection.TOO_SHORT  # under half the floor


def test_a_wall_with_a_short_teaser_is_still_a_paywall():
    page = photo_page().replace(b"<article>", b"<div class='paywall'>Subscribe to read</div><article>")
    assert extract_page(page, "https://photo.example/foto/d-1/handshake").rejection is Rejection.PAYWALL


def test_the_lines_of_a_heading_stay_one_paragraph():
    # A subtitle set in short lines (<h2>A<br>B<br>C</h2>) was split into short
    # paragraphs that the edge-fragment rule then dropped as page furniture.
    body = etree.fromstring(
        "<body><head rend='h2'>Talks end without a deal<lb/>Rule change tabled<lb/>Deadline on Wednesday</head>"
        "<p>First line.<lb/>Second sentence after a break.</p></body>"
    )
    assert _paragraphs(body) == [
        "Talks end without a deal\nRule change tabled\nDeadline on Wednesday",
        "First line.",
        "Second sentence after a break.",
    ]
    paras, _ = text_rules.apply_rules(_paragraphs(body) + ["A closing sentence of the article, long enough."],
                                      text_rules.PageContext((), (), (), OPTS))
    assert paras[0].startswith("Talks end without a deal")


def test_table_of_contents_links_are_the_copies_of_headings_they_point_to():
    tree = lxml.html.document_fromstring(
        "<html><body><ul class='toc'><li><a href='#s1'>2/1 Dinner at Botteghin</a></li>"
        "<li><a href='#s2'>Why it matters</a></li><li><a href='#tab'>Summary</a></li></ul>"
        "<a href='#author-0'>Ann Lee</a><a href='#'>Share</a>"
        "<h2><span id='s1'>2/1 Dinner at Botteghin</span></h2><p>Text.</p><h3 id='s2'>Why it matters</h3>"
        "<div id='tab'><h3>Summary</h3></div><div id='author-0'>Ann Lee</div></body></html>"
    )
    # Tabs, author pop-ups and href="#" buttons are not a table of contents.
    assert _toc_lines(tree) == ("2/1 Dinner at Botteghin", "Why it matters")


def test_drop_repeated_labels_does_not_count_a_table_of_contents_copy():
    prose = "The committee met on Monday to review the proposal, which had been delayed twice since spring."
    paras = ["2/1 Dinner at Botteghin", prose, "Advertisement"]
    lines = ["2/1 Dinner at Botteghin", "Advertisement", "2/1 Dinner at Botteghin", prose, "Advertisement"]
    plain = text_rules.PageContext(tuple(lines), (), (), OPTS)
    with_toc = text_rules.PageContext(tuple(lines), (), (), OPTS, ("2/1 Dinner at Botteghin",))
    assert text_rules.drop_repeated_labels(paras, plain) == {0, 2}
    assert text_rules.drop_repeated_labels(paras, with_toc) == {2}


def test_remove_widgets_drops_a_utility_toolbar_with_its_popup_layers():
    prose = "".join(
        f"<p>Paragraph {i} of the article says what happened and why it matters to readers.</p>" for i in range(4)
    )
    tree = lxml.html.document_fromstring(
        "<html><body><div class='util_wrap'><div class='item_util'><button>Summary</button>"
        "<div class='view_layer'><p>An automatic summary of the article.</p></div></div>"
        "<div class='item_util'><button>Font size</button><div class='view_layer'><p>(Example) Text in this size.</p></div></div>"
        f"</div><div class='article_view'>{prose}</div><div class='utility-links'>keep me</div></body></html>"
    )
    remove_widgets(tree, OPTS)
    out = " ".join(tree.itertext())
    assert "automatic summary" not in out and "Example" not in out
    assert "Paragraph 3" in out and "keep me" in out  # "utility" is another token


def test_drop_repeated_labels_keeps_numbered_lines_the_body_itself_repeats():
    prose = "The committee met on Monday to review the proposal, which had been delayed twice since spring."
    paras = ["1. Shanghai Zoo", "Adult ticket: 40 yuan", prose, "2. Botanical Garden", "Adult ticket: 40 yuan",
             "Advertisement", prose, "Advertisement", "Our 2024 Coverage Needs You", "Our 2024 Coverage Needs You"]
    lines = paras + ["Page 2", "Page 2"]
    dropped = text_rules.drop_repeated_labels(paras, text_rules.PageContext(tuple(lines), (), (), OPTS))
    # Prices under each venue are data; "Advertisement" and a promo naming a year are labels.
    assert dropped == {5, 7, 8, 9}
    # The same priced line repeated outside the body (a sidebar) is a template label again.
    sidebar = tuple(lines) + ("Adult ticket: 40 yuan",)
    assert text_rules.drop_repeated_labels(paras, text_rules.PageContext(sidebar, (), (), OPTS)) == {1, 4, 5, 7, 8, 9}


def test_remove_form_fields_drops_markup_parked_in_a_textarea():
    tree = lxml.html.document_fromstring(
        "<html><body><p>The festival opens on Friday with a new film by the director.</p>"
        "<textarea class='atlas-html'>&lt;div class=\"pic\"&gt;&lt;img src=\"1.jpg\"&gt;&lt;/div&gt;</textarea>"
        "<form><select><option>Beijing</option><option>Shanghai</option></select></form></body></html>"
    )
    assert remove_form_fields(tree, OPTS) == 2
    out = " ".join(tree.itertext())
    assert "festival opens" in out and "<div" not in out and "Shanghai" not in out


def test_remove_widgets_spares_a_widget_class_link_inside_a_sentence():
    more = "".join(f"<p>Paragraph {i} of the story goes on about the office and the men in it.</p>" for i in range(6))
    tree = lxml.html.document_fromstring(
        "<html><body><p>He had a profound conviction that <a class='popup' href='#'>the easiest way of life"
        f" is the best</a>. Hence he never argued.</p>{more}<div class='popup'><a href='/x'>Close</a> Subscribe now</div>"
        "<p><a class='share' href='/s'>Share</a></p></body></html>"
    )
    remove_widgets(tree, OPTS)
    out = " ".join(" ".join(tree.itertext()).split())
    assert "conviction that the easiest way of life is the best . Hence" in out
    assert "Subscribe" not in out and "Share" not in out
