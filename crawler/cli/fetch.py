"""``newsarchive fetch URL``: one page through the crawl machinery into the archive."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from crawler.cli.options import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    archive_option,
    check_archive,
    fail,
    log_level,
    parse_settings,
    report_spool,
    settings_option,
)
from crawler.cli.runrecord import recorded_run

__all__ = ["COMMANDS"]


@click.command()
@click.argument("url")
@archive_option
@click.option("--outlet", help="Outlet name to file the article under (default: none, _adhoc).")
@click.option("-q", "--quiet", is_flag=True, help="Print a one-line summary instead of the article JSON.")
@click.option("--ignore-robots", is_flag=True, help="Fetch even if robots.txt disallows it.")
@settings_option
def fetch(url: str, archive: str, outlet: str | None, quiet: bool, ignore_robots: bool, settings: tuple[str, ...]) -> None:
    """Fetch URL, archive the exchange as WARC, extract and archive the article.

    Prints the article JSON. Exits 1 with a one-line reason when the fetch fails, the
    response is not HTML or no article can be extracted; the WARC capture is kept. Exits 2
    for a malformed URL or an archive that cannot be used, before any request. Redirects
    are followed, but never from a public address to a private, loopback or link-local one.
    """
    from crawler.runner import SetupError, build_settings, run
    from crawler.spiders.page import PageSpider
    from crawler.urls import InvalidURL, canonicalize_url

    try:
        canonicalize_url(url)
    except InvalidURL as exc:
        fail("fetch", f"{exc}: give an absolute http:// or https:// URL", EXIT_USAGE)
    check_archive(archive, "fetch")
    overrides = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "NEWSARCHIVE_EXTRACT_WORKERS": "0",  # one page: not worth starting processes for
        "NEWSARCHIVE_PROGRESS": "False",
        "RETRY_TIMES": "1",
        "LOG_LEVEL": log_level("ERROR"),
    }
    if ignore_robots:
        overrides["ROBOTSTXT_OBEY"] = "False"
    overrides.update(parse_settings(settings))
    scrapy_settings = build_settings(archive=archive, overrides=overrides)
    with recorded_run("fetch", scrapy_settings.get("NEWSARCHIVE_RUN_ID"), outlet or "") as recorded:
        try:
            result = run(PageSpider, scrapy_settings, url=url, outlet=outlet, keep_events=True)
        except SetupError as exc:
            fail("fetch", str(exc), EXIT_USAGE)
        recorded.stats = result.record
        _report(result, quiet)


def _report(result: Any, quiet: bool) -> NoReturn:
    """The article (or why there is none) and the exit status."""
    spooled = report_spool(result.archive, "fetch")
    for name, event in result.events:
        if name == "article":
            article = event["article"]
            if quiet:
                where = event["key"] or "unchanged, already archived"
                click.echo(f"{article.id}\t{article.published or '-'}\t{article.title or '-'}\t{where}")
            else:
                sys.stdout.write(article.to_json())
            sys.exit(EXIT_ERRORS if spooled else EXIT_OK)
        if name == "rejected":
            reasons = "; ".join(event["reasons"]) or "no reason given"
            _fail(f"not an article ({event['page_type']}): {reasons}; the capture is in the WARC")
        if name == "failed":
            _fail(f"fetch failed ({event['kind']}): {event['message']}")
    if result.record["totals"]["skipped_robots"]:
        _fail("robots.txt disallows this URL (use --ignore-robots to fetch it anyway)")
    _fail(f"nothing was fetched (crawl ended: {result.finish_reason})")


def _fail(message: str) -> NoReturn:
    fail("fetch", message, EXIT_ERRORS)


COMMANDS = [fetch]
