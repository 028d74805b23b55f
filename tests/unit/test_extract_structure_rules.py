"""Structure-based rules end to end: article structure that looks like noise stays, noise set as text goes."""

from __future__ import annotations

import pytest

from extract import extract_page

URL = "https://gazette.example/local/2024/05/14/harbour-story"


def page(body: str, *, title: str, header: str = "", after: str = "") -> bytes:
    return (
        f"<html><head><title>{title} | Harbour Gazette</title></head><body>"
        "<header><nav><a href='/'>Home</a> <a href='/local'>Local</a> <a href='/travel'>Travel</a></nav></header>"
        f"<main><article><div class='article-header'><h1>{title}</h1>{header}"
        "<time datetime='2024-05-14T09:00:00+02:00'>14 May 2024</time></div>"
        f"<div class='article-body'>{body}</div>{after}</article></main>"
        "<footer><p>Harbour Gazette, 12 Quay Street</p></footer></body></html>"
    ).encode()


def paras(*texts: str) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def text_of(html: bytes) -> str:
    result = extract_page(html, URL)
    assert result.article is not None, result.reasons
    return result.article.text


FERRY = [
    "The regional council voted on Tuesday to replace the two ageing ferries that link the harbour with the islands.",
    "The new vessels will run on batteries charged at the quay overnight, cutting fuel costs by almost half.",
    "Islanders have complained for years about cancelled crossings whenever one of the old boats was in repair.",
    "Construction is due to start next spring at a yard in the north, with the first ferry in service by 2027.",
]


# --- lead outside the body container -----------------------------------------------


def test_script_inside_the_standfirst_is_not_part_of_the_lead():
    # Ad and analytics tags are dropped into the standfirst block; their code would
    # otherwise become the lead's words and open the article.
    summary = "Two battery ferries will replace the island boats, and the council says the crossings will be cheaper as well."
    header = (
        f"<p class='article-standfirst'>{summary}"
        "<script>window.dataLayer = window.dataLayer || []; dataLayer.push({'event': 'standfirst_view', 'section': 'local'});</script></p>"
    )
    text = text_of(page(paras(*FERRY), title="Council votes for battery ferries", header=header))
    assert text.split("\n\n") == [summary, *FERRY]


# --- paragraph rules ----------------------------------------------------------------


CONCERT = [
    "The orchestra returns to the harbour hall in June for the first time since the roof was rebuilt last year.",
    "The programme opens with a new piece by a local composer and closes with Sibelius's second symphony.",
    "Tickets go on sale on Friday morning at the box office and online, the organisers said on Monday.",
]


@pytest.mark.parametrize(
    "closing",
    [
        # Prices: a label and its value on each line.
        ["VIP: 60,000 won", "R seat: 40,000 won", "S seat: 30,000 won", "Students: half price"],
        # A schedule: every line holds its day.
        ["Friday 7 June, 19:30", "Saturday 8 June, 19:30", "Sunday 9 June, 15:00"],
    ],
)
def test_closing_list_of_data_lines_is_not_page_furniture(closing):
    # Short lines without a full stop at the article's edge look like widget labels;
    # a run of them that carries numbers or values is the article's list.
    body = paras(*CONCERT) + "<ul>" + "".join(f"<li>{line}</li>" for line in closing) + "</ul>"
    text = text_of(page(body, title="Orchestra back in the harbour hall"))
    assert text.split("\n\n") == [*CONCERT, *closing]


def test_subheadings_repeated_under_each_day_of_a_plan_stay():
    # The same three subheadings under every day are the article's structure; they
    # repeat only inside the body, while the ad slot label also sits in the sidebar.
    days = [
        ("Morning", "Take the early boat to the lighthouse island and climb to the keeper's cottage before the crowds."),
        ("Afternoon", "Lunch on grilled sardines at the harbour, then an hour in the maritime museum on the quay."),
        ("Evening", "Watch the fishing fleet come in from the breakwater and eat at one of the small bars behind it."),
        ("Morning", "Rent a bicycle in the old town and follow the coastal path south to the salt marshes."),
        ("Afternoon", "Swim at the sheltered cove past the marshes, where the water is calm even on windy days."),
        ("Evening", "Concerts are held in the cloister of the old monastery on most summer weekends."),
        ("Morning", "The Saturday market fills the main square with cheese, honey and smoked fish from the islands."),
        ("Afternoon", "Take the ferry back across the bay and walk the ramparts for the best view of the harbour."),
        ("Evening", "Finish with a sunset dinner at the yacht club, which is open to visitors on weekends."),
    ]
    body = "<p>Three days are enough to see the best of the harbour town without rushing, our travel desk found.</p>"
    for n, start in enumerate(range(0, 9, 3), 1):
        body += f"<h2>Day {n}</h2>" + "".join(f"<h3>{label}</h3><p>{line}</p>" for label, line in days[start : start + 3])
        if n < 3:
            body += "<div>Advertisement</div>"
    body += "<p>Rooms in the old town fill up quickly in summer, so book at least a month ahead.</p>"
    sidebar = "<aside><div>Advertisement</div><p>Subscribe for unlimited access to every story.</p></aside>"
    text = text_of(page(body, title="Three days in the harbour town", after=sidebar))
    lines = text.split("\n\n")
    for label in ("Morning", "Afternoon", "Evening"):
        assert lines.count(label) == 3
    assert "Advertisement" not in lines


