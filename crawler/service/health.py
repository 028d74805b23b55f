"""Outlet health: what past runs say about each outlet, and which outlets need a look.

Silent outages are the failure users of news crawlers notice last: a feed moves, a site
starts blocking, a template change empties every date. Everything here is a pure function
over run records (the JSON ``newsarchive crawl`` writes to ``runs/…json``), so the rules
are tested with constructed records and the clock is an argument.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping

__all__ = [
    "SUCCESS_OUTCOMES",
    "HealthPolicy",
    "OutletHealth",
    "OutletRun",
    "assess",
    "health_document",
    "outlet_runs",
    "parse_time",
]

# "errors" means the crawl finished but some pages failed: the outlet was still reached.
SUCCESS_OUTCOMES = frozenset({"ok", "errors"})
_EMPTY_FIELDS = ("title", "published", "authors")
_FIELD_WORDS = {"title": "titles", "published": "dates", "authors": "authors"}


def parse_time(value: str) -> datetime:
    """An ISO 8601 time from a run record (``Z`` accepted), always timezone-aware."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"time {value!r} has no UTC offset; run records use ISO 8601 UTC")
    return parsed


@dataclass(frozen=True)
class OutletRun:
    """One outlet's part of one run: when, how it ended, and its stats (if it got any)."""

    outlet: str
    started: datetime
    outcome: str
    stats: Mapping[str, Any] | None = None

    @property
    def succeeded(self) -> bool:
        return self.outcome in SUCCESS_OUTCOMES

    def count(self, key: str) -> int:
        value = (self.stats or {}).get(key) or 0
        return sum(value.values()) if isinstance(value, Mapping) else int(value)

    @property
    def written(self) -> int:
        """Articles the run wrote: what the empty-field counts are counted over."""
        return self.count("articles_added") + self.count("articles_updated")

    def empty(self, name: str) -> int:
        return int(((self.stats or {}).get("empty_fields") or {}).get(name) or 0)


def outlet_runs(record: Mapping[str, Any], *, outcome: str | None = None) -> list[OutletRun]:
    """Split a crawl's run record into one ``OutletRun`` per outlet it crawled.

    ``outcome`` overrides the record's own (the scheduler knows a run timed out even when
    the crawl's last stats say "interrupted").
    """
    started = parse_time(record["started"])
    final = outcome or record.get("outcome") or "failed"
    return [
        OutletRun(outlet=name, started=started, outcome=final, stats=stats)
        for name, stats in sorted((record.get("outlets") or {}).items())
        if not name.startswith("_")  # the crawl's own bookkeeping (e.g. "_adhoc"), no outlet
    ]


@dataclass(frozen=True)
class HealthPolicy:
    """When to flag an outlet. Defaults suit half-hourly crawls of daily news outlets."""

    window: timedelta = timedelta(days=7)  # rates and articles/day are over this window
    quiet_factor: float = 4.0  # quiet: no new article for this many usual gaps
    min_quiet: timedelta = timedelta(hours=2)  # ...and never sooner than this
    failing_runs: int = 3  # quiet: this many runs in a row without success
    recent_runs: int = 3  # degraded: the last runs compared with the ones before
    min_articles: int = 5  # fewest articles (pages, for errors) a rate is judged on
    jump: float = 0.25  # degraded: a rate rose by at least this much (absolute)...
    jump_ratio: float = 2.0  # ...and to at least this multiple of its history


