"""``newsarchive``: the command line.

Each command module exposes ``COMMANDS`` (a list of click commands); this module only
assembles them, so command groups can grow without touching each other.
"""

from __future__ import annotations

import importlib
import logging
from contextlib import contextmanager
from typing import IO, Any, Iterator

import click

__all__ = ["main"]

# Click's own usage errors are three lines (usage, a hint, the error); ours are one.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # Click 8.2+: shows the help


class _UsageLine(click.UsageError):
    """A usage error shown as one line, ``newsarchive <command>: <message> (see --help)``."""

    def show(self, file: IO[Any] | None = None) -> None:
        names, ctx = [], self.ctx
        while ctx is not None and ctx.parent is not None:  # the root is "newsarchive", however started
            names.insert(0, ctx.info_name or "")
            ctx = ctx.parent
        where = " ".join(["newsarchive", *names])
        message = self.format_message().rstrip()
        if message.endswith(".") and not message.endswith(".."):
            message = message[:-1]
        if message[:1].isupper() and message[1:2].islower():  # "No such option", not "ARTICLE_ID"
            message = message[0].lower() + message[1:]
        click.echo(f"{where}: {message} (see --help)", err=True)


@contextmanager
def _usage_in_one_line() -> Iterator[None]:
    try:
        yield
    except click.UsageError as exc:
        if isinstance(exc, (_UsageLine, _NO_ARGS_IS_HELP)):
            raise
        line = _UsageLine(exc.format_message(), exc.ctx)
        line.exit_code = exc.exit_code
        raise line from exc


class _Group(click.Group):
    """The top-level group: every usage error below it (a bad option or value, a missing
    argument, an unknown command, a ``click.BadParameter`` raised by a command) is one line."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        with _usage_in_one_line():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _usage_in_one_line():
            return super().invoke(ctx)


_COMMAND_MODULES = (
    "crawler.cli.fetch",
    "crawler.cli.crawl",
    "crawler.cli.workers",
    "crawler.cli.outlets_cmds",
    "crawler.cli.extract_cmds",
    "crawler.cli.archive_cmds",
    "crawler.cli.replay_cmds",
    "crawler.cli.report_cmds",
    "crawler.cli.schedule_cmds",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="newsarchive", prog_name="newsarchive")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def main(verbose: int) -> None:
    """Crawl news outlets into a WARC + clean-JSON archive, and read it back.

    The archive is a local folder (default ./archive) or s3://bucket/prefix; S3 uses the
    standard AWS settings (AWS_ENDPOINT_URL, AWS_PROFILE, credentials from the environment).
    Local state (spool, crawl state, job store) lives in $NEWSARCHIVE_HOME (./.newsarchive).
    """
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        from crawler.logs import quiet_libraries

        quiet_libraries()


for _name in _COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        main.add_command(_command)

if __name__ == "__main__":
    main()
