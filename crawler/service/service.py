"""``newsarchive schedule``: the long-lived service that crawls every outlet on time.

APScheduler 3 with a persistent SQLAlchemy job store: one job per outlet (id = outlet
name), reconciled with the config at every start. A job that already exists with the
same trigger keeps its stored next run time, so a run missed while the service was down
fires once (coalesced) when it comes back, within the misfire grace time.

Each run is a separate ``newsarchive crawl`` process (``crawler.service.jobs``) under the
outlet's lock (``crawler.service.locks``: a file, or Redis when the service is given a
Redis URL); its row in the run log (``crawler.service.runlog``) and ``health.json`` are
updated when it ends.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import socket
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from archive import StorageError, store_from_uri
from archive.layout import run_key
from archive.local import home_dir
from crawler.outlets import OutletSpec, parse_interval
from crawler.service.health import SUCCESS_OUTCOMES, OutletRun, assess, health_document, outlet_runs, parse_time
from crawler.service.jobs import CrawlCommand, CrawlProcess, crawl_outcome, read_stats
from crawler.service.locks import (
    DEFAULT_TTL, FileLock, LockError, OutletLock, check_redis, handoff_env, outlet_lock, redacted,
)
from crawler.service.runlog import RunLog, RunRow, create_racing, job_store_error

__all__ = [
    "DEFAULT_SCHEDULE",
    "JobInfo",
    "OutletTiming",
    "SchedulerError",
    "SchedulerService",
    "adapt_interval",
    "default_jobstore_url",
    "list_jobs",
    "make_trigger",
    "planned_jobs",
    "row_runs",
]

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = "*/30 * * * *"
_JOBSTORE = "default"
_HEALTH_HISTORY = timedelta(days=30)
# Adaptive cadence aims at this many new articles per visit.
_TARGET_NEW_ARTICLES = 5


class SchedulerError(RuntimeError):
    """Raised by ``SchedulerService.start`` when the service cannot run as configured."""


def default_jobstore_url(home: Path | None = None) -> str:
    path = (home or home_dir()).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path / 'jobs.sqlite'}"


@dataclass(frozen=True)
class OutletTiming:
    """What the scheduler needs from an outlet spec."""

    name: str
    schedule: str = DEFAULT_SCHEDULE  # 5-field cron line, or an interval: 90s, 30m, 2h, 1d
    jitter_seconds: int = 0
    adaptive: tuple[float, float] | None = None  # (min, max) interval in seconds

    @classmethod
    def of(cls, spec: OutletSpec) -> "OutletTiming":
        """From a ``crawler.outlets.OutletSpec`` (an empty schedule means the default)."""
        return cls(
            name=spec.name,
            schedule=spec.schedule or DEFAULT_SCHEDULE,
            jitter_seconds=spec.jitter_seconds,
            adaptive=spec.adaptive,
        )

    def interval(self) -> float | None:
        """The schedule's interval in seconds, or None for a cron line."""
        return None if _is_cron(self.schedule) else float(parse_interval(self.schedule))

    def first_interval(self) -> float:
        """Where adaptive cadence starts: the configured interval, else the shortest bound."""
        assert self.adaptive is not None
        low, high = self.adaptive
        return min(max(self.interval() or low, low), high)


def make_trigger(timing: OutletTiming, adapted: float | None = None) -> BaseTrigger:
    """The outlet's trigger; an adaptive outlet runs on its adapted interval."""
    jitter = timing.jitter_seconds or None
    if timing.adaptive is not None:
        seconds = adapted if adapted is not None else timing.first_interval()
        return IntervalTrigger(seconds=seconds, jitter=jitter, timezone=timezone.utc)
    if _is_cron(timing.schedule):
        fields = dict(zip(("minute", "hour", "day", "month", "day_of_week"), timing.schedule.split()))
        # APScheduler 3 counts weekdays from Monday=0; cron from Sunday=0. Names avoid it.
        fields["day_of_week"] = _cron_weekdays(fields["day_of_week"])
        return CronTrigger(**fields, jitter=jitter, timezone=timezone.utc)
    return IntervalTrigger(seconds=timing.interval(), jitter=jitter, timezone=timezone.utc)


