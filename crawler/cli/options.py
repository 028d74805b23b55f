"""Options shared by several commands, so they read the same everywhere."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

import click

if TYPE_CHECKING:
    from archive import ObjectStore

__all__ = [
    "redis_option", "archive_option", "output_option", "settings_option", "parse_settings", "log_level", "check_archive",
    "report_spool", "fail", "usable_home", "EXIT_OK", "EXIT_ERRORS", "EXIT_USAGE", "EXIT_FLAGGED", "EXIT_INTERRUPTED",
]

# One table of exit statuses for every command (the README repeats it).
EXIT_OK = 0           # done
EXIT_ERRORS = 1       # ran, but the outcome is not clean: errors, data left in the spool, no article
                      # (fetch/extract), problems found (verify), an outlet locked by another crawl
EXIT_USAGE = 2        # usage, configuration or set-up error, found before the first request:
                      # bad option, unknown outlet, invalid config, archive that is missing,
                      # unwritable or unreachable, missing credentials, unusable home, Redis down
EXIT_FLAGGED = 3      # `health` flagged an outlet
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGTERM


def fail(command: str, message: str, status: int = EXIT_USAGE) -> NoReturn:
    """One line on stderr, then exit with ``status``."""
    click.echo(f"newsarchive {command}: {message}", err=True)
    raise SystemExit(status)

def usable_home(command: str) -> Path:
    """``$NEWSARCHIVE_HOME`` (made if missing), or a one-line set-up error and exit 2."""
    from archive.local import home_dir

    home = home_dir()
    if home.exists() and not home.is_dir():
        problem = "it is a file"
    else:
        try:
            home.mkdir(parents=True, exist_ok=True)
            problem = "" if os.access(home, os.W_OK | os.X_OK) else "it is not writable"
        except OSError as exc:
            problem = f"it cannot be made ({exc.strerror or exc})"
    if problem:
        fail(command, f"NEWSARCHIVE_HOME ({home}) must be a folder this user can write: {problem}")
    return home


def _output_path(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A file to write: its folder must exist (checked before anything is read or built)."""
    if value is not None and str(value) != "-" and not value.absolute().parent.is_dir():
        raise click.BadParameter(f"folder {value.absolute().parent} does not exist; create it first")
    return value


def output_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output FILE`` ('-' for stdout where the command allows it)."""
    return click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
                        callback=_output_path, help=help_text)


archive_option = click.option(
    "--archive",
    default="./archive",
    show_default=True,
    envvar="NEWSARCHIVE_ARCHIVE",
    help="Archive location: a folder, or s3://bucket/prefix (AWS_ENDPOINT_URL, AWS_PROFILE honoured).",
)


redis_option = click.option(
    "--redis",
    "redis_url",
    envvar="NEWSARCHIVE_REDIS",
    metavar="URL",
    help="Share the crawl with other workers: request queue, seen filter and crawl state in "
         "Redis (redis://HOST:PORT/DB). Default: one process, state in NEWSARCHIVE_HOME.",
)


def settings_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-s", "--set", "settings", multiple=True, metavar="NAME=VALUE",
        help="Override a Scrapy/newsarchive setting, as with `scrapy crawl -s` (repeatable).",
    )(func)


def parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        result[name.strip()] = value
    return result


def log_level(default: str = "WARNING") -> str:
    """Scrapy's LOG_LEVEL from the global -v/-vv flag."""
    verbose = click.get_current_context().find_root().params.get("verbose", 0)
    return {0: default, 1: "INFO"}.get(verbose, "DEBUG")


def check_archive(archive: str, command: str, *, must_exist: bool = False, must_write: bool = False) -> ObjectStore:
    """The store an --archive value names; exit 2 with one line when it cannot be one.

    Only the name is checked here: writers check credentials, bucket and writability
    before their first request (``archive.storage.preflight``, in the runner).
    ``must_exist``: readers want an archive that is there (a local folder, not an empty
    new one; a bucket that exists and can be read): a missing one is exit 2 either way.
    ``must_write``: the whole write check now (``flush``, whose every step is an upload).
    """
    from archive import LocalStore, StorageError, store_from_uri
    from archive.storage import preflight

    if not archive.strip():
        fail(command, "--archive (or NEWSARCHIVE_ARCHIVE) is empty: give a folder or s3://bucket/prefix")
    try:
        store = store_from_uri(archive)
    except StorageError as exc:
        fail(command, str(exc))
    if isinstance(store, LocalStore):
        if store.root.exists() and not store.root.is_dir():
            fail(command, f"{store.root} is a file, not a folder: check --archive (or NEWSARCHIVE_ARCHIVE)")
        if must_exist and not store.root.is_dir():
            fail(command, f"no archive at {store.root}: check --archive (or NEWSARCHIVE_ARCHIVE; default ./archive)")
    if must_write or (must_exist and not isinstance(store, LocalStore)):
        try:
            preflight(store, write=must_write)
        except StorageError as exc:
            fail(command, str(exc))
    return store


def report_spool(summary: dict[str, Any], command: str) -> bool:
    """Say (one line) when data could not reach the store; True if some is pending."""
    pending = summary.get("pending") or []
    if summary.get("disk_full"):
        click.echo(
            f"newsarchive {command}: the disk under NEWSARCHIVE_HOME (the spool) is full; what was written is "
            "kept and nothing finished is lost: free space, then run `newsarchive flush` and the same command again",
            err=True,
        )
        return True
    if not pending:
        return False
    errors = "; ".join(summary.get("storage_errors") or []) or "upload failed"
    click.echo(
        f"newsarchive {command}: {len(pending)} object(s) wait in the local spool, not yet in "
        f"{summary.get('store') or 'the archive'} ({errors}); run `newsarchive flush` when the store is reachable",
        err=True,
    )
    return True
