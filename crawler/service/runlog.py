"""The scheduler's own record of the runs it started, and each outlet's adapted cadence.

Both tables sit in the job store's database (SQLite at ``$NEWSARCHIVE_HOME/jobs.sqlite``
unless ``--jobstore`` names another SQLAlchemy URL), beside APScheduler's own table.
A row is written when a crawl starts and completed when it ends, so a service that was
killed leaves rows without an outcome; ``settle`` completes them on the next start.

This log knows things the archive's ``runs/`` records cannot: runs that timed out or were
killed before writing a record, and runs skipped because the outlet was still busy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

__all__ = ["JobStoreError", "RunLog", "RunRow", "create_racing", "job_store_error"]

_metadata = MetaData()
_runs = Table(
    "newsarchive_runs",
    _metadata,
    Column("run_id", String(120), primary_key=True),
    Column("outlet", String(120), nullable=False, index=True),
    Column("scheduled_at", String(40)),
    Column("started", String(40), nullable=False, index=True),
    Column("finished", String(40)),
    Column("outcome", String(20)),  # NULL while running
    Column("exit_code", Integer),
    Column("pid", Integer),
    Column("stats", Text),  # the crawl's run record (JSON), when it wrote one
    Column("note", Text),
)
_cadence = Table(
    "newsarchive_cadence",
    _metadata,
    Column("outlet", String(120), primary_key=True),
    Column("interval_seconds", Float, nullable=False),
    Column("updated", String(40), nullable=False),
)


class JobStoreError(RuntimeError):
    """Raised when the job store's database cannot be opened or read."""


def job_store_error(url: str, exc: Exception) -> JobStoreError:
    """A JobStoreError that says what to check (the URL shown without its password)."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        shown = url
    return JobStoreError(
        f"cannot open the job store {shown}: {exc}; check --jobstore (an SQLAlchemy URL such as "
        "sqlite:////var/lib/newsarchive/jobs.sqlite), that its folder exists and its driver is installed"
    )


@dataclass(frozen=True)
class RunRow:
    run_id: str
    outlet: str
    scheduled_at: str | None
    started: str
    finished: str | None
    outcome: str | None
    exit_code: int | None
    pid: int | None
    stats: dict[str, Any] | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def create_racing(create: Callable[[], None]) -> None:
    """Run ``create`` (a check-then-create of tables), again if another process created
    them in between: the service and a `schedule status` may open a new store at once,
    and the loser's "already exists" is harmless."""
    for attempt in range(3):
        try:
            create()
            return
        except OperationalError as exc:
            if "already exists" not in str(exc) or attempt == 2:
                raise


class RunLog:
    """Run rows and adapted intervals in any SQLAlchemy database (thread-safe)."""

    def __init__(self, url: str) -> None:
        try:
            self._engine: Engine = create_engine(url)
            create_racing(lambda: _metadata.create_all(self._engine))
        except (SQLAlchemyError, ImportError) as exc:
            raise job_store_error(url, exc) from exc

    def close(self) -> None:
        self._engine.dispose()

    def begin(
        self, *, run_id: str, outlet: str, scheduled_at: datetime | None, started: datetime, pid: int | None
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(_runs).values(
                    run_id=run_id,
                    outlet=outlet,
                    scheduled_at=scheduled_at.isoformat() if scheduled_at else None,
                    started=started.isoformat(),
                    pid=pid,
                )
            )

    def finish(
        self,
        run_id: str,
        *,
        finished: datetime,
        outcome: str,
        exit_code: int | None = None,
        stats: Mapping[str, Any] | None = None,
        note: str | None = None,
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(_runs)
                .where(_runs.c.run_id == run_id)
                .values(
                    finished=finished.isoformat(),
                    outcome=outcome,
                    exit_code=exit_code,
                    stats=json.dumps(stats, sort_keys=True) if stats is not None else None,
                    note=note,
                )
            )

    def record(self, row: RunRow) -> None:
        """Write a whole row at once (runs that never started a process, e.g. skipped)."""
        values = row.to_dict()
        values["stats"] = json.dumps(row.stats, sort_keys=True) if row.stats is not None else None
        with self._engine.begin() as conn:
            conn.execute(insert(_runs).values(**values))

    def unfinished(self) -> list[RunRow]:
        return self._select(select(_runs).where(_runs.c.outcome.is_(None)))

    def recent(
        self, *, outlet: str | None = None, limit: int | None = None, since: datetime | None = None
    ) -> list[RunRow]:
        """Rows newest first, optionally for one outlet and/or started at or after ``since``."""
        query = select(_runs).order_by(_runs.c.started.desc(), _runs.c.run_id.desc())
        if outlet is not None:
            query = query.where(_runs.c.outlet == outlet)
        if since is not None:
            query = query.where(_runs.c.started >= since.isoformat())
        if limit is not None:
            query = query.limit(limit)
        return self._select(query)

    def interval(self, outlet: str) -> float | None:
        """The adapted interval (seconds) last stored for an outlet, if any."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(_cadence.c.interval_seconds).where(_cadence.c.outlet == outlet)
            ).scalar_one_or_none()

    def set_interval(self, outlet: str, seconds: float, now: datetime) -> None:
        with self._engine.begin() as conn:
            done = conn.execute(
                update(_cadence)
                .where(_cadence.c.outlet == outlet)
                .values(interval_seconds=seconds, updated=now.isoformat())
            ).rowcount
            if not done:
                conn.execute(
                    insert(_cadence).values(outlet=outlet, interval_seconds=seconds, updated=now.isoformat())
                )

    def _select(self, query: Any) -> list[RunRow]:
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            RunRow(**{**row, "stats": json.loads(row["stats"]) if row["stats"] else None})
            for row in rows
        ]
