"""``newsarchive outlets``: list the configured outlets and validate outlet files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli.options import EXIT_USAGE, fail
from crawler.outlets import ConfigError, OutletSpec, load_outlets

__all__ = ["COMMANDS"]


_CONFIG_OPTION = click.option(
    "--config", "configs", multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Extra outlets YAML (or a folder of *.yaml): adds outlets or overrides shipped ones (repeatable).",
)


def _as_dict(spec: OutletSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "domains": list(spec.domains),
        "language": spec.language,
        "feeds": list(spec.feeds),
        "sitemaps": list(spec.sitemaps),
        "sections": list(spec.sections),
        "article_patterns": [p.pattern for p in spec.article_patterns],
        "exclude_patterns": [p.pattern for p in spec.exclude_patterns],
        "schedule": spec.schedule,
        "jitter_seconds": spec.jitter_seconds,
        "section_depth": spec.section_depth,
        "max_age_days": spec.max_age_days,
        "topics": {t.name: t.pattern for t in spec.topics},
        "require_topic": spec.require_topic,
        "adaptive": list(spec.adaptive) if spec.adaptive else None,
        "download_delay": spec.download_delay,
        "concurrency": spec.concurrency,
        "source": spec.source,
    }


def _load(configs: tuple[Path, ...], *, include_default: bool = True) -> dict[str, OutletSpec]:
    try:
        return load_outlets(list(configs), include_default=include_default)
    except ConfigError as exc:
        fail("outlets", str(exc), EXIT_USAGE)


def _sources(spec: OutletSpec) -> str:
    counts = (("feed", len(spec.feeds)), ("sitemap", len(spec.sitemaps)), ("section", len(spec.sections)))
    return "\n".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in counts if n)


def _table(specs: dict[str, OutletSpec]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(specs)} outlets", title_justify="left")
    for column in ("name", "language", "domains", "sources", "schedule", "topics"):
        table.add_column(column, no_wrap=column != "topics")
    for spec in specs.values():
        table.add_row(spec.name, spec.language or "-", "\n".join(spec.domains), _sources(spec),
                      spec.schedule, " ".join(t.name for t in spec.topics) or "-")
    # Piped output is read by people and tools alike: don't cut it at the 80-column default.
    Console(width=None if sys.stdout.isatty() else 120).print(table)


@click.group(invoke_without_command=True)
@_CONFIG_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the full specs as JSON instead of a table.")
@click.pass_context
def outlets(ctx: click.Context, configs: tuple[Path, ...], as_json: bool) -> None:
    """List the configured outlets: name, language, domains, sources, schedule.

    The shipped specs are config/outlets.yaml; --config files add or override outlets.
    `newsarchive outlets check FILE` validates a file; `outlets show NAME` prints one spec.
    """
    if ctx.invoked_subcommand is not None:
        ctx.obj = configs
        return
    specs = _load(configs)
    if as_json:
        click.echo(json.dumps([_as_dict(s) for s in specs.values()], ensure_ascii=False, indent=2))
    else:
        _table(specs)


@outlets.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--alone", is_flag=True, help="Validate without the shipped config (the files must be complete).")
def check(files: tuple[Path, ...], alone: bool) -> None:
    """Validate outlet FILES as `--config` would use them (exit 2 naming file, outlet, field)."""
    specs = _load(files, include_default=not alone)
    mentioned = {s.name for s in specs.values() if any(str(f) in s.source for f in files)}
    click.echo(f"ok: {len(mentioned)} outlet(s) defined or overridden by {', '.join(map(str, files))}: "
               f"{', '.join(sorted(mentioned)) or '(none)'}")


@outlets.command()
@click.argument("name")
@_CONFIG_OPTION
@click.pass_obj
def show(group_configs: tuple[Path, ...], name: str, configs: tuple[Path, ...]) -> None:
    """Print the merged spec of outlet NAME as JSON (after --config overrides, given here or before `show`)."""
    specs = _load(tuple(group_configs or ()) + configs)
    if name not in specs:
        fail("outlets show", f"unknown outlet {name!r}; configured: {', '.join(specs)}", EXIT_USAGE)
    click.echo(json.dumps(_as_dict(specs[name]), ensure_ascii=False, indent=2))


COMMANDS = [outlets]
