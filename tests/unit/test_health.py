"""Outlet health rules, over constructed run records and a fixed clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crawler.service.health import HealthPolicy, OutletRun, assess, health_document, outlet_runs, parse_time

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
POLICY = HealthPolicy(min_quiet=timedelta(0))


def stats(added=3, pages=10, errors=0, blocked=0, title=0, published=0, authors=0, updated=0, latest=None):
    return {
        "pages_fetched": pages, "articles_added": added, "articles_updated": updated, "unchanged": 0,
        "skipped_filter": 0, "non_articles": {}, "errors": {"http_500": errors} if errors else {},
        "blocked": blocked, "empty_fields": {"title": title, "published": published, "authors": authors},
        "latest_published": latest,
    }


def runs(n, every=timedelta(minutes=30), start=T0, outlet="a", outcome="ok", **kw):
    return [OutletRun(outlet, start + i * every, outcome, stats(**kw)) for i in range(n)]


def test_a_steady_outlet_has_rates_and_no_problems():
    history = runs(10, added=4, pages=20, errors=1, blocked=2, title=1, latest="2026-11-01T04:00:00+00:00")
    now = T0 + timedelta(hours=5)
    health = assess(history, now, POLICY)["a"]
    assert health.flags == () and health.problems == ()
    assert health.runs == 10
    assert health.last_new_article == T0 + timedelta(minutes=270)
    assert health.articles_per_day == 40  # five hours of history: the count, not 192 a day
    assert health.error_rate == 0.05 and health.block_rate == 0.1
    assert health.empty == {"title": 0.25, "published": 0.0, "authors": 0.0}
    assert health.latest_published == "2026-11-01T04:00:00+00:00"


def test_no_new_article_for_many_usual_gaps_is_quiet():
    history = runs(6, added=2) + runs(6, start=T0 + timedelta(hours=3), added=0)
    quiet_since = T0 + timedelta(minutes=150)
    # Usual gap 30 min, factor 4: quiet once more than 2 h passed without a new article.
    assert assess(history, quiet_since + timedelta(minutes=119), POLICY)["a"].flags == ()
    health = assess(history, quiet_since + timedelta(minutes=121), POLICY)["a"]
    assert health.flags == ("quiet",)
    assert health.problems == (
        "a: quiet — no new article for 2h 1m (usually one every 30m); "
        "check its feeds and sitemaps still list new URLs",
    )


def test_min_quiet_keeps_fast_outlets_from_flapping():
    history = runs(3, every=timedelta(minutes=1), added=1)
    now = T0 + timedelta(minutes=30)
    assert assess(history, now, POLICY)["a"].flags == ("quiet",)
    assert assess(history, now, HealthPolicy(min_quiet=timedelta(hours=1)))["a"].flags == ()


def test_failing_runs_make_an_outlet_quiet_with_the_last_success_named():
    history = runs(4) + [OutletRun("a", T0 + timedelta(hours=2, minutes=i * 30), o) for i, o in
                         enumerate(("failed", "timeout", "lost"))]
    health = assess(history, T0 + timedelta(hours=3), POLICY)["a"]
    assert health.flags == ("quiet",)
    assert health.last_success == T0 + timedelta(minutes=90)
    assert health.problems[0] == (
        "a: quiet — no successful run since 2026-11-01 01:30 UTC (last 3: failed, timeout, lost); "
        "check `newsarchive runs --outlet a` and the crawl logs"
    )


def test_interrupted_runs_neither_fail_nor_succeed():
    stopped = [OutletRun("a", T0 + timedelta(hours=2, minutes=i), "interrupted") for i in range(3)]
    assert assess(runs(4) + stopped, T0 + timedelta(hours=3), POLICY)["a"].flags == ()
    mixed = [OutletRun("a", T0 + timedelta(hours=2, minutes=5 + i), o)
             for i, o in enumerate(("failed", "interrupted", "failed", "interrupted", "failed"))]
    health = assess(runs(4) + mixed, T0 + timedelta(hours=3), POLICY)["a"]
    assert health.flags == ("quiet",)
    assert "(last 3: failed, failed, failed)" in health.problems[0]


def test_an_outlet_that_never_yields_an_article_is_quiet():
    health = assess(runs(3, added=0), T0 + timedelta(hours=2), POLICY)["a"]
    assert health.flags == ("quiet",)
    assert "3 successful runs since 2026-11-01 00:00 UTC added no article" in health.problems[0]
    assert assess(runs(2, added=0), T0 + timedelta(hours=2), POLICY)["a"].flags == ()


@pytest.mark.parametrize("field,word", [("title", "titles"), ("published", "dates"), ("authors", "authors")])
def test_a_jump_in_empty_fields_is_degraded(field, word):
    history = runs(6, added=10, **{field: 1}) + runs(3, start=T0 + timedelta(hours=3), added=10, **{field: 8})
    health = assess(history, T0 + timedelta(hours=4), POLICY)["a"]
    assert health.flags == ("degraded",)
    assert health.problems == (
        f"a: degraded — empty {word} in 80% of articles over the last 3 runs (before: 10%); "
        "the site's markup may have changed: re-check its extraction fixture",
    )


def test_a_steady_high_empty_rate_is_not_a_jump():
    history = runs(9, added=10, authors=9)
    assert assess(history, T0 + timedelta(hours=5), POLICY)["a"].flags == ()


def test_too_few_articles_are_not_judged():
    history = runs(6, added=1) + runs(3, start=T0 + timedelta(hours=3), added=1, title=1)
    assert assess(history, T0 + timedelta(hours=5), POLICY)["a"].flags == ()


def test_an_error_rate_jump_is_degraded():
    history = runs(6, pages=20, errors=1) + runs(3, start=T0 + timedelta(hours=3), pages=20, errors=10)
    health = assess(history, T0 + timedelta(hours=5), POLICY)["a"]
    assert health.flags == ("degraded",)
    assert health.problems[0].startswith("a: degraded — errors on 50% of fetched pages over the last 3 runs (before: 5%)")


def test_a_block_rate_jump_is_degraded():
    history = runs(6, pages=20) + runs(3, start=T0 + timedelta(hours=3), pages=20, blocked=15)
    health = assess(history, T0 + timedelta(hours=5), POLICY)["a"]
    assert health.flags == ("degraded",)
    assert health.problems[0].startswith("a: degraded — blocked responses on 75% of fetched pages over the last 3 runs")
    assert health.block_rate == round(45 / 180, 4)


def test_rates_cover_only_the_window_and_outlets_are_separate():
    old = runs(4, start=T0 - timedelta(days=10), added=100, pages=100, errors=50)
    recent = runs(4, start=T0, added=2, pages=10)
    other = runs(2, outlet="b", added=7)
    result = assess(old + recent + other, T0 + timedelta(days=1), POLICY)
    assert sorted(result) == ["a", "b"]
    assert result["a"].error_rate == 0.0
    assert result["a"].articles_per_day == 8.0
    later = assess(recent, T0 + timedelta(days=4), POLICY)
    assert later["a"].articles_per_day == 2.0  # 8 articles over four days
    assert result["b"].runs == 2


def test_run_records_split_per_outlet_and_the_document_is_json_ready():
    record = {
        "run_id": "r1", "started": "2026-11-01T00:00:00Z", "finished": "2026-11-01T00:05:00Z",
        "outcome": "errors", "outlets": {"b": stats(), "a": stats(added=0), "_adhoc": stats()},
    }
    split = outlet_runs(record)
    assert [(r.outlet, r.outcome, r.started) for r in split] == [("a", "errors", T0), ("b", "errors", T0)]
    assert [r.outcome for r in outlet_runs(record, outcome="timeout")] == ["timeout", "timeout"]
    document = health_document(assess(split, T0 + timedelta(hours=1), POLICY), T0)
    assert document["outlets"]["b"]["last_new_article"] == "2026-11-01T00:00:00+00:00"
    assert document["problems"] == []


def test_latest_published_compares_times_not_strings():
    history = [OutletRun("a", T0, "ok", stats(latest="2026-11-01T09:00:00+03:00")),
               OutletRun("a", T0 + timedelta(hours=1), "ok", stats(latest="2026-11-01T07:00:00Z")),
               OutletRun("a", T0 + timedelta(hours=2), "ok", stats(latest="2026-10-31")),
               OutletRun("a", T0 + timedelta(hours=2), "ok", stats(latest="yesterday"))]
    assert assess(history, T0 + timedelta(hours=3), POLICY)["a"].latest_published == "2026-11-01T07:00:00Z"


def test_times_without_offset_are_refused():
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_time("2026-11-01T00:00:00")