@dataclass(frozen=True)
class OutletHealth:
    outlet: str
    runs: int
    last_run: datetime | None
    last_success: datetime | None
    last_new_article: datetime | None  # start of the last run that added an article
    latest_published: str | None
    articles_per_day: float
    error_rate: float | None  # errors per fetched page
    block_rate: float | None  # blocked pages per fetched page
    empty: dict[str, float | None] = field(default_factory=dict)  # share of written articles
    flags: tuple[str, ...] = ()  # "quiet", "degraded"
    problems: tuple[str, ...] = ()  # one readable line per problem

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("last_run", "last_success", "last_new_article"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        data["flags"] = list(self.flags)
        data["problems"] = list(self.problems)
        return data


def assess(
    runs: Iterable[OutletRun], now: datetime, policy: HealthPolicy = HealthPolicy()
) -> dict[str, OutletHealth]:
    """Health of every outlet that appears in ``runs``, as of ``now``."""
    by_outlet: dict[str, list[OutletRun]] = {}
    for run in runs:
        by_outlet.setdefault(run.outlet, []).append(run)
    return {
        name: _assess_outlet(name, sorted(history, key=lambda r: r.started), now, policy)
        for name, history in sorted(by_outlet.items())
    }


def health_document(health: Mapping[str, OutletHealth], now: datetime) -> dict[str, Any]:
    """The JSON the service keeps in ``$NEWSARCHIVE_HOME/health.json``."""
    return {
        "generated": now.isoformat(),
        "problems": [line for item in health.values() for line in item.problems],
        "outlets": {name: item.to_dict() for name, item in health.items()},
    }


def _assess_outlet(
    name: str, history: list[OutletRun], now: datetime, policy: HealthPolicy
) -> OutletHealth:
    window = [run for run in history if run.started >= now - policy.window]
    productive = [run for run in history if run.count("articles_added") > 0]
    successes = [run for run in history if run.succeeded]
    pages = sum(run.count("pages_fetched") for run in window)
    written = sum(run.written for run in window)
    span = now - window[0].started if window else policy.window
    # Less than a day of history is not extrapolated: 6 articles in one run is 6, not 144 a day.
    days = max(span, timedelta(days=1)) / timedelta(days=1)
    published = [str(run.stats["latest_published"]) for run in history
                 if run.stats and run.stats.get("latest_published")]
    problems = _quiet_problems(name, history, productive, successes, now, policy)
    quiet = bool(problems)
    degraded = _degraded_problems(name, history, policy)
    problems += degraded
    return OutletHealth(
        outlet=name,
        runs=len(history),
        last_run=history[-1].started,
        last_success=successes[-1].started if successes else None,
        last_new_article=productive[-1].started if productive else None,
        latest_published=_latest(published),
        articles_per_day=round(sum(run.count("articles_added") for run in window) / days, 2),
        error_rate=_ratio(sum(run.count("errors") for run in window), pages),
        block_rate=_ratio(sum(run.count("blocked") for run in window), pages),
        empty={f: _ratio(sum(run.empty(f) for run in window), written) for f in _EMPTY_FIELDS},
        flags=tuple(flag for flag, on in (("quiet", quiet), ("degraded", bool(degraded))) if on),
        problems=tuple(problems),
    )


def _quiet_problems(
    name: str,
    history: list[OutletRun],
    productive: list[OutletRun],
    successes: list[OutletRun],
    now: datetime,
    policy: HealthPolicy,
) -> list[str]:
    problems = []
    # An interrupted run was stopped by an operator or a restart: it proves nothing.
    judged = [run for run in history if run.outcome != "interrupted"]
    tail = judged[-policy.failing_runs :]
    if len(tail) == policy.failing_runs and not any(run.succeeded for run in tail):
        since = f"since {_when(successes[-1].started)}" if successes else "ever"
        outcomes = ", ".join(run.outcome for run in tail)
        problems.append(
            f"{name}: quiet — no successful run {since} (last {len(tail)}: {outcomes}); "
            f"check `newsarchive runs --outlet {name}` and the crawl logs"
        )
    if productive:
        silent = now - productive[-1].started
        gap = _usual_gap(productive) or _usual_gap(history)
        if gap is not None and silent > max(gap * policy.quiet_factor, policy.min_quiet):
            problems.append(
                f"{name}: quiet — no new article for {_duration(silent)} "
                f"(usually one every {_duration(gap)}); "
                "check its feeds and sitemaps still list new URLs"
            )
    elif len(successes) >= policy.failing_runs:
        problems.append(
            f"{name}: quiet — {len(successes)} successful runs since "
            f"{_when(successes[0].started)} added no article; "
            "check its article_patterns match the site's URLs"
        )
    return problems


def _degraded_problems(name: str, history: list[OutletRun], policy: HealthPolicy) -> list[str]:
    judged = [run for run in history if run.stats is not None]
    recent, before = judged[-policy.recent_runs :], judged[: -policy.recent_runs]
    if not before:
        return []
    problems = []
    for what, part, whole, advice in _DEGRADATION_CHECKS:
        now_rate, old_rate = (
            _ratio(sum(map(part, runs)), sum(map(whole, runs)), policy.min_articles)
            for runs in (recent, before)
        )
        if _jumped(now_rate, old_rate, policy):
            problems.append(
                f"{name}: degraded — {what.format(now_rate)} over the last {len(recent)} runs "
                f"(before: {old_rate:.0%}); {advice}"
            )
    return problems


_MARKUP_ADVICE = "the site's markup may have changed: re-check its extraction fixture"
# (what, numerator, denominator, advice) of each rate whose jump means "degraded".
_DEGRADATION_CHECKS: tuple[tuple[str, Callable[[OutletRun], int], Callable[[OutletRun], int], str], ...] = (
    *(
        (
            f"empty {_FIELD_WORDS[name]} in {{:.0%}} of articles",
            lambda run, name=name: run.empty(name),
            lambda run: run.written,
            _MARKUP_ADVICE,
        )
        for name in _EMPTY_FIELDS
    ),
    (
        "errors on {:.0%} of fetched pages",
        lambda run: run.count("errors"),
        lambda run: run.count("pages_fetched"),
        "check the crawl logs for blocking or outages",
    ),
    (
        "blocked responses on {:.0%} of fetched pages",
        lambda run: run.count("blocked"),
        lambda run: run.count("pages_fetched"),
        "the outlet may be refusing the crawler: check its robots.txt, the user agent and the request rate",
    ),
)


def _latest(times: list[str]) -> str | None:
    """The latest of ISO times as written (offsets differ, so strings do not sort);
    values that are not ISO times are ignored."""
    parsed = []
    for value in times:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            continue
        parsed.append((moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc), value))
    return max(parsed)[1] if parsed else None


def _jumped(recent: float | None, before: float | None, policy: HealthPolicy) -> bool:
    if recent is None or before is None:
        return False
    return recent - before >= policy.jump and recent >= before * policy.jump_ratio


def _ratio(part: int, whole: int, minimum: int = 1) -> float | None:
    return round(part / whole, 4) if whole >= max(minimum, 1) else None


def _usual_gap(runs: list[OutletRun]) -> timedelta | None:
    gaps = [b.started - a.started for a, b in zip(runs, runs[1:])]
    return statistics.median(gaps) if gaps else None


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _duration(span: timedelta) -> str:
    days, rest = divmod(int(span.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    units = ((days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s"))
    parts = [f"{n}{unit}" for n, unit in units if n]
    return " ".join(parts[:2]) or "0s"
