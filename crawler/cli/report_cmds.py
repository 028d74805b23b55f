"""``newsarchive report``: one story across outlets, as a self-contained HTML page or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler.cli.archive_cmds import _date, _existing, _fails_cleanly, replay_base_option
from crawler.cli.options import archive_option, output_option

__all__ = ["COMMANDS"]


@click.command("report")
@archive_option
@click.option("--topic", default=None, help="Only articles tagged with this topic.")
@click.option("--outlet", default=None, help="Only this outlet.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", callback=_date, help="Published (else fetched) on or after.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", callback=_date, help="Published (else fetched) on or before.")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True)
@output_option("File to write ('-' for stdout).")
@replay_base_option
@_fails_cleanly
def report_cmd(archive: str, topic: str | None, outlet: str | None, since: str | None, until: str | None, fmt: str,
               output: Path, replay_base: str) -> None:
    """Coverage report: for each story (syndicated copies share a cluster), which outlets
    carried it, when, under which headline, with links to the page's replay and the JSON;
    a timeline of articles per outlet per day; the outlets' health (from the archive's run
    records, as `newsarchive health` judges it).

    HTML: one self-contained page (inline SVG plot, no scripts, nothing fetched from
    elsewhere) that opens offline. JSON: the same data, for notebooks.
    """
    from archive import ArchiveReader
    from crawler.report import build_report, render_html

    report = build_report(ArchiveReader(_existing(archive)), replay_base=replay_base, topic=topic, since=since,
                          until=until, outlet=outlet)
    text = render_html(report) if fmt == "html" else json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if str(output) == "-":
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(report['stories'])} stories, {report['articles']} articles, "
                   f"{len(report['outlets'])} outlets: {output}", err=True)


COMMANDS: list[click.Command] = [report_cmd]
