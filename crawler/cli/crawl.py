"""``newsarchive crawl``: crawl configured outlets into the archive."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import (
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    archive_option,
    check_archive,
    fail,
    log_level,
    parse_settings,
    redis_option,
    report_spool,
    settings_option,
)
from crawler.cli.runrecord import recorded_run

__all__ = ["COMMANDS", "stats_table"]

_COLUMNS = (
    ("pages", "pages_fetched"),
    ("new", "articles_added"),
    ("updated", "articles_updated"),
    ("merged", "articles_merged"),
    ("unchanged", "unchanged"),
    ("filtered", "skipped_filter"),
    ("robots", "skipped_robots"),
    ("off-topic", "skipped_topic"),
    ("too old", "skipped_old"),
    ("offsite", "skipped_offsite"),
)


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--since, checked as the spider will read it (a usage error, exit 2)."""
    from crawler.spiders.outlet import parse_since

    try:
        parse_since(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or time (e.g. 2026-11-01)") from None
    return value


@click.command()
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--all", "all_outlets", is_flag=True, help="Crawl every configured outlet.")
@click.option("--config", "configs", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Extra outlets YAML: adds outlets or overrides shipped ones (repeatable).")
@archive_option
@click.option("--limit", type=click.IntRange(min=1), help="At most N article requests per outlet.")
@click.option("--since", metavar="DATE", callback=_since,
              help="Skip feed/sitemap entries published before DATE (ISO 8601; a date alone is midnight UTC). "
                   "Replaces the outlets' max_age_days window; entries without a date and links found on "
                   "section pages are still fetched.")
@click.option("--run-id", help="Run id (default: time stamp + random suffix).")
@click.option("--stats-json", type=click.Path(dir_okay=False, path_type=Path), help="Also write the run record here.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line and no table; only errors.")
@redis_option
@click.option("--enqueue-only", is_flag=True,
              help="With --redis: put the outlets' discovery in the shared queue for the workers and exit.")
@settings_option
def crawl(names: tuple[str, ...], all_outlets: bool, configs: tuple[Path, ...], archive: str, limit: int | None,
          since: str | None, run_id: str | None, stats_json: Path | None, quiet: bool, redis_url: str | None,
          enqueue_only: bool, settings: tuple[str, ...]) -> None:
    """Crawl outlets (by NAME, or --all) into the archive.

    Discovers articles through each outlet's feeds, sitemaps and section pages, archives
    every fetch as WARC and every new or changed article as JSON. A second crawl of an
    unchanged site archives nothing new. Exit status: 0 ok, 1 finished with errors,
    2 bad usage or config, 130 interrupted. Same as `scrapy crawl outlet -a outlet=NAME`.

    With --redis the crawl joins the archive's shared frontier: start the same command (or
    `newsarchive worker`) on other machines and they share the work; each exits when the
    queue is empty and no worker holds a request.
    """
    from archive.local import home_dir
    from crawler.outlets import ConfigError, load_outlets
    from crawler.runner import build_settings
    from crawler.service.locks import LockBusy, LockError, hold_outlet_locks
    from crawler.spiders.outlet import OutletSpider

    if names and all_outlets:
        _usage("give outlet names or --all, not both")
    if enqueue_only and not redis_url:
        _usage("--enqueue-only needs --redis (or NEWSARCHIVE_REDIS): the queue it fills")
    if not names and not all_outlets:
        _usage("name one or more outlets, or use --all (see `newsarchive outlets`)")
    try:
        specs = load_outlets(list(configs))
    except ConfigError as exc:
        _usage(str(exc))
    chosen = sorted(specs) if all_outlets else list(names)
    unknown = [n for n in chosen if n not in specs]
    if unknown:
        _usage(f"unknown outlet(s): {', '.join(unknown)}; configured: {', '.join(sorted(specs))}")
    store = check_archive(archive, "crawl")
    overrides = {"LOG_LEVEL": log_level("ERROR" if quiet else "WARNING")}
    if quiet:
        overrides["NEWSARCHIVE_PROGRESS"] = "False"
    overrides.update(parse_settings(settings))
    scrapy_settings = build_settings(archive=archive, run_id=run_id, specs={n: specs[n] for n in chosen},
                                     overrides=overrides, redis_url=redis_url, enqueue_only=enqueue_only)
    # The scheduling service's outlet locks: a crawl by hand never overlaps a scheduled
    # one of the same outlet and archive (on any machine, with --redis).
    # Once the outlets are ours the run is in the run log, its exit status too when it ends.
    try:
        with hold_outlet_locks(chosen, home=home_dir(), archive_store=store, redis_url=redis_url), \
                recorded_run("crawl", scrapy_settings.get("NEWSARCHIVE_RUN_ID"), ",".join(chosen)) as recorded:
            result = run_crawl(OutletSpider, scrapy_settings, stats_json, "crawl",
                               outlet=",".join(chosen), specs=specs, since=since, limit=limit)
            recorded.stats = result.record
            finish(result, quiet, "crawl")
    except LockBusy as exc:
        click.echo(f"newsarchive crawl: {exc}", err=True)
        sys.exit(EXIT_ERRORS)
    except LockError as exc:
        _usage(str(exc))


def run_crawl(spider: type, settings: Any, stats_json: Path | None, command: str, **spider_kwargs: Any) -> Any:
    """Run one crawl; a set-up error (home, archive, Redis) is one line and exit 2."""
    from crawler.runner import SetupError, run

    try:
        return run(spider, settings, stats_json=stats_json, **spider_kwargs)
    except SetupError as exc:
        click.echo(f"newsarchive {command}: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def finish(result: Any, quiet: bool, command: str) -> None:
    """The stats table, a word on the spool, and the exit status of a finished crawl."""
    record = result.record
    if not quiet:
        stats_table(record)
    spooled = report_spool(result.archive, command)
    outcome = record["outcome"]
    if outcome == "interrupted":
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_OK if outcome == "ok" and not spooled else EXIT_ERRORS)


def stats_table(record: dict[str, Any]) -> None:
    """The final per-outlet table, as `scrapy` users expect from a crawl's end."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"run {record['run_id']}: {record['outcome']}", title_justify="left")
    table.add_column("outlet")
    for label, _ in _COLUMNS:
        table.add_column(label, justify="right")
    table.add_column("non-articles")
    table.add_column("errors")
    rows = list(record["outlets"].items()) + [("total", record["totals"])]
    for name, stats in rows:
        table.add_row(
            name,
            *(str(stats.get(key, 0)) for _, key in _COLUMNS),
            _breakdown(stats.get("non_articles", {})),
            _breakdown(stats.get("errors", {})),
            end_section=name == rows[-2][0] if len(rows) > 1 else False,
        )
    Console(width=160).print(table)


def _breakdown(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "-"


def _usage(message: str) -> None:
    fail("crawl", message, EXIT_USAGE)


COMMANDS = [crawl]
