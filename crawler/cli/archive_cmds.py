"""Commands that read and maintain the archive: ls, cat, raw, export, flush, verify, reextract.

Exit codes (``crawler.cli.options``): 0 done; 1 the archive or store reported a problem
while working (one line on stderr saying what to do), problems found (verify), data left
in the spool (flush, reextract); 2 a usage error, or an archive that is not there or cannot
be read (a missing folder and a missing bucket alike), found before anything is read.
"""

from __future__ import annotations

import functools
from datetime import date
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from archive import ArchiveError, ArchiveReader, ObjectStore, StorageError
from archive.session import flush_and_index
from archive.verify import verify_archive
from crawler.cli.options import (
    EXIT_ERRORS, archive_option, check_archive, fail, output_option, redis_option, usable_home,
)

__all__ = ["COMMANDS"]


def _fails_cleanly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Report the archive's domain errors as one line and exit 1, not as a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (ArchiveError, StorageError) as exc:
            click.echo(f"newsarchive {click.get_current_context().info_name}: {exc}", err=True)
            sys.exit(EXIT_ERRORS)

    return wrapper


def _existing(archive: str) -> ObjectStore:
    """The store to read; a local folder that is not there is a typo, not an empty archive."""
    return check_archive(archive, click.get_current_context().info_name, must_exist=True)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A YYYY-MM-DD option, checked before anything is read (a usage error, exit 2)."""
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD") from None
    return value


def _filters(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--outlet", default=None, help="Only this outlet (ad-hoc fetches: _adhoc)."),
            click.option("--since", default=None, metavar="YYYY-MM-DD", callback=_date,
                         help="Published (else fetched) on or after: the date as the page states it, "
                              "in its own time zone (a crawl's --since is an instant: a date is midnight UTC)."),
            click.option("--until", default=None, metavar="YYYY-MM-DD", callback=_date,
                         help="Published (else fetched) on or before."),
            click.option("--language", default=None, help="Only this language code (e.g. en, zh)."),
            click.option("--topic", default=None, help="Only articles tagged with this topic."),
        ]
    ):
        func = option(func)
    return func


# Where replay links point: by default what `newsarchive replay` serves (cat, report).
replay_base_option = click.option(
    "--replay-base", default="http://127.0.0.1:8080/archive/", show_default=True, envvar="NEWSARCHIVE_REPLAY_URL",
    metavar="URL", help="The replay collection's URL prefix, as `newsarchive replay` prints it.",
)


@click.command("ls")
@archive_option
@_filters
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of columns.")
@_fails_cleanly
def ls_cmd(archive: str, as_json: bool, **filters: Any) -> None:
    """List archived articles: id, outlet, published, title."""
    for article in ArchiveReader(_existing(archive)).articles(**filters):
        if as_json:
            row = {"id": article.id, "outlet": article.outlet, "published": article.published, "title": article.title,
                   "url": article.url, "language": article.language}
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
        else:
            click.echo(f"{article.id}  {article.outlet or '-':<16}  {article.published or '-':<25}  {article.title or ''}")


@click.command("cat")
@click.argument("article_id")
@archive_option
@click.option("--replay-url", is_flag=True, help="Print the URL that replays the article's page instead.")
@replay_base_option
@_fails_cleanly
def cat_cmd(article_id: str, archive: str, replay_url: bool, replay_base: str) -> None:
    """Print the JSON of article ARTICLE_ID (or, --replay-url, where its page replays)."""
    article = ArchiveReader(_existing(archive)).get(article_id)
    if replay_url:
        from archive.replay import replay_url as page_replay_url

        click.echo(page_replay_url(replay_base, article))
    else:
        click.echo(article.to_json(), nl=False)


@click.command("raw")
@click.argument("article_id")
@archive_option
@click.option("--body", is_flag=True, help="Only the body, with transfer and content encodings undone.")
@_fails_cleanly
def raw_cmd(article_id: str, archive: str, body: bool) -> None:
    """Print the HTTP response behind article ARTICLE_ID, byte for byte as archived."""
    reader = ArchiveReader(_existing(archive))
    article = reader.get(article_id)
    data = reader.decoded_response(article)[1] if body else reader.raw_response(article)
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@click.command("export")
@archive_option
@_filters
@click.option("--format", "fmt", type=click.Choice(["jsonl", "parquet", "wacz"]), default="jsonl", show_default=True)
@output_option("File to write ('-' for stdout, jsonl only).")
@_fails_cleanly
def export_cmd(archive: str, fmt: str, output: Path, **filters: Any) -> None:
    """Export matching articles to JSON lines, Parquet, or WACZ.

    WACZ (for replay tools: pywb, ReplayWeb.page): the pages as archived and each
    article's JSON record, with CDXJ index, page list (titles) and digests, made by the
    `wacz` package; `wacz validate -f FILE` checks it.
    """
    reader = ArchiveReader(_existing(archive))
    if str(output) == "-":
        if fmt != "jsonl":
            raise click.BadParameter(f"{fmt} cannot go to stdout; give a file name", param_hint="-o")
        count = reader.export_jsonl(sys.stdout, **filters)
    elif fmt == "jsonl":
        count = reader.export_jsonl(output, **filters)
    elif fmt == "wacz":
        count = reader.export_wacz(output, **filters)
    else:
        count = reader.export_parquet(output, **filters)
    click.echo(f"exported {count} articles to {output}", err=True)


@click.command("flush")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_fails_cleanly
def flush_cmd(archive: str, as_json: bool) -> None:
    """Upload what earlier runs left in this archive's spool ($NEWSARCHIVE_HOME/spool) to it."""
    from archive.local import spool_dir, spooled_elsewhere

    home = usable_home("flush")
    store = check_archive(archive, "flush", must_write=True)
    report = flush_and_index(store, spool_dir(home, store))
    if as_json:
        click.echo(json.dumps(report.to_dict(), sort_keys=True))
    else:
        click.echo(f"uploaded {len(report.uploaded)} objects, recovered {len(report.recovered)} unclosed files, "
                   f"{len(report.pending)} still pending")
    for other in spooled_elsewhere(home, store):
        click.echo(f"note: data for another archive waits in the spool: flush it with --archive {other}", err=True)
    if report.error:
        fail("flush", report.error, EXIT_ERRORS)