def adapt_interval(current: float, articles_added: int, bounds: tuple[float, float]) -> float:
    """The next interval after a run that added ``articles_added`` articles.

    Aims at a handful of new articles per visit: a busy outlet is visited up to twice as
    often, a quiet one backed off by half again, never outside ``bounds``.
    """
    if articles_added <= 0:
        factor = 1.5
    else:
        factor = min(max(_TARGET_NEW_ARTICLES / articles_added, 0.5), 1.5)
    low, high = bounds
    return float(min(max(current * factor, low), high))


def row_runs(row: RunRow) -> list[OutletRun]:
    """A run log row as health input (skipped runs say nothing about the outlet)."""
    if row.outcome in (None, "skipped"):
        return []
    if row.stats and row.stats.get("outlets") and row.stats.get("started"):
        return [r for r in outlet_runs(row.stats, outcome=row.outcome) if r.outlet == row.outlet]
    return [OutletRun(outlet=row.outlet, started=parse_time(row.started), outcome=row.outcome)]


@dataclass(frozen=True)
class JobInfo:
    outlet: str
    trigger: str
    next_run: datetime | None
    running: str | None  # host:pid of a crawl holding the outlet's lock right now


def list_jobs(jobstore_url: str, lock_for: Callable[[str], OutletLock]) -> list[JobInfo]:
    """The jobs in a job store with their next run times (``lock_for(outlet)`` tells who is
    crawling it now). Reads the store directly: a started scheduler, even paused, could
    fire or advance a due job."""
    try:
        store = SQLAlchemyJobStore(url=jobstore_url)
        create_racing(lambda: store.start(_Scheduler(timezone=timezone.utc), _JOBSTORE))  # jobs need a scheduler
        try:
            jobs = store.get_all_jobs()
        finally:
            store.shutdown()
    except (SQLAlchemyError, ImportError) as exc:
        raise job_store_error(jobstore_url, exc) from exc
    return [_job_info(job, lock_for) for job in jobs]


def planned_jobs(outlets: Iterable[OutletTiming], now: datetime | None = None) -> list[JobInfo]:
    """What the service would schedule for outlets it has no job for yet, if started ``now``
    (with jitter, next run times are one draw of it)."""
    now = now or datetime.now(timezone.utc)
    planned = []
    for timing in outlets:
        trigger = make_trigger(timing)
        planned.append(JobInfo(timing.name, str(trigger), trigger.get_next_fire_time(None, now), None))
    return planned


