"""Near-duplicate keys for syndicated copies, and topic filters."""

from __future__ import annotations

import pytest

from extract import ExtractOptions, Topic, extract_page
from extract.cluster import cluster_key
from extract.topics import match_topics

WIRE = (
    "Russia's Defense Ministry expressed hope on Thursday that upcoming talks at a ministerial level would have a "
    "constructive nature despite several issues that hinder progress in bilateral ties. The defense and foreign "
    "ministers are scheduled to take part in consultations with their counterparts on Friday in Washington. The talks, "
    "expected to focus on a number of sticking points including missile defense, come against a backdrop of growing "
    "tensions between the two countries. Officials told reporters they expected the consultations to allow both sides "
    "to prepare the next steps in strengthening strategic stability. Earlier agreements to cooperate on missile defense "
    "have floundered over the refusal to grant legal guarantees that the system would not be aimed at deterrence forces."
)


def test_syndicated_copies_share_a_key():
    original = "MOSCOW, August 8 (RIA Novosti) – " + WIRE
    copy = "Moscow, Aug 8: " + WIRE.replace("Thursday", "Thursday,") + " (ANI)"
    assert cluster_key(original) == cluster_key(copy) is not None


def test_different_stories_get_different_keys():
    other = (
        "The city council voted on Tuesday to extend the night bus network to the eastern suburbs, ending a two-year "
        "dispute over who should pay for the service. Four new routes will run every thirty minutes between midnight "
        "and five in the morning from September, and a consultation on the exact stops opens next month."
    )
    assert cluster_key(other) != cluster_key(WIRE)


def test_short_text_has_no_key_and_cjk_is_tokenised_by_character():
    assert cluster_key("Too short.") is None
    zh = "北约与俄罗斯高官周三召开会议，试图弥合在乌克兰前途问题上看似无法调和的分歧。" * 3
    assert cluster_key(zh) == cluster_key("参考消息网1月13日报道 " + zh)


def test_topics_match_title_or_text_case_insensitively():
    topics = (Topic("nato", r"\bnato\b"), Topic("energy", r"gas|oil"), Topic("sport", "football"))
    assert match_topics(topics, "NATO ministers meet", "Talks on gas prices.") == ("nato", "energy")


def test_invalid_topic_pattern_and_duplicate_names_are_refused():
    with pytest.raises(ValueError, match="not a valid regular expression"):
        Topic("bad", "(")
    with pytest.raises(ValueError, match="duplicate topic names"):
        ExtractOptions(topics=(Topic("a", "x"), Topic("a", "y")))


def test_article_carries_topics_and_cluster():
    page = f"<html><head><title>Talks</title></head><body><article><h1>Talks</h1><p>{WIRE}</p></article></body></html>"
    opts = ExtractOptions(topics=(Topic("missiles", "missile defen[cs]e"), Topic("trade", "tariff")))
    art = extract_page(page.encode(), "https://x.example/talks", options=opts).article
    assert art.topics == ("missiles",)
    assert art.cluster == cluster_key(art.text)


BOILERPLATE = (
    "This article is published under the outlet's editorial standards. Reproduction of any part of it requires the "
    "written permission of the editors, and quotations must name the outlet and link to the original page. Follow us "
    "on our channels for the latest news from the region and the world, updated around the clock by our newsroom."
)


def test_stories_sharing_only_a_boilerplate_paragraph_are_not_one_story():
    # With the single smallest hash, each story's key fell inside the shared paragraph with
    # probability |paragraph| / |story|: here all 12 stories got the same key.
    stories = [cluster_key(f"Story {i}. " + " ".join(f"word{i}x{j} fact{j}y{i}" for j in range(40))
                           + " " + BOILERPLATE) for i in range(12)]
    assert None not in stories
    assert len(set(stories)) == len(stories)