def test_entry_repeated_with_small_changes_under_each_day_is_a_series_not_a_teaser():
    # A teaser restates one later paragraph once; a near-copy of the same size under
    # every day of a programme is the programme.
    entries = [
        "Breakfast at the guesthouse, then a guided walk along the river to the old mill with a local historian.",
        "Breakfast at the guesthouse, then a guided walk along the river to the paper mill with a local historian.",
        "Breakfast at the guesthouse, then a guided walk along the river to the salt works with a local historian.",
    ]
    body = paras("The walking festival runs for three days in early September and is open to anyone over twelve.")
    for n, entry in enumerate(entries, 1):
        body += f"<h2>Day {n}</h2>" + paras(entry, f"In the afternoon the group visits workshop number {n} in the valley, where lunch is served.")
    body += paras("Places are limited to forty walkers a day, and registration closes at the end of August.")
    text = text_of(page(body, title="Walking festival returns to the valley"))
    for entry in entries:
        assert entry in text


# --- markup rules -------------------------------------------------------------------


def test_name_carrying_a_popup_of_links_stays_in_its_sentence():
    # The name is linked and carries a pop-up of contact links, so the whole span is
    # nothing but links; it is still a word of the sentence, only the pop-up is noise.
    member = (
        "<span class='member-name'><a href='/members/whitfield'>Dana Whitfield</a>"
        "<span class='member-popup'><a href='https://whitfield.house.example/'>Website</a> | "
        "<a href='https://x.example/repwhitfield'>X</a> | <a href='https://facebook.example/repwhitfield'>Facebook</a> | "
        "<a href='/members/whitfield/contact'>Contact</a></span></span>"
    )
    body = paras(
        f"Rep. {member} (D-Minn.) said on Tuesday that the bill would protect small harbours from sudden dredging fees.",
        "The measure would cap what the federal agency can charge local ports for keeping their channels open.",
        "Harbour masters across the Great Lakes have warned that the fees could close some ports to larger boats.",
        "A committee vote is expected next month, after hearings with port operators and shipping companies.",
    )
    text = text_of(page(body, title="Bill would cap dredging fees for small harbours"))
    assert "Rep. Dana Whitfield (D-Minn.) said on Tuesday" in text
    assert "Facebook" not in text


def test_digest_item_with_a_long_headline_link_stays_in_its_list():
    # One item of the week's digest has a long headline and a short sentence, so it is
    # mostly link text; its neighbours are headline and prose, which makes the list the
    # article's, not a "read also" box.
    items = [
        ("/council-approves-funding-for-the-new-ferry-terminal-at-last", "Council approves funding for the new ferry terminal at last",
         "The vote passed nine to two."),
        ("/fish-market", "Fish market", "The covered market reopens on Saturday after a winter of repairs to its roof and cold rooms."),
        ("/bridge", "Bridge closure", "The old swing bridge will close at night for three weeks while engineers replace its motor."),
        ("/schools", "School meals", "Primary schools in the district will serve fish from the local fleet twice a week from September."),
    ]
    digest = "<ul>" + "".join(f"<li><a href='{href}'>{head}</a>: {line}</li>" for href, head, line in items) + "</ul>"
    body = paras(
        "It was a busy week for the harbour district, with decisions on transport, food and schools.",
        "Here is what happened, in brief, and where to read more about each story.",
    ) + digest + paras(
        "We publish this round-up every Friday, and readers can suggest stories for it by writing to the desk.",
        "Next week the council meets again to discuss the parking plan for the seafront, which has divided residents.",
    )
    text = text_of(page(body, title="The week in the harbour district"))
    assert "Council approves funding for the new ferry terminal at last: The vote passed nine to two." in text


def test_more_stories_cards_laid_out_in_one_row_tables_are_removed():
    # Older templates set each card as a one-row table, thumbnail beside headline and
    # summary; the card is the table, as it would be a div.
    cards = "".join(
        f"<div class='story-item'><table><tr><td><img src='/img/{slug}.jpg' alt=''></td>"
        f"<td><h3><a href='/local/{slug}'>{head}</a></h3><p>{summary}</p></td></tr></table></div>"
        for slug, head, summary in [
            ("lighthouse", "Lighthouse keeper's cottage opens to visitors",
             "The restored cottage will be open on weekends from June, with guided tours every hour."),
            ("regatta", "Regatta moves to September after storm damage",
             "Organisers said the slipway would not be repaired in time for the usual date in July."),
            ("market", "Fish market reopens after winter repairs",
             "Traders returned to the covered hall on Saturday, with queues forming before dawn."),
        ]
    )
    rail = f"<div class='story-list'><h2>More from the Gazette</h2>{cards}</div>"
    text = text_of(page(paras(*FERRY) + rail, title="Council votes for battery ferries"))
    assert text.split("\n\n") == FERRY


def test_paragraph_of_headline_links_between_line_breaks_is_removed():
    # A "don't miss" box typed into the article as one paragraph of links, one per
    # line: no sentence, only other stories.
    box = (
        "<p><a href='/local/lighthouse'>Lighthouse keeper's cottage opens to visitors</a> [PHOTOS]<br>"
        "<a href='/local/regatta'>Regatta moves to September after storm damage</a><br>"
        "<a href='/local/market'>Fish market reopens after winter repairs</a></p>"
    )
    body = paras(*FERRY[:2]) + box + paras(*FERRY[2:])
    text = text_of(page(body, title="Council votes for battery ferries"))
    assert text.split("\n\n") == FERRY