@click.command("verify")
@archive_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_fails_cleanly
def verify_cmd(archive: str, as_json: bool) -> None:
    """Check WARC records and digests, indexes, article links and manifests; exit 1 on any problem."""
    report = verify_archive(_existing(archive))
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True))
    else:
        for problem in report.problems:
            click.echo(str(problem))
        click.echo(f"{'ok' if report.ok else 'PROBLEMS'}: {report.warcs} WARC files ({report.records} records), "
                   f"{report.articles} articles, {report.ids} id entries, {report.manifests} manifests, "
                   f"{len(report.problems)} problems")
        if report.unindexed:
            click.echo(f"note: {report.unindexed} articles have no id entry (written before the id index); "
                       "`cat` and `raw` find them by listing, and `newsarchive reextract` writes the entries")
    if not report.ok:
        sys.exit(EXIT_ERRORS)


def _short(value: Any, width: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


@click.command("reextract")
@archive_option
@click.option("--outlet", default=None, help="Only this outlet.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", callback=_date,
              help="Published (else fetched) on or after; captures with no JSON: fetched on or after.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", callback=_date,
              help="Published (else fetched) on or before; captures with no JSON: fetched on or before.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Extraction processes  [default: number of cores].")
@redis_option
@click.option("--config", "configs", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Extra outlet config file or folder (for the outlets' topic filters); repeatable.")
@click.option("--json", "as_json", is_flag=True,
              help="JSON lines: one per changed/added/rejected/skipped/failed capture, then the totals.")
@_fails_cleanly
def reextract_cmd(archive: str, outlet: str | None, since: str | None, until: str | None, dry_run: bool,
                  jobs: int | None, redis_url: str | None, configs: tuple[Path, ...], as_json: bool) -> None:
    """Rebuild article JSON from the archived responses with the current extractor.

    Every HTML response in the WARCs is read (one capture per URL: the one its JSON came
    from, else the newest); missing JSON is written, changed JSON rewritten, and what
    changed reported. Safe beside a running crawl: a JSON fetched later is left alone.
    """
    from archive.local import spool_dir
    from crawler.outlets import ConfigError, load_outlets
    from crawler.reextract import default_jobs, reextract
    from crawler.state import open_state

    try:
        specs = load_outlets(list(configs))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc

    def show(outcome) -> None:
        if outcome.status == "unchanged" or (outcome.status == "rejected" and not as_json):
            return  # rejections are pages the crawl did not keep either: counted, not listed
        progress.clear()
        if as_json:
            click.echo(json.dumps(outcome.to_dict(), ensure_ascii=False, sort_keys=True))
            return
        click.echo(f"{outcome.id or outcome.url} {outcome.status}" + (f": {outcome.detail}" if outcome.detail else ""))
        for change in outcome.changes:
            click.echo(f"  {change.field}: {_short(change.old)} -> {_short(change.new)}")

    home = usable_home("reextract")
    store = _existing(archive)
    progress = _Progress(sys.stderr)
    state = None if dry_run else open_state(store, home=home, redis_url=redis_url or None, rebuild=False)
    try:
        report = reextract(store, spool_dir=spool_dir(home, store), since=since, until=until,
                           outlet=outlet, dry_run=dry_run, specs=specs, jobs=jobs or default_jobs(),
                           state=state, on_outcome=show, on_progress=progress.update)
    finally:
        progress.clear()
        if state is not None:
            state.close()
    counts = report.counts
    if as_json:
        click.echo(json.dumps({"counts": counts, "indexed": report.indexed, "dry_run": dry_run,
                               "seconds": round(report.seconds, 3), "session": report.session},
                              ensure_ascii=False, sort_keys=True, default=str))
    else:
        would = "would be " if dry_run else ""
        rate = report.total / report.seconds if report.seconds else 0.0
        click.echo(f"{report.total} captures in {report.seconds:.1f}s ({rate:.1f}/s): {counts['unchanged']} unchanged, "
                   f"{counts['changed']} {would}changed, {counts['added']} {would}added, "
                   f"{counts['rejected']} rejected, skipped: {counts['skipped']} newer or from another capture, "
                   f"{counts['failed']} failed; {report.indexed} id entries {would}written")
    if report.session and report.session["pending"]:
        fail("reextract", f"{len(report.session['pending'])} objects left in the spool; run `newsarchive flush`",
             EXIT_ERRORS)
    if counts["failed"]:
        sys.exit(EXIT_ERRORS)


class _Progress:
    """One status line on a terminal, redrawn at most every half second (nothing elsewhere)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._live = stream.isatty()
        self._started = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self._live or (now - self._drawn < 0.5 and done < total):
            return
        self._drawn = now
        elapsed = max(now - self._started, 1e-6)
        self._stream.write(f"\r\033[K{done}/{total} captures ({done / elapsed:.1f}/s) | {elapsed:.0f}s")
        self._stream.flush()

    def clear(self) -> None:
        if self._live and self._drawn:
            self._stream.write("\r\033[K")
            self._stream.flush()


COMMANDS: list[click.Command] = [ls_cmd, cat_cmd, raw_cmd, export_cmd, flush_cmd, verify_cmd, reextract_cmd]
