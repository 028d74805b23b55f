"""A lead kept beside the headline, outside the body container, is taken back; look-alikes are not."""

from __future__ import annotations

import pytest

from extract import extract_page
from extract.credits import opens_with_dateline

BODY = [
    "The previous round ended in October without an agreement on inspection procedures at the ports of loading.",
    "According to the ministry, the delegations will discuss insurance for the ships and the schedule of inspections.",
    "The talks are expected to last two days, with a joint statement planned for Tuesday evening if the sides agree.",
    "Observers from two international organisations are also taking part in the meetings as guests of the host country.",
]
TITLE = "Grain corridor talks resume in Astana"
DATELINE_LEAD = (
    "ASTANA, December 1. /SWA/. Delegations of five countries resumed talks on the grain corridor "
    "in the Kazakh capital on Monday, the foreign ministry said."
)
SUMMARY = "Five countries are back at the table, and this time insurance for the ships is on the agenda as well."


def page(header: str, *, h1: str = f'<h1 class="news-header__title">{TITLE}</h1>', after: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return (
        f"<html><head><title>{TITLE} - Steppe Wire</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/economy'>Economy</a></nav>"
        f'<main><div class="news-header">{h1}{header}<div class="news-header__date">1 Dec 2024</div></div>'
        '<div class="share-panel"><a href="#">Share</a> <a href="#">Copy link</a></div>'
        f'<div class="text-content"><div class="text-block">{body}</div></div>{after}</main>'
        "<footer>Steppe Wire</footer></body></html>"
    ).encode("utf-8")


def text_of(html: bytes) -> list[str]:
    result = extract_page(html, "https://wire.example/en/world/1874512")
    assert result.article is not None, result.reasons
    return result.article.text.split("\n\n")


def test_dateline_lead_in_the_header_opens_the_body():
    assert text_of(page(f'<div class="news-header__text">{DATELINE_LEAD}</div>')) == [DATELINE_LEAD, *BODY]


@pytest.mark.parametrize(
    "cls", ["news-header__lead", "article-standfirst", "articleIntro", "summary", "article__preamble", "ingress", "description"]
)
def test_block_marked_as_lead_opens_the_body(cls):
    assert text_of(page(f'<p class="{cls}">{SUMMARY}</p>')) == [SUMMARY, *BODY]


def test_lead_class_on_the_parent_counts():
    assert text_of(page(f'<div class="lead"><p>{SUMMARY}</p></div>')) == [SUMMARY, *BODY]


def test_lead_found_when_markup_rules_removed_the_headline_with_its_wrapper():
    h1 = f'<div class="breadcrumbs"><a href="/world">World</a><h1>{TITLE}</h1></div>'
    assert text_of(page(f'<p class="lead">{SUMMARY}</p>', h1=h1)) == [SUMMARY, *BODY]


@pytest.mark.parametrize(
    "header",
    [
        # Prose with neither a lead class nor a dateline: a subtitle, a note.
        f"<p>{SUMMARY}</p>",
        # Captions, whatever their class says.
        f'<figure><img src="a.jpg"><figcaption class="lead">{SUMMARY}</figcaption></figure>',
        f'<div class="lead-media"><img src="a.jpg"><p class="lead">{SUMMARY}</p></div>',
        f'<p class="lead photo-credit">{SUMMARY}</p>',
        # A subtitle marked as a dek summarises rather than begins the story.
        f'<p class="c-entry-summary p-dek">{SUMMARY}</p>',
        # Mostly link text: a teaser for another story.
        f'<p class="lead"><a href="/world/1">{SUMMARY}</a></p>',
        # Too short to be prose; a publication stamp.
        '<p class="lead">Talks resume</p>',
        '<p class="lead">Published by the agency desk on 01.12.2024 at 10:15 in Astana today.</p>',
        # A standfirst repeating the body's first paragraph.
        f'<p class="lead">{BODY[0]}</p>',
    ],
)
def test_look_alikes_are_not_taken_as_the_lead(header):
    assert text_of(page(header)) == BODY


def test_datelined_teasers_after_the_body_are_not_leads():
    related = f'<div class="related"><p class="related__lead">{DATELINE_LEAD}</p></div>'
    assert text_of(page("", after=related)) == BODY


def test_no_lead_without_a_headline_to_anchor_the_header():
    html = page(f'<p class="lead">{SUMMARY}</p>', h1="<h2>Steppe Wire</h2>")
    assert text_of(html) == BODY


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("ASTANA, December 1. /TASS/. Delegations resumed talks", True),
        ("МОСКВА, 1 декабря. /ТАСС/. Президент провёл встречу", True),
        ("MOSCOW, August 8 (RIA Novosti) – Russia said", True),
        ("Berlin (dpa) - Die Regierung hat", True),
        ("WASHINGTON (Reuters) - The U.S. Senate", True),
        ("KYIV, Ukraine — Russian forces", True),
        ("【ワシントン=共同】米政府は", True),
        ("新华社北京12月1日电 国务院总理", True),
        ("The president (who) said on Monday", False),
        ("Donald Trump (R) – the former president", False),
        ("NATO said on Monday (AP) that", False),
        ("The Fed – as expected – raised rates.", False),
        ("Berlin. Die Ex-Außenministerin tritt heute", False),
    ],
)
def test_opens_with_dateline(text, dateline):
    assert opens_with_dateline(text) is dateline


def test_lead_found_when_the_main_text_opens_with_the_headline():
    # The headline sits inside the body container, so trafilatura's text starts with
    # it; the lead (a class trafilatura prunes) lies between it and the first paragraph.
    body = "".join(f"<p>{p}</p>" for p in BODY)
    html = (
        f"<html><head><title>{TITLE} - Steppe Wire</title></head><body>"
        f'<main><div class="news_content"><h1>{TITLE}</h1><div class="teaser_text">{SUMMARY}</div>{body}</div></main>'
        "</body></html>"
    ).encode("utf-8")
    assert text_of(html) == [SUMMARY, *BODY]
