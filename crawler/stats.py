"""Per-outlet crawl counters on Scrapy's stats collector, and the run record built from them.

Keys look like ``newsarchive/outlet/<name>/<counter>[/<kind>]`` so that one crawl of
several outlets reports each separately. The run record's shape is documented in
docs/DESIGN.md and read by the scheduler and ``newsarchive health``.
"""

from __future__ import annotations

import os
import socket
import sys
import uuid
from datetime import datetime, timezone
from typing import Any, Mapping

from archive.layout import ADHOC_OUTLET

__all__ = ["OutletStats", "new_run_id", "run_record", "COUNTERS", "BREAKDOWNS"]

_PREFIX = "newsarchive/outlet/"
COUNTERS = (
    "pages_fetched",
    "articles_added",
    "articles_updated",
    "articles_merged",
    "unchanged",
    "skipped_filter",
    "skipped_robots",
    "skipped_topic",
    "skipped_old",
    "skipped_offsite",
    "blocked",
)
BREAKDOWNS = ("non_articles", "errors", "empty_fields")


class OutletStats:
    """Increments one crawl's counters, scoped by outlet."""

    def __init__(self, stats: Any) -> None:
        self._stats = stats

    def inc(self, outlet: str | None, counter: str, kind: str | None = None, count: int = 1) -> None:
        key = f"{_PREFIX}{outlet or ADHOC_OUTLET}/{counter}"
        if kind is not None:
            key += f"/{kind}"
        self._stats.inc_value(key, count)

    def latest_published(self, outlet: str | None, published: str | None) -> None:
        if published:
            self._stats.max_value(f"{_PREFIX}{outlet or ADHOC_OUTLET}/latest_published", published)


def _empty_outlet() -> dict[str, Any]:
    record: dict[str, Any] = {name: 0 for name in COUNTERS}
    record.update({name: {} for name in BREAKDOWNS})
    record["latest_published"] = None
    return record


def _per_outlet(stats: Mapping[str, Any], outlets: list[str]) -> dict[str, dict[str, Any]]:
    result = {name: _empty_outlet() for name in outlets}
    for key, value in stats.items():
        if not key.startswith(_PREFIX):
            continue
        outlet, _, rest = key[len(_PREFIX):].partition("/")
        record = result.setdefault(outlet, _empty_outlet())
        counter, _, kind = rest.partition("/")
        if kind:
            record.setdefault(counter, {})[kind] = value
        else:
            record[counter] = value
    return result


def _totals(per_outlet: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    totals = _empty_outlet()
    for record in per_outlet.values():
        for name in COUNTERS:
            totals[name] += record.get(name, 0)
        for name in BREAKDOWNS:
            for kind, count in record.get(name, {}).items():
                totals[name][kind] = totals[name].get(kind, 0) + count
        latest = record.get("latest_published")
        if latest and (totals["latest_published"] is None or latest > totals["latest_published"]):
            totals["latest_published"] = latest
    return totals


def new_run_id() -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{uuid.uuid4().hex[:8]}"


def run_record(
    *, run_id: str, stats: Mapping[str, Any], outlets: list[str], started: datetime,
    finish_reason: str, argv: list[str] | None = None,
) -> dict[str, Any]:
    per_outlet = _per_outlet(stats, outlets)
    totals = _totals(per_outlet)
    if finish_reason not in ("finished", "closespider_itemcount", "closespider_pagecount"):
        outcome = "interrupted" if finish_reason == "shutdown" else "failed"
    elif sum(totals["errors"].values()):
        outcome = "errors"
    else:
        outcome = "ok"
    return {
        "run_id": run_id,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "outcome": outcome,
        "finish_reason": finish_reason,
        "argv": list(argv if argv is not None else sys.argv),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "outlets": per_outlet,
        "totals": totals,
    }
