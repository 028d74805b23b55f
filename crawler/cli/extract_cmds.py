"""``newsarchive extract`` and ``newsarchive eval``: extraction without network or archive."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from extract import extract_page

__all__ = ["COMMANDS"]


@click.command("extract")
@click.argument("source", type=click.File("rb"))
@click.option("--url", default=None, help="URL the page was fetched from (default: file:// path).")
@click.option("--charset", default=None, help="Charset the server declared, as an HTTP header would.")
def extract_cmd(source, url: str | None, charset: str | None) -> None:
    """Extract the article from a saved page FILE (or - for stdin); print its JSON."""
    body = source.read()
    if url is None:
        name = getattr(source, "name", "-")
        url = "stdin:" if name in ("-", "<stdin>") else Path(name).resolve().as_uri()
    headers = {"Content-Type": f"text/html; charset={charset}"} if charset else None
    result = extract_page(body, url, headers=headers)
    if result.article is None:
        reason = "; ".join(result.reasons)
        click.echo(f"not extracted: {result.rejection.value} ({result.page_type.value}: {reason})", err=True)
        sys.exit(2)
    click.echo(result.article.to_json(), nl=False)


COMMANDS: list[click.Command] = [extract_cmd]
