"""Precision rules found on Zyte's benchmark pages (second round): each on small markup."""

from __future__ import annotations

import lxml.html

from extract.cards import remove_excerpt_cards
from extract.links import remove_link_paragraphs, remove_tag_lists
from extract.options import ExtractOptions
from extract.widgets import remove_widgets

OPTS = ExtractOptions()
PROSE = [
    "The committee met on Monday to review the proposal, which had been delayed twice since spring.",
    "Members agreed that the cost estimates needed an independent check before any vote could be held.",
    "A final decision is now expected before the end of the year, the chair told reporters.",
]


def dom(html: str):
    return lxml.html.document_fromstring(html)


def text_of(tree) -> str:
    return " ".join(" ".join(tree.itertext()).split())


def test_remove_excerpt_cards_drops_a_row_of_truncated_post_openings_and_its_heading():
    # A blog's "you may also like": each related post's opening cut short, no headline
    # link; some excerpts are whole (short posts), most end in an ellipsis.
    cards = "".join(
        f"<article class='postbox'><a href='/post-{i}'><img src='{i}.jpg'></a><p>{text}</p></article>"
        for i, text in enumerate([
            "Life asks for courage to hope for the best and to make the best happen, every day …",
            "Blessed are those who walk straight paths and keep the law of the Lord …",
            "What unites a family is love, care and wanting the best for each other.",
            "Strength to win and faith to believe that every obstacle can be overcome …",
        ])
    )
    tree = dom(
        f"<html><body><article class='post'><h1>Title</h1><p>{PROSE[0]}</p><p>{PROSE[1]}</p></article>"
        f"<article class='post'><h3>You may also like...</h3>{cards}</article></body></html>"
    )
    assert remove_excerpt_cards(tree, OPTS) == 5
    text = text_of(tree)
    assert PROSE[0] in text and PROSE[1] in text
    assert "also like" not in text and "family" not in text and "courage" not in text


def test_remove_excerpt_cards_keeps_paragraphs_and_rows_of_whole_entries():
    # Paragraphs ending in an ellipsis are prose (dialogue, poems), not cards.
    trailing = "".join(f"<p>{p[:-1]} …</p>" for p in PROSE) + f"<p>{PROSE[0]} …</p>"
    tree = dom(f"<html><body><div>{trailing}</div></body></html>")
    assert remove_excerpt_cards(tree, OPTS) == 0
    # Entries of a list that end in full stops, one of them with an ellipsis: no row of excerpts.
    items = "".join(f"<li>{p}</li>" for p in PROSE) + "<li>And then the vote …</li>"
    tree = dom(f"<html><body><ul>{items}</ul></body></html>")
    assert remove_excerpt_cards(tree, OPTS) == 0


def test_remove_tag_lists_drops_rel_tag_blocks_with_their_label():
    tags = ", ".join(f"<a href='/tag/t{i}' rel='tag'>stock car {i}</a>" for i in range(4))
    items = "".join(f"<li><a href='/tag/x{i}' rel='tag'>topic {i}</a></li>" for i in range(3))
    tree = dom(
        f"<html><body><div class='body'><p>{PROSE[0]}</p><p>{PROSE[1]}</p>"
        f"<strong>Tags<br>{tags}</strong>"
        f"<div class='tags'><h4>Tagged with:</h4><ul>{items}</ul></div></div></body></html>"
    )
    assert remove_tag_lists(tree, OPTS) == 2
    text = text_of(tree)
    assert PROSE[0] in text and PROSE[1] in text
    assert "Tags" not in text and "stock car" not in text and "Tagged" not in text and "topic" not in text


def test_remove_tag_lists_keeps_a_tag_linked_inside_a_sentence():
    tree = dom(
        f"<html><body><p>{PROSE[0]}</p><p>The <a href='/tag/budget' rel='tag'>budget</a> debate"
        f" resumes next week, the chair said after the meeting.</p></body></html>"
    )
    assert remove_tag_lists(tree, OPTS) == 0
    assert "budget debate resumes" in text_of(tree)


def test_remove_link_paragraphs_drops_a_headline_link_set_as_a_block_between_paragraphs():
    card = (
        "<a class='read-more-big' href='/news/4737-other-story/'><span><span>Also on example.com</span>"
        "<span>Journalists and politicians threatened with arrests as the purge goes on</span></span></a>"
    )
    tree = dom(f"<html><body><div class='text'><p>{PROSE[0]}</p>{card}<p>{PROSE[1]}</p></div></body></html>")
    assert remove_link_paragraphs(tree, OPTS) == 1
    text = text_of(tree)
    assert PROSE[0] in text and PROSE[1] in text and "Journalists" not in text


