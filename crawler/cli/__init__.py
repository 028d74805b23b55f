"""``newsarchive``: the command line.

Each command module exposes ``COMMANDS`` (a list of click commands); this module only
assembles them, so command groups can grow without touching each other.
"""

from __future__ import annotations

import importlib
import logging

import click

__all__ = ["main"]

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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