class SchedulerService:
    """Crawls each outlet on its schedule, one process per run, never two per outlet."""

    def __init__(
        self,
        outlets: Iterable[OutletTiming],
        *,
        command: CrawlCommand,
        home: Path,
        jobstore_url: str | None = None,
        max_runtime: float = 3600.0,
        stop_grace: float = 60.0,
        misfire_grace: float = 3600.0,
        max_parallel: int = 2,
        archive: str | None = None,
        redis_url: str | None = None,
        lock_ttl: float = DEFAULT_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.outlets = {timing.name: timing for timing in outlets}
        self.command = command
        self.home = home
        self.jobstore_url = jobstore_url or default_jobstore_url(home)
        self.max_runtime = max_runtime
        self.stop_grace = stop_grace
        self.misfire_grace = misfire_grace
        self.max_parallel = max_parallel
        self.archive = archive  # where to write the run records crawls could not write
        self.redis_url = redis_url  # outlet locks in Redis (per archive), shared by machines
        self.lock_ttl = lock_ttl
        self._clock = clock
        self._scheduler: BackgroundScheduler | None = None
        self._runlog: RunLog | None = None
        self._running: dict[str, CrawlProcess] = {}
        self._guard = threading.Lock()
        self._health_lock = threading.Lock()
        self._stopping = threading.Event()
        self._force = threading.Event()
        self._problems: set[str] = set()
        self._service_lock: FileLock | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Settle what a killed service left, reconcile the jobs, start scheduling.

        Raises SchedulerError if another service already runs with this home (two would
        fire every job twice) or Redis cannot be reached, JobStoreError if the job store
        cannot be opened.
        """
        global _ACTIVE
        if self.redis_url:
            if self.archive is None:
                raise SchedulerError("outlet locks in Redis are per archive: give the archive too")
            try:
                check_redis(self.redis_url)
            except LockError as exc:
                raise SchedulerError(str(exc)) from exc
        # Not passed to crawls (close_fds): an orphaned crawl does not hold the service.
        self._service_lock = FileLock(self.home / "locks" / "_service.lock")
        if not self._service_lock.acquire():
            raise SchedulerError(
                f"another `newsarchive schedule` ({self._service_lock.holder()}) is running with "
                f"{self.home}; stop it first, or give this one its own NEWSARCHIVE_HOME"
            )
        if _ACTIVE is not None:
            self._service_lock.release()
            raise SchedulerError("one SchedulerService per process: stored jobs call a module function")
        _ACTIVE = self
        try:
            self._runlog = RunLog(self.jobstore_url)
            self._settle_unfinished()
            self._scheduler = _new_scheduler(self.jobstore_url, max_parallel=self.max_parallel)
            self._scheduler.start(paused=True)
            self._reconcile()
            self._scheduler.resume()
            self._write_health(self._runlog)
        except BaseException:
            self.stop()  # release the locks and the store for a next attempt
            raise
        log.info("scheduling %d outlet(s) from %s; %s", len(self.outlets), self.jobstore_url, self.command.mode)

    def stop(self) -> None:
        """Schedule nothing more, SIGTERM running crawls and wait for them, then shut down.

        Crawls get ``stop_grace`` seconds to close their WARCs and flush their spool
        before SIGKILL; their runs are recorded as interrupted.
        """
        global _ACTIVE
        self._stopping.set()
        if self._scheduler is not None:
            self._scheduler.pause()
            with self._guard:
                running = list(self._running.values())
            for process in running:
                process.terminate()
            deadline = time.monotonic() + self.stop_grace
            for process in running:
                # A second SIGTERM/SIGINT (``force``) kills at once instead of waiting.
                while process.wait(0.2) is None:
                    if self._force.is_set() or time.monotonic() > deadline:
                        process.kill()
            # Waits for the job threads, which record the runs' outcomes.
            self._scheduler.shutdown(wait=True)
            self._scheduler = None
        if self._runlog is not None:
            self._runlog.close()
            self._runlog = None
        if self._service_lock is not None:
            self._service_lock.release()
            self._service_lock = None
        if _ACTIVE is self:
            _ACTIVE = None

    def run_forever(self) -> None:
        """Start, run until SIGTERM or SIGINT, stop cleanly; a second signal kills the
        crawls still running instead of waiting for them."""
        done = threading.Event()

        def on_signal(signum: int, frame: Any) -> None:
            if done.is_set():
                log.warning("second %s: killing running crawls", signal.Signals(signum).name)
                self._force.set()
            done.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            done.wait()
            with self._guard:
                running = sorted(self._running)
            if running:
                log.warning("stopping: waiting up to %gs for running crawls (%s) to finish",
                            self.stop_grace, ", ".join(running))
            else:
                log.warning("stopping: no crawl is running")
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def jobs(self) -> list[JobInfo]:
        assert self._scheduler is not None, "start() the service first"
        return [_job_info(job, self.lock) for job in self._scheduler.get_jobs()]

    # ------------------------------------------------------------------ one run

    def run_outlet(self, outlet: str, scheduled_at: datetime | None) -> None:
        """Crawl one outlet now (called by its job)."""
        if self._stopping.is_set():
            return
        runlog = self._runlog
        assert runlog is not None
        timing = self.outlets.get(outlet)
        if timing is None:
            log.warning("job %s has no outlet in the config; ignoring it", outlet)
            return
        lock = self.lock(outlet)
        now = self._clock()
        try:
            acquired = lock.acquire()
        except LockError as exc:  # Redis unreachable: no lock, no crawl
            log.error("%s: %s; skipping this run", outlet, exc)
            _record_no_process(runlog, _new_run_id(outlet, now), outlet, scheduled_at, now,
                               outcome="skipped", note=f"outlet lock unavailable: {exc}")
            return
        if not acquired:
            holder = lock.holder()
            log.warning("%s: previous crawl (%s) still running; skipping this run", outlet, holder)
            _record_no_process(
                runlog, _new_run_id(outlet, now), outlet, scheduled_at, now,
                outcome="skipped", note=f"previous crawl ({holder}) still running",
            )
            return
        try:
            self._settle_unfinished(outlet)
            outcome, stats = self._crawl(outlet, scheduled_at, lock, runlog)
        finally:
            lock.release()
        self._adapt(timing, outcome, stats)
        self._write_health(runlog)

    def _crawl(
        self, outlet: str, scheduled_at: datetime | None, lock: OutletLock, runlog: RunLog
    ) -> tuple[str, dict[str, Any] | None]:
        started = self._clock()
        run_id = _new_run_id(outlet, started)
        stats_path = self._stats_path(run_id)
        stats_path.parent.mkdir(parents=True, exist_ok=True)
        argv = self.command.argv(outlet=outlet, run_id=run_id, stats_json=stats_path)
        try:
            process = CrawlProcess(argv, log_path=self.home / "logs" / f"{run_id}.log",
                                   keep_fds=lock.pass_fds(), env={**handoff_env({outlet: lock}), **dict(self.command.env)})
        except OSError as exc:
            note = f"could not start {argv[0]!r}: {exc}"
            log.error("%s: %s", outlet, note)
            _record_no_process(runlog, run_id, outlet, scheduled_at, started, outcome="failed", note=note)
            self._archive_record(run_id, outlet, started, "failed", note=note, argv=argv)
            return "failed", None
        lock.note_holder(process.pid)
        runlog.begin(run_id=run_id, outlet=outlet, scheduled_at=scheduled_at, started=started, pid=process.pid)
        with self._guard:
            self._running[outlet] = process
        if self._stopping.is_set():  # stop() began while this crawl was starting
            process.terminate()
        log.info("%s: crawl %s started (pid %d)", outlet, run_id, process.pid)
        try:
            exit_code = process.wait(self.max_runtime)
            timed_out = exit_code is None
            if timed_out:
                log.warning("%s: crawl %s passed --max-runtime %ss; stopping it", outlet, run_id, self.max_runtime)
                exit_code = process.stop(self.stop_grace)
        finally:
            process.kill()  # whatever the crawl left behind in its group
            with self._guard:
                self._running.pop(outlet, None)
        stats = read_stats(stats_path)
        outcome = crawl_outcome(exit_code, stats, timed_out=timed_out, stopped=self._stopping.is_set())
        note = f"stopped after {self.max_runtime:g} s (--max-runtime)" if timed_out else None
        runlog.finish(run_id, finished=self._clock(), outcome=outcome, exit_code=exit_code, stats=stats, note=note)
        stats_path.unlink(missing_ok=True)
        if stats is None:
            self._archive_record(run_id, outlet, started, outcome, note=note, argv=argv, pid=process.pid)
        log.info("%s: crawl %s ended: %s (exit %s)", outlet, run_id, outcome, exit_code)
        return outcome, stats

    def _settle_unfinished(self, outlet: str | None = None) -> None:
        """Complete rows left by a service that was killed while its crawls ran.

        Only rows whose outlet lock is free are settled: a crawl orphaned by the kill
        may still be running, and it is settled by the first run after it ends.
        """
        assert self._runlog is not None
        for row in self._runlog.unfinished():
            if outlet is not None and row.outlet != outlet:
                continue
            lock = self.lock(row.outlet)
            if outlet is None and not lock.acquire():
                continue
            try:
                stats = read_stats(self._stats_path(row.run_id))
                outcome = crawl_outcome(None, stats, timed_out=False, stopped=False) if stats else "lost"
                note = "the service stopped before this run ended"
                self._runlog.finish(row.run_id, finished=self._clock(), outcome=outcome, stats=stats, note=note)
                self._stats_path(row.run_id).unlink(missing_ok=True)
                if stats is None:
                    self._archive_record(row.run_id, row.outlet, parse_time(row.started), outcome, note=note, pid=row.pid)
            finally:
                if outlet is None:
                    lock.release()

    def _archive_record(
        self, run_id: str, outlet: str, started: datetime, outcome: str, *, note: str | None,
        argv: list[str] | None = None, pid: int | None = None,
    ) -> None:
        """Write the run record a crawl could not (killed, crashed, never started), so the
        archive's runs/ show every scheduled run. Failing to write it is logged, not fatal."""
        if self.archive is None:
            return
        record = {
            "run_id": run_id, "started": started.isoformat(), "finished": self._clock().isoformat(),
            "outcome": outcome, "note": note, "argv": argv and [redacted(part) for part in argv],
            "host": socket.gethostname(), "pid": pid,
            "written_by": "newsarchive schedule", "outlets": {outlet: {}}, "totals": {},
        }
        data = (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")
        try:
            store_from_uri(self.archive).put_bytes(run_key(run_id, started), data)
        except (StorageError, OSError) as exc:
            log.error("%s: could not write run record %s to %s: %s", outlet, run_id, self.archive, exc)

    def lock(self, outlet: str) -> OutletLock:
        """The outlet's lock as this service takes it (a file, or in Redis)."""
        store = store_from_uri(self.archive) if self.redis_url and self.archive else None
        return outlet_lock(outlet, home=self.home, archive_store=store, redis_url=self.redis_url, ttl=self.lock_ttl)

    def _stats_path(self, run_id: str) -> Path:
        return self.home / "runs" / f"{run_id}.json"

    # ------------------------------------------------------------------ after a run

    def _adapt(self, timing: OutletTiming, outcome: str, stats: dict[str, Any] | None) -> None:
        """Move an adaptive outlet's interval after a run that reached the outlet."""
        if timing.adaptive is None or self._stopping.is_set():
            return
        if outcome not in SUCCESS_OUTCOMES or not stats:
            return
        assert self._runlog is not None
        counts = (stats.get("outlets") or {}).get(timing.name) or stats.get("totals") or {}
        added = int(counts.get("articles_added", 0))
        current = self._runlog.interval(timing.name) or timing.first_interval()
        proposed = adapt_interval(current, added, timing.adaptive)
        if proposed != current:
            self._runlog.set_interval(timing.name, proposed, self._clock())
            assert self._scheduler is not None
            self._scheduler.reschedule_job(timing.name, trigger=make_trigger(timing, proposed))
            log.info("%s: %d new article(s); next visits every %gs", timing.name, added, proposed)

    def _write_health(self, runlog: RunLog) -> None:
        now = self._clock()
        rows = runlog.recent(since=now - _HEALTH_HISTORY)
        health = assess([run for row in rows for run in row_runs(row)], now)
        document = health_document(health, now)
        path = self.home / "health.json"
        temporary = path.with_suffix(".json.tmp")
        problems = set(document["problems"])
        with self._health_lock:  # two crawls may end at once
            temporary.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(temporary, path)
            new, self._problems = problems - self._problems, problems
        for line in sorted(new):
            log.warning("health: %s", line)

    # ------------------------------------------------------------------ the job store

    def _reconcile(self) -> None:
        """Make the stored jobs match the config: add, update, remove."""
        assert self._scheduler is not None and self._runlog is not None
        stored = {job.id: job for job in self._scheduler.get_jobs()}
        for name, timing in self.outlets.items():
            adapted = self._runlog.interval(name) if timing.adaptive else None
            if adapted is not None and not timing.adaptive[0] <= adapted <= timing.adaptive[1]:
                adapted = None  # the bounds changed since: start again from the config
            trigger = make_trigger(timing, adapted)
            job = stored.pop(name, None)
            if job is None:
                self._scheduler.add_job(
                    _fire, trigger, id=name, name=f"crawl {name}", kwargs={"outlet": name},
                    jobstore=_JOBSTORE, **self._job_options(),
                )
                log.info("%s: added (%s)", name, trigger)
                continue
            # Refreshes what older versions stored, keeping the stored next run time.
            self._scheduler.modify_job(
                name, func=_fire, name=f"crawl {name}", kwargs={"outlet": name}, **self._job_options()
            )
            if _trigger_key(job.trigger) != _trigger_key(trigger):
                self._scheduler.reschedule_job(name, trigger=trigger)
                log.info("%s: schedule changed to %s", name, trigger)
        for name in stored:
            self._scheduler.remove_job(name)
            log.info("%s: removed (no longer in the config)", name)

    def _job_options(self) -> dict[str, Any]:
        return {"misfire_grace_time": int(self.misfire_grace), "coalesce": True, "max_instances": 1}


# The service running in this process: stored jobs name a function, not an object.
_ACTIVE: SchedulerService | None = None


def _fire(outlet: str, scheduled_at: datetime | None = None) -> None:
    if _ACTIVE is None:
        raise RuntimeError(f"job for {outlet!r} fired with no SchedulerService running")
    _ACTIVE.run_outlet(outlet, scheduled_at)


class _Executor(ThreadPoolExecutor):
    """Hands each run its scheduled time, which APScheduler 3 does not pass to jobs."""

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        # A copy: the job itself is written back to the store, scheduled time excluded.
        copy = Job.__new__(Job)
        copy.__setstate__(job.__getstate__())
        copy._scheduler, copy._jobstore_alias = job._scheduler, job._jobstore_alias
        copy.kwargs = {**job.kwargs, "scheduled_at": run_times[-1]}
        super()._do_submit_job(copy, run_times)


class _Scheduler(BackgroundScheduler):
    """APScheduler 3's thread wakes once more after shutdown() and would submit every due
    job to the stopped executor, advancing it in the store: the run would be lost."""

    def _process_jobs(self) -> float | None:
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


def _new_scheduler(jobstore_url: str, *, max_parallel: int) -> BackgroundScheduler:
    return _Scheduler(
        jobstores={_JOBSTORE: SQLAlchemyJobStore(url=jobstore_url)},
        executors={"default": _Executor(max_workers=max_parallel)},
        timezone=timezone.utc,
    )


def _record_no_process(
    runlog: RunLog, run_id: str, outlet: str, scheduled_at: datetime | None, now: datetime, *, outcome: str, note: str
) -> None:
    """A run that ended before any crawl process ran (skipped, or the command failed)."""
    runlog.record(
        RunRow(
            run_id=run_id, outlet=outlet, scheduled_at=scheduled_at.isoformat() if scheduled_at else None,
            started=now.isoformat(), finished=now.isoformat(), outcome=outcome,
            exit_code=None, pid=None, stats=None, note=note,
        )
    )


def _job_info(job: Job, lock_for: Callable[[str], OutletLock]) -> JobInfo:
    return JobInfo(job.id, str(job.trigger), job.next_run_time, lock_for(job.id).holder())


def _trigger_key(trigger: BaseTrigger) -> tuple[str, str, Any]:
    return type(trigger).__name__, str(trigger), getattr(trigger, "jitter", None)


def _new_run_id(outlet: str, now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{outlet}-{secrets.token_hex(3)}"


def _is_cron(schedule: str) -> bool:
    return len(schedule.split()) == 5


_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _cron_weekdays(field: str) -> str:
    """A cron day-of-week field as day names: APScheduler 3 reads numbers from Monday=0,
    cron from Sunday=0, so numbers are expanded to the days cron means."""
    if field == "*" or re.search(r"[a-z]", field, re.IGNORECASE):
        return field
    days: list[str] = []
    for item in field.split(","):
        span, _, step = item.partition("/")
        if span == "*":
            low, high = 0, 6
        elif "-" in span:
            low, high = (int(part) for part in span.split("-", 1))
        else:
            low = int(span)
            high = 6 if step else low  # "1/2": from Monday on, every other day
        for day in range(low, high + 1, int(step or 1)):
            if _CRON_DAYS[day] not in days:
                days.append(_CRON_DAYS[day])
    return ",".join(days)