def test_remove_link_paragraphs_keeps_block_links_that_are_sentences_or_inside_text():
    # A "click to tweet" box links the article's own sentence to a share page.
    tweet = (
        "<a href='https://twitter.com/share?text=x'><span><span>Every online business exists in"
        " its own space and time.</span><span>Click To Tweet</span></span></a>"
    )
    tree = dom(f"<html><body><div><p>{PROSE[0]}</p>{tweet}<p>{PROSE[1]}</p></div></body></html>")
    assert remove_link_paragraphs(tree, OPTS) == 0
    # A link in loose text between blocks is part of that text.
    loose = f"<div><p>{PROSE[0]}</p>See <a href='/report'>the full committee report here</a><p>{PROSE[1]}</p></div>"
    tree = dom(f"<html><body>{loose}</body></html>")
    assert remove_link_paragraphs(tree, OPTS) == 0


def test_a_removed_headline_box_takes_its_short_title_along():
    stack = "<br>".join(
        f"<a href='/news/{i}'>Headline number {i} about the ongoing protests</a> [VIDEO]" for i in range(3)
    )
    tree = dom(
        f"<html><body><div><p>{PROSE[0]}</p><p><strong>DON'T MISS</strong></p><p>{stack}</p>"
        f"<p>{PROSE[1]}</p></div></body></html>"
    )
    assert remove_link_paragraphs(tree, OPTS) == 1
    text = text_of(tree)
    assert "DON'T MISS" not in text and "Headline" not in text
    assert PROSE[0] in text and PROSE[1] in text


def test_a_title_stays_when_a_single_link_line_under_it_goes_or_it_is_a_sentence():
    # A subheading over a one-link line (a product) is the article's own heading.
    tree = dom(
        f"<html><body><div><p>{PROSE[0]}</p><p>Drink during your workout</p>"
        f"<p><a href='/shop/hydrate'>Performance Hydrate</a></p><p>{PROSE[1]}</p></div></body></html>"
    )
    assert remove_link_paragraphs(tree, OPTS) == 1
    assert "Drink during your workout" in text_of(tree)
    stack = "<br>".join(f"<a href='/n/{i}'>Headline number {i} about the ongoing protests</a>" for i in range(3))
    tree = dom(f"<html><body><div><p>{PROSE[0]}</p><p>{PROSE[2]}</p><p>{stack}</p></div></body></html>")
    assert remove_link_paragraphs(tree, OPTS) == 1
    assert PROSE[2] in text_of(tree)


def test_remove_widgets_drops_a_sidebar_but_not_a_sidebar_layout_grid():
    latest = "".join(
        f"<div class='item'><a href='/news/{i}'>Latest headline number {i}</a> A one-line summary {i}.</div>"
        for i in range(4)
    )
    tree = dom(
        f"<html><body><table><tr><td class='main'>{''.join(f'<p>{p}</p>' for p in PROSE * 3)}</td>"
        f"<td class='sidebar puzzle_right'><strong>Latest news</strong>{latest}</td></tr></table></body></html>"
    )
    assert remove_widgets(tree, OPTS) == 1
    text = text_of(tree)
    assert PROSE[0] in text and "Latest" not in text
    # BEM names of a grid that puts a sidebar beside the article: the content cell stays.
    tree = dom(
        f"<html><body><div class='story'>{''.join(f'<p>{p}</p>' for p in PROSE * 3)}</div>"
        f"<div class='sidebar-grid__content'><p>The grid's own cell.</p></div>"
        f"<div class='l-sidebar'>Most read</div></body></html>"
    )
    assert remove_widgets(tree, OPTS) == 1
    assert "grid's own cell" in text_of(tree) and "Most read" not in text_of(tree)


