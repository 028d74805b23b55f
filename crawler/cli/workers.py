"""``newsarchive worker`` and ``newsarchive workers``: many machines on one frontier."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from crawler.cli.options import archive_option, check_archive, log_level, parse_settings, redis_option, settings_option
from crawler.cli.runrecord import recorded_run

__all__ = ["COMMANDS"]

# A worker whose last heartbeat is older than this is probably gone (its leases expire).
_STALE_S = 120


@click.command()
@archive_option
@redis_option
@click.option("--config", "configs", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Extra outlets YAML, as the crawls that seed the queue use (repeatable).")
@click.option("--run-id", help="Run id (default: time stamp + random suffix).")
@click.option("--stats-json", type=click.Path(dir_okay=False, path_type=Path), help="Also write the run record here.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line and no table; only errors.")
@settings_option
def worker(archive: str, redis_url: str | None, configs: tuple[Path, ...], run_id: str | None,
           stats_json: Path | None, quiet: bool, settings: tuple[str, ...]) -> None:
    """Work on the archive's shared crawl queue until it is done.

    Takes requests that `newsarchive crawl --redis` or `newsarchive schedule --redis
    --enqueue` put in the queue, for any configured outlet, and archives them into
    --archive (each worker writes its own WARC files). Exits 0 when the queue has been
    empty and no worker has held a request for NEWSARCHIVE_REDIS_IDLE seconds (-s to
    change it); a killed worker's requests go back to the others.
    """
    from crawler.cli.crawl import finish, run_crawl
    from crawler.outlets import ConfigError, load_outlets
    from crawler.runner import build_settings
    from crawler.spiders.outlet import OutletSpider

    if not redis_url:
        _usage("worker", "give --redis URL (or NEWSARCHIVE_REDIS): the queue to work on")
    try:
        specs = load_outlets(list(configs))
    except ConfigError as exc:
        _usage("worker", str(exc))
    check_archive(archive, "worker")
    overrides = {"LOG_LEVEL": log_level("ERROR" if quiet else "WARNING")}
    if quiet:
        overrides["NEWSARCHIVE_PROGRESS"] = "False"
    overrides.update(parse_settings(settings))
    scrapy_settings = build_settings(archive=archive, run_id=run_id, specs=specs, overrides=overrides,
                                     redis_url=redis_url)
    # Which outlets it crawls is known at its end; till then, any configured one.
    with recorded_run("worker", scrapy_settings.get("NEWSARCHIVE_RUN_ID"), ",".join(sorted(specs))) as recorded:
        result = run_crawl(OutletSpider, scrapy_settings, stats_json, "worker", specs=specs, seed=False)
        recorded.stats = result.record
        finish(result, quiet, "worker")


@click.command()
@archive_option
@redis_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def workers(archive: str, redis_url: str | None, as_json: bool) -> None:
    """Show the archive's shared crawl: queue length, leases, and each worker's heartbeat."""
    import redis

    from archive.local import archive_id
    from crawler.frontier import redis_client
    from crawler.rediskeys import RedisKeys

    if not redis_url:
        _usage("workers", "give --redis URL (or NEWSARCHIVE_REDIS)")
    keys = RedisKeys(archive_id(check_archive(archive, "workers")))
    try:
        client = redis_client(redis_url)
        queued, leased = client.zcard(keys.queue), client.zcard(keys.leases)
        beats = {name.decode(): json.loads(raw) for name, raw in client.hgetall(keys.workers).items()}
    except (redis.RedisError, ValueError) as exc:
        _usage("workers", f"cannot read Redis at {redis_url}: {exc}")
    now = time.time()
    for beat in beats.values():
        beat["age_s"] = round(now - beat.get("at", 0), 1)
        if beat.get("state") != "exited" and beat["age_s"] > _STALE_S:
            beat["state"] = "silent"
    if as_json:
        click.echo(json.dumps({"queued": queued, "leased": leased, "workers": beats}, indent=2, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"queue {queued} waiting, {leased} leased", title_justify="left")
    for column in ("worker", "state", "pages", "articles", "errors", "held", "requeued", "last beat"):
        table.add_column(column, justify="left" if column in ("worker", "state") else "right")
    for name, beat in sorted(beats.items(), key=lambda item: -item[1].get("at", 0)):
        table.add_row(name, beat.get("state", "?"), *(str(beat.get(k, 0)) for k in
                      ("pages", "articles", "errors", "held", "requeued")), f"{beat['age_s']} s ago")
    Console(width=160).print(table)


def _usage(command: str, message: str) -> None:
    click.echo(f"newsarchive {command}: {message}", err=True)
    sys.exit(2)


COMMANDS = [worker, workers]
