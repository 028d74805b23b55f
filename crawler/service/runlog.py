"""The scheduler's own record of the runs it started, and each outlet's adapted cadence.

Both tables sit in the job store's database (SQLite at ``$NEWSARCHIVE_HOME/jobs.sqlite``
unless ``--jobstore`` names another SQLAlchemy URL), beside APScheduler's own table.
A row is written when a crawl starts and completed when it ends, so a service that was
killed leaves rows without an outcome; ``settle`` completes them on the next start. Crawls,
workers and fetches started by hand are in it too (``crawler.cli.runrecord``, ``command``
says which), each completed with its exit status; one killed outright (kill -9) keeps a
row without an outcome, which ``as_seen`` shows as "lost" once its process is gone from
this machine (the service settles only its own rows).

This log knows things the archive's ``runs/`` records cannot: runs that timed out or were
killed before writing a record, and runs skipped because the outlet was still busy.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
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
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from archive.local import process_exists

__all__ = ["JobStoreError", "RunLog", "RunRow", "as_seen", "create_racing", "job_store_error"]

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
    # Kept since runs by hand are logged too (NULL in older rows, all the service's):
    Column("host", String(255)),  # where the run's process ran
    Column("command", String(40)),  # what started it: schedule, or crawl, worker, fetch by hand
)
_ADDED_COLUMNS = ("host", "command")
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
    host: str | None = None
    command: str | None = None

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


# How much later than its row's start a run's process may have started (the service starts
# the process just after writing the row); a process started later reuses a dead run's pid.
_START_SLACK = timedelta(seconds=30)


def as_seen(row: RunRow) -> RunRow:
    """The row as it stands now. One without an outcome is "running" while its process
    lives; once the process is gone from this machine without having recorded its end
    (kill -9, a crash, a power cut) it is "lost", the word the service settles such rows
    with. A row of another machine, or written before hosts were kept, stays "running":
    whether its process lives cannot be told from here."""
    if row.outcome is not None:
        return row
    if row.pid and row.host == socket.gethostname() and not _alive(row.pid, row.started):
        note = f"process {row.pid} ended without recording its end (killed, e.g. kill -9, or crashed)"
        return replace(row, outcome="lost", note=row.note or note)
    return replace(row, outcome="running")


def _alive(pid: int, started: str) -> bool:
    if not process_exists(pid):
        return False
    try:  # Linux: a zombie is gone, and a process younger than the run has reused its pid
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rpartition(")")[2].split()
        with open("/proc/stat", encoding="ascii") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
    except (OSError, StopIteration, ValueError):
        return True
    if fields[0] in ("Z", "X"):
        return False
    began = datetime.fromtimestamp(boot + int(fields[19]) / os.sysconf("SC_CLK_TCK"), tz=timezone.utc)
    run_started = datetime.fromisoformat(started)
    if run_started.tzinfo is None:
        run_started = run_started.replace(tzinfo=timezone.utc)
    return began <= run_started + _START_SLACK


class RunLog:
    """Run rows and adapted intervals in any SQLAlchemy database (thread-safe)."""

    def __init__(self, url: str) -> None:
        try:
            self._engine: Engine = create_engine(url)
            create_racing(lambda: _metadata.create_all(self._engine))
            self._add_columns()
        except (SQLAlchemyError, ImportError) as exc:
            raise job_store_error(url, exc) from exc

    def close(self) -> None:
        self._engine.dispose()

    def _add_columns(self) -> None:
        """A run log written before ``host`` and ``command`` were kept gets the columns (its
        rows keep NULL there), so older and newer versions read and write the same table."""
        def missing() -> list[str]:
            present = {column["name"] for column in inspect(self._engine).get_columns(_runs.name)}
            return [name for name in _ADDED_COLUMNS if name not in present]

        for name in missing():
            kind = _runs.c[name].type.compile(dialect=self._engine.dialect)
            try:
                with self._engine.begin() as conn:
                    conn.execute(text(f"ALTER TABLE {_runs.name} ADD COLUMN {name} {kind}"))
            except SQLAlchemyError:
                if name in missing():  # else another process added it first
                    raise

    def begin(
        self, *, run_id: str, outlet: str, scheduled_at: datetime | None, started: datetime, pid: int | None,
        host: str | None = None, command: str = "schedule",
    ) -> None:
        """A run whose process has started (``host``: this machine unless given; ``command``:
        what started it)."""
        with self._engine.begin() as conn:
            conn.execute(
                insert(_runs).values(
                    run_id=run_id,
                    outlet=outlet,
                    scheduled_at=scheduled_at.isoformat() if scheduled_at else None,
                    started=started.isoformat(),
                    pid=pid,
                    host=host or socket.gethostname(),
                    command=command,
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
        outlet: str | None = None,
    ) -> None:
        """Complete a run; ``outlet`` replaces the one it began with (a worker learns which
        outlets it crawled only at its end)."""
        values: dict[str, Any] = {
            "finished": finished.isoformat(),
            "outcome": outcome,
            "exit_code": exit_code,
            "stats": json.dumps(stats, sort_keys=True) if stats is not None else None,
            "note": note,
        }
        if outlet is not None:
            values["outlet"] = outlet
        with self._engine.begin() as conn:
            conn.execute(update(_runs).where(_runs.c.run_id == run_id).values(**values))

    def record(self, row: RunRow) -> None:
        """Write a whole row at once (the service's runs that never started a process, e.g. skipped)."""
        values = row.to_dict()
        values["command"] = row.command or "schedule"
        values["stats"] = json.dumps(row.stats, sort_keys=True) if row.stats is not None else None
        with self._engine.begin() as conn:
            conn.execute(insert(_runs).values(**values))

    def unfinished(self) -> list[RunRow]:
        """The service's own runs without an outcome, for it to settle. Not runs by hand:
        their locks may not be the service's (a crawl by hand without --redis beside a
        service with it), and ``as_seen`` tells whether they still run."""
        started_by_service = or_(_runs.c.command.is_(None), _runs.c.command == "schedule")
        return self._select(select(_runs).where(_runs.c.outcome.is_(None), started_by_service))

    def recent(
        self, *, outlet: str | None = None, limit: int | None = None, since: datetime | None = None
    ) -> list[RunRow]:
        """Rows newest first, optionally for one outlet (alone, or among the outlets of a
        crawl by hand: "ria,tass-en") and/or started at or after ``since``."""
        query = select(_runs).order_by(_runs.c.started.desc(), _runs.c.run_id.desc())
        if outlet is not None:
            column = _runs.c.outlet
            query = query.where(or_(
                column == outlet, column.startswith(f"{outlet},", autoescape=True),
                column.endswith(f",{outlet}", autoescape=True), column.contains(f",{outlet},", autoescape=True),
            ))
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