def test_drop_edge_fragments_drops_a_closing_line_that_trails_off():
    from extract import text_rules

    context = text_rules.PageContext((), (), (), OPTS)
    paras = [PROSE[0], PROSE[1], "Tell us what YOU think..."]
    assert text_rules.drop_edge_fragments(paras, context) == {2}
    assert text_rules.drop_edge_fragments([PROSE[0], PROSE[1], "You may also like…"], context) == {2}
    # One word trailing off is a cut sentence (a paywall's), and a line opening the
    # text is judged as before; a short sentence with its own stop stays.
    assert text_rules.drop_edge_fragments([PROSE[0], PROSE[1], "All..."], context) == set()
    assert text_rules.drop_edge_fragments([PROSE[0], "It rained. Then..."], context) == set()


def test_remove_widgets_drops_the_schema_org_date_stamp_but_not_a_date_in_a_sentence():
    tree = dom(
        f"<html><body><div itemprop='articleBody'><h1>Calendar 2018</h1>"
        f"<span class='data' itemprop='datePublished'>Monday, 22 January 2018 at 0:13</span>"
        f"<p>{PROSE[0]}</p><p>The vote was held on <time itemprop='dateModified'>May 3</time> after"
        f" a long debate in the chamber.</p><p>{PROSE[1]}</p></div></body></html>"
    )
    assert remove_widgets(tree, OPTS) == 1
    text = text_of(tree)
    assert "22 January" not in text and "held on May 3 after" in text and PROSE[0] in text


def test_remove_widgets_drops_schema_org_comments_however_many_paragraphs():
    # A long reply of four paragraphs passes the "holds main text" guard that keeps
    # articles under widget-like class names; typed as a Comment it is still a comment.
    reply = "".join(f"<p>{p} {p}</p>" for p in PROSE) + f"<p>{PROSE[0]}</p>"
    article = "".join(f"<p>{p} {p}</p>" for p in PROSE * 6)
    tree = dom(
        f"<html><body><article>{article}</article><ol class='comment-list'>"
        f"<li class='comment'><article itemscope itemtype='https://schema.org/Comment'>"
        f"<cite>Reader</cite><div class='comment-content'>{reply}</div></article></li></ol></body></html>"
    )
    remove_widgets(tree, OPTS)
    text = text_of(tree)
    assert "Reader" not in text and text.count(PROSE[2]) == 12 and text.count(PROSE[0]) == 12


def test_drop_title_repeats_drops_the_headline_repeated_among_the_closing_lines():
    from extract import text_rules

    title = "Chelsea activate release clause to sign keeper from Athletic Bilbao"
    context = text_rules.PageContext((), (title.casefold(),), (), OPTS)
    paras = [PROSE[0], PROSE[1], PROSE[2], PROSE[0], title, "Blog name August 08, 2018"]
    assert text_rules.drop_title_repeats(paras, context) == {4}
    # Followed by prose, the repeat is the text's own (a quoted headline, a section).
    paras = [PROSE[0], PROSE[1], PROSE[2], title, PROSE[1]]
    assert text_rules.drop_title_repeats(paras, context) == set()


def test_drop_edge_fragments_drops_a_leading_filing_line_of_date_and_labelled_fields():
    from extract import text_rules

    context = text_rules.PageContext((), (), (), OPTS)
    meta = "05/10/2018 - Posted by: Ann Lee - Category: Health - Tags: clinic break-in vehicle"
    assert text_rules.drop_edge_fragments([meta, PROSE[0], PROSE[1]], context) == {0}
    # A sentence with labels is the text's; so is a line with labels but no date.
    said = "Updated: 05/10/2018. Officials said: the clinic reopens on Monday after repairs."
    assert text_rules.drop_edge_fragments([said, PROSE[0], PROSE[1]], context) == set()
    labels = "Venue: the old town hall and the new annex - Entry: free for residents and members"
    assert text_rules.drop_edge_fragments([labels, PROSE[0], PROSE[1]], context) == set()


def test_a_list_emptied_of_its_headline_links_takes_its_title_along():
    related = "".join(
        f"<li><span></span><h3><a href='/news/{i}'>Related headline number {i} on the markets</a></h3></li>"
        for i in range(2)
    )
    tree = dom(
        f"<html><body><div class='story'><p>{PROSE[0]}</p><div class='section-title'><h2>related news</h2></div>"
        f"<ul class='editor_list'>{related}</ul><p>{PROSE[1]}</p></div></body></html>"
    )
    assert remove_link_paragraphs(tree, OPTS) >= 2  # the items and their headings
    text = text_of(tree)
    assert "related news" not in text and "Related headline" not in text
    assert PROSE[0] in text and PROSE[1] in text
