"""``newsarchive extract`` and ``newsarchive eval``: extraction without network or archive."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from crawler.cli.options import EXIT_ERRORS

__all__ = ["COMMANDS"]


@click.command("extract")
@click.argument("source", type=click.File("rb"))
@click.option("--url", default=None, help="URL the page was fetched from (default: file:// path).")
@click.option("--charset", default=None, help="Charset the server declared, as an HTTP header would.")
def extract_cmd(source, url: str | None, charset: str | None) -> None:
    """Extract the article from a saved page FILE (or - for stdin); print its JSON.

    Pure: no network and no archive. Exit status: 0 an article, 1 not an article (one line
    saying why: the page type and the reasons), 2 bad usage.
    """
    from extract import extract_page

    body = source.read()
    if url is None:
        name = getattr(source, "name", "-")
        url = "stdin:" if name in ("-", "<stdin>") else Path(name).resolve().as_uri()
    headers = {"Content-Type": f"text/html; charset={charset}"} if charset else None
    result = extract_page(body, url, headers=headers)
    if result.article is None:
        reason = "; ".join(result.reasons)
        click.echo(f"newsarchive extract: not an article: {result.rejection.value} "
                   f"({result.page_type.value}: {reason})", err=True)
        sys.exit(EXIT_ERRORS)  # as `fetch` does for the same page
    click.echo(result.article.to_json(), nl=False)


def _default_corpus() -> Path:
    # The shared corpus sits beside the checkout (../shared/corpus), as in CI.
    return Path(__file__).resolve().parents[3] / "shared" / "corpus"


@click.command("eval")
@click.argument("corpus", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--fixtures",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pages",
    help="Pages with expected JSON and labelled noise (default: the repo's seed fixtures).",
)
@click.option("--only", multiple=True, type=click.Choice(["newsarchive", "trafilatura"]), help="Run only these.")
@click.option("--failures", is_flag=True, help="Also list per-page metadata misses and leaked noise lines.")
def eval_cmd(corpus: Path | None, fixtures: Path, only: tuple[str, ...], failures: bool) -> None:
    """Score newsarchive and bare trafilatura on a gold CORPUS (default ../shared/corpus).

    Prints body precision/recall/F1 (4-token shingles, as the corpus README defines),
    empty outputs, title/date/language accuracy per source, language group and language,
    noise lines leaked on the fixture pages, and time per page. CORPUS may also be a
    checkout of Zyte's article-extraction-benchmark (English news pages where the
    best published body figures were measured), scored by the same rules.
    """
    from extract.evaluation import evaluate, format_reports, is_corpus, load_corpus, load_fixtures

    # Trafilatura logs every page it gives up on; the table already counts them.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    if corpus is not None and not is_corpus(corpus):
        raise click.BadParameter(f"no gold.jsonl (or ground-truth.json and html/) in {corpus}: give a corpus "
                                 "folder (see ../shared/corpus) or a checkout of Zyte's article-extraction-benchmark",
                                 param_hint="CORPUS")
    corpus = corpus or _default_corpus()
    pages = []
    if is_corpus(corpus):
        pages += load_corpus(corpus)
    else:
        click.echo(f"no gold.jsonl in {corpus}; scoring the fixture pages only", err=True)
    if fixtures.is_dir():
        pages += load_fixtures(fixtures)
    if not pages:
        raise click.ClickException("no pages to score: pass a corpus directory that holds gold.jsonl")
    reports = evaluate(pages, only or ("newsarchive", "trafilatura"))
    click.echo(format_reports(reports))
    if failures:
        for report in reports:
            click.echo(f"== {report.name}: metadata misses and leaked noise")
            for line in report.failures + report.noise_leaked:
                click.echo(line)


COMMANDS: list[click.Command] = [extract_cmd, eval_cmd]
