"""``newsarchive schedule``, ``runs`` and ``health``: the crawl service and what it saw."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import click

from crawler.cli.options import archive_option, parse_settings, settings_option, usable_home

__all__ = ["COMMANDS"]

_jobstore_option = click.option(
    "--jobstore",
    metavar="URL",
    help="SQLAlchemy URL of the job store and run log (default: sqlite:///$NEWSARCHIVE_HOME/jobs.sqlite).",
)


@click.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--list", "list_only", is_flag=True,
              help="Show the jobs (stored, or what would be scheduled from the config), their next run "
                   "times and running crawls; exit.")
@click.option("--config", "configs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra outlets YAML, as for `crawl` (repeatable).")
@archive_option
@_jobstore_option
@click.option("--max-runtime", type=click.FloatRange(min=1), default=3600, show_default=True, metavar="SECONDS",
              help="Stop a crawl still running after this long (SIGTERM, then SIGKILL); recorded as 'timeout'.")
@click.option("--stop-grace", type=click.FloatRange(min=0), default=60, show_default=True, metavar="SECONDS",
              help="How long a stopped crawl may take to close its WARCs and flush its spool before SIGKILL.")
@click.option("--max-parallel", type=click.IntRange(min=1), default=2, show_default=True,
              help="Crawls of different outlets running at once.")
@click.option("--redis", "redis_url", metavar="URL", envvar="NEWSARCHIVE_REDIS",
              help="Redis (redis://host:port/db) shared by many machines: outlet locks live there and "
                   "each run is a crawl worker using its queue. Env: NEWSARCHIVE_REDIS.")
@click.option("--enqueue", is_flag=True,
              help="With --redis: each run only puts the outlet's discovery requests into the Redis "
                   "queue (`crawl --enqueue-only`); workers started elsewhere crawl them.")
@settings_option
def schedule(names: tuple[str, ...], list_only: bool, configs: tuple[Path, ...], archive: str, jobstore: str | None,
             max_runtime: float, stop_grace: float, max_parallel: int, redis_url: str | None, enqueue: bool,
             settings: tuple[str, ...]) -> None:
    """Run the crawl service: each outlet (every configured one, or each NAME) crawled on
    its schedule, until SIGTERM or Ctrl-C.

    Schedules come from the outlets' `schedule` (cron line or interval such as 30m) with
    `jitter_seconds`; outlets with `adaptive: {min, max}` move their interval with how
    much they publish. Jobs live in a persistent job store: a run missed while the service
    was down runs once when it is back. Each run is a separate `newsarchive crawl`
    process, never two for one outlet. On SIGTERM/SIGINT running crawls are stopped
    cleanly (WARCs closed, spool flushed) before the service exits.

    \b
    Modes (--list says which one is in use):
      local    (default) each run crawls the outlet here; outlet lock: a file in $NEWSARCHIVE_HOME
      redis    (--redis) each run is a worker of the shared Redis queue; outlet lock in Redis
      enqueue  (--redis --enqueue) each run only enqueues the outlet for workers elsewhere
    """
    from crawler.outlets import ConfigError, load_outlets
    from crawler.service.jobs import MODES, CrawlCommand
    from archive import StorageError, store_from_uri
    from archive.storage import preflight
    from crawler.service.locks import LockError, check_redis
    from crawler.service.runlog import JobStoreError
    from crawler.service.service import (
        OutletTiming, SchedulerError, SchedulerService, default_jobstore_url, list_jobs, planned_jobs,
    )

    if enqueue and not redis_url:
        _usage("schedule", "--enqueue needs --redis (or NEWSARCHIVE_REDIS): the queue lives in Redis")
    home = usable_home("schedule")
    url = jobstore or default_jobstore_url(home)
    command = CrawlCommand.newsarchive(
        sys.executable, configs=[str(path.resolve()) for path in configs], archive=archive,
        redis_url=redis_url, enqueue=enqueue,
    ).with_args(*(arg for name, value in parse_settings(settings).items() for arg in ("-s", f"{name}={value}")))
    try:
        specs = load_outlets([path.resolve() for path in configs])
    except ConfigError as exc:
        _usage("schedule", str(exc))
    unknown = [name for name in names if name not in specs]
    if unknown:
        _usage("schedule", f"unknown outlet(s): {', '.join(unknown)}; configured: {', '.join(sorted(specs))}")
    if names:
        specs = {name: specs[name] for name in names}
    service = SchedulerService(
        [OutletTiming.of(spec) for spec in specs.values()], command=command, home=home, jobstore_url=url,
        max_runtime=max_runtime, stop_grace=stop_grace, max_parallel=max_parallel, archive=archive,
        redis_url=redis_url,
    )
    if list_only:
        click.echo(f"mode: {command.mode}: {MODES[command.mode]}")
        try:
            stored = list_jobs(url, service.lock)
        except (JobStoreError, LockError) as exc:
            _usage("schedule", str(exc))
        known = {job.outlet for job in stored}
        _print_jobs(stored, planned_jobs([t for t in service.outlets.values() if t.name not in known]))
        return
    if redis_url:
        try:
            check_redis(redis_url)  # set-up errors stop before anything runs or is printed
        except LockError as exc:
            _usage("schedule", str(exc))
    try:
        # A typo in the archive would otherwise fail every crawl (or fill the spool): refuse to start.
        preflight(store_from_uri(archive))
    except StorageError as exc:
        _usage("schedule", f"the archive cannot be used: {exc}")
    click.echo(f"newsarchive schedule: {len(specs)} outlet(s), job store {url}, mode {command.mode}; "
               "Ctrl-C or SIGTERM stops", err=True)
    try:
        service.run_forever()
    except (SchedulerError, JobStoreError, LockError) as exc:
        _usage("schedule", str(exc))


@click.command()
@click.option("--outlet", help="Only runs of this outlet.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Newest N runs.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of a table.")
@archive_option
@_jobstore_option
def runs(outlet: str | None, limit: int, as_json: bool, archive: str, jobstore: str | None) -> None:
    """Past runs, newest first: start, end, outcome, exit code and article counts.

    Two sources, merged by run id: the run log beside the job store (every run `schedule`
    started, including timeouts, runs skipped because the outlet was still busy, and runs
    lost when the service was killed; and every crawl, worker and fetch started by hand on
    this machine, written when it starts and completed with its exit code when it ends) and
    the archive's runs/ records (every crawl that wrote one, from any machine).

    A run still going shows as "running"; one whose process is gone without having recorded
    its end (kill -9, a crash) as "lost", with no exit code.
    """
    rows = _merged(list(_logged_runs(jobstore, outlet, limit)), _archive_runs(archive, outlet, limit), limit)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"runs (run log and archive {archive})", title_justify="left")
    for column in ("run", "outlet", "started", "took", "outcome", "exit", "new", "updated", "errors", "note"):
        table.add_column(column, justify="right" if column in ("exit", "new", "updated", "errors") else "left")
    for row in rows:
        totals = (row.get("stats") or {}).get("totals") or {}
        table.add_row(
            row["run_id"], _outlets_cell(row["outlet"]), _short(row["started"]), _took(row["started"], row.get("finished")),
            row.get("outcome") or "running", _text(row.get("exit_code")), _text(totals.get("articles_added")),
            _text(totals.get("articles_updated")),
            _text(sum((totals.get("errors") or {}).values()) if totals else None),
            row.get("note") or "",
        )
    Console(width=200).print(table)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The health document (as in $NEWSARCHIVE_HOME/health.json).")
@archive_option
@_jobstore_option
def health(as_json: bool, archive: str, jobstore: str | None) -> None:
    """Per-outlet health over the last 30 days, and one line per problem found.

    Shows the last new article, articles per day, error and block rates, and how often
    title, date and authors came out empty; flags outlets gone quiet (no new article for
    several usual gaps, or no successful run lately) and degraded ones (empty fields or
    errors jumped against their history). Exit status 0, or 3 when any outlet is flagged.
    Judged from the run log (the service's runs and those started by hand here) and the
    archive's runs/ records (crawls from any machine).
    """
    from crawler.service.health import assess, health_document, outlet_runs

    now = datetime.now(timezone.utc)
    since = now - timedelta(days=30)
    runlog = _runlog(jobstore, "health")
    try:
        rows = runlog.recent(since=since)
    finally:
        runlog.close()
    logged = {row.run_id for row in rows}
    history = [run for row in rows for run in _row_runs(row)]
    history += [run for record in _archive_records(archive, since) if record.get("run_id") not in logged
                for run in outlet_runs(record)]
    document = health_document(assess(history, now), now)
    if as_json:
        click.echo(json.dumps(document, indent=2, sort_keys=True))
    else:
        _print_health(document)
    if document["problems"]:
        sys.exit(3)


def _print_jobs(stored: list[Any], planned: list[Any]) -> None:
    """Stored jobs, then the configured outlets the service would add at its next start."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="scheduled jobs", title_justify="left")
    for column in ("outlet", "trigger", "next run (UTC)", "job", "running (host:pid)"):
        table.add_column(column)
    for job, state in [(job, "stored") for job in stored] + [(job, "not stored yet") for job in planned]:
        next_run = job.next_run.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if job.next_run else "paused"
        table.add_row(job.outlet, job.trigger, next_run, state, job.running or "")
    Console(width=160).print(table)
    if not stored:
        click.echo("no jobs stored yet: `newsarchive schedule` adds them from the outlets config "
                   "(next runs shown are what it would schedule if started now)", err=True)


def _print_health(document: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"outlet health at {_short(document['generated'])}", title_justify="left")
    for column in ("outlet", "runs", "last run", "last new article", "articles/day", "errors", "blocked",
                   "no title", "no date", "no author", "flags"):
        table.add_column(column)
    for name, item in document["outlets"].items():
        empty = item["empty"]
        table.add_row(
            name, str(item["runs"]), _short(item["last_run"]), _short(item["last_new_article"]),
            f"{item['articles_per_day']:g}", _percent(item["error_rate"]), _percent(item["block_rate"]),
            _percent(empty["title"]), _percent(empty["published"]), _percent(empty["authors"]),
            ", ".join(item["flags"]) or "ok",
        )
    console = Console(width=200)
    console.print(table)
    for line in document["problems"]:
        console.print(line, markup=False, highlight=False)
    if not document["outlets"]:
        click.echo("no runs recorded yet", err=True)


def _runlog(jobstore: str | None, command: str):
    from crawler.service.runlog import JobStoreError, RunLog
    from crawler.service.service import default_jobstore_url

    try:
        return RunLog(jobstore or default_jobstore_url(usable_home(command)))
    except JobStoreError as exc:
        _usage(command, str(exc))


def _row_runs(row: Any) -> list[Any]:
    """A run log row as health input, one per outlet it crawled."""
    from crawler.service.health import outlet_runs
    from crawler.service.service import row_runs

    if row.outcome in (None, "skipped") or (row.outlet and "," not in row.outlet):
        return row_runs(row)
    # A crawl by hand of several outlets, or a fetch (no outlet by name): its record says which.
    return outlet_runs(row.stats, outcome=row.outcome) if row.stats and row.stats.get("started") else []


def _logged_runs(jobstore: str | None, outlet: str | None, limit: int) -> Iterator[dict[str, Any]]:
    from crawler.service.runlog import as_seen

    runlog = _runlog(jobstore, "runs")
    try:
        rows = runlog.recent(outlet=outlet, limit=limit)
    finally:
        runlog.close()
    yield from (as_seen(row).to_dict() for row in rows)


def _merged(logged: list[dict[str, Any]], archived: Iterator[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` runs of both sources; a run in both is shown as the run log has it."""
    known = {row["run_id"] for row in logged}
    rows = logged + [row for row in archived if row["run_id"] not in known]
    return sorted(rows, key=lambda row: row["started"] or "", reverse=True)[:limit]


def _archive_records(uri: str, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """The archive's run records, newest first (keys start runs/YYYY/MM/DD/)."""
    from archive import StorageError, store_from_uri

    try:
        store = store_from_uri(uri)
        keys = sorted((key for key in store.list("runs/") if key.endswith(".json")), reverse=True)
    except StorageError as exc:
        _usage("runs", str(exc))
    for key in keys:
        if since is not None and key[len("runs/"):len("runs/") + 10] < since.strftime("%Y/%m/%d"):
            return
        with store.open(key) as handle:
            yield json.loads(handle.read())


def _archive_runs(uri: str, outlet: str | None, limit: int) -> Iterator[dict[str, Any]]:
    shown = 0
    for record in _archive_records(uri):
        # Names starting "_" are the crawl's own bookkeeping, not outlets.
        names = sorted(name for name in record.get("outlets") or {} if not name.startswith("_"))
        if outlet is not None and outlet not in names:
            continue
        yield {
            "run_id": record.get("run_id"), "outlet": ",".join(names), "started": record.get("started"),
            "finished": record.get("finished"), "outcome": record.get("outcome"), "exit_code": None,
            "stats": record, "note": record.get("note"), "scheduled_at": None, "pid": record.get("pid"),
            "host": record.get("host"), "command": None,
        }
        shown += 1
        if shown >= limit:
            return


def _outlets_cell(outlets: str) -> str:
    """Keep the table narrow: a crawl of many outlets is summarised (--json lists them)."""
    names = [n for n in outlets.split(",") if n]
    if not names:
        return "(fetch)"
    return ",".join(names) if len(names) <= 3 else f"{len(names)} outlets"


def _short(value: str | None) -> str:
    return value[:19].replace("T", " ") if value else "-"


def _took(started: str, finished: str | None) -> str:
    if not finished:
        return "-"
    from crawler.service.health import parse_time

    return f"{(parse_time(finished) - parse_time(started)).total_seconds():.0f}s"


def _text(value: Any) -> str:
    return "-" if value is None else str(value)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _usage(command: str, message: str) -> None:
    click.echo(f"newsarchive {command}: {message}", err=True)
    sys.exit(2)


COMMANDS = [schedule, runs, health]
