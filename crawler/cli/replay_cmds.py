"""``newsarchive replay`` (pywb over the archive) and ``reindex`` (repair old replay indexes)."""

from __future__ import annotations

import json
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from crawler.cli.archive_cmds import _existing, _fails_cleanly
from crawler.cli.options import archive_option, fail

__all__ = ["COMMANDS"]


@click.command("replay")
@archive_option
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--id", "article_id", default=None, metavar="ID", help="Print this article's replay URL.")
@click.option("--install-pywb", is_flag=True, help="Only install pywb (its own virtualenv) and exit.")
@_fails_cleanly
def replay_cmd(archive: str, port: int, article_id: str | None, install_pywb: bool) -> None:
    """Serve the archive through pywb on 127.0.0.1 until Ctrl-C (or SIGTERM).

    Every archived page replays as fetched (status, headers, body); an article's JSON is
    its own record, at `<collection><timestamp>id_/urn:article:<url>`. Prints the
    collection's URL and the replay URL of one article (--id, else the first found).

    pywb runs in its own virtualenv (its pins clash with newsarchive's): $NEWSARCHIVE_PYWB,
    else one made on first use beside newsarchive's. A local folder is read in place; for an
    s3:// archive the CDXJ indexes are downloaded into a temporary pywb collection and
    each record is read from the bucket when replayed. Captures stored after the start
    are seen after a restart.
    """
    from archive import ArchiveError, ArchiveReader
    from archive.replay import PywbServer, free_port, port_in_use, prepare_collection, pywb_bin, replay_url

    if port and not install_pywb and port_in_use(port):
        fail("replay", f"port {port} on 127.0.0.1 is in use: pick another with --port (0: any free port)")
    bin_dir = pywb_bin(say=lambda text: click.echo(text, err=True))
    if install_pywb:
        click.echo(f"pywb is installed: {bin_dir}")
        return
    store = _existing(archive)
    reader = ArchiveReader(store)
    article = reader.get(article_id) if article_id else next(iter(reader.articles()), None)
    with tempfile.TemporaryDirectory(prefix="newsarchive-replay-") as folder:
        prepare_collection(store, Path(folder))
        server = PywbServer(Path(folder), port or free_port(), bin_dir=bin_dir)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop pywb on the way out
        try:
            server.start()
            click.echo(f"replaying {store.uri} at {server.base_url} (Ctrl-C stops)")
            if article is not None:
                click.echo(f"{article.id}: {replay_url(server.base_url, article)}")
            sys.stdout.flush()
            status = server.wait()
            raise ArchiveError(f"pywb exited on its own ({status}): {server.log_tail()}")
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()


@click.command("reindex")
@archive_option
@click.option("--dry-run", is_flag=True, help="Count what would be rewritten; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@_fails_cleanly
def reindex_cmd(archive: str, dry_run: bool, as_json: bool) -> None:
    """Repair the replay indexes of WARCs written before article records were urn:-named.

    Older versions named each article JSON record by its page's URL, so replay served the
    JSON instead of the page. This rewrites those CDXJ lines under urn:article:<url>
    (WARC files are not changed); safe to run again, and beside a crawl.
    """
    from archive.index import reindex_article_records

    counts: dict[str, Any] = reindex_article_records(_existing(archive), dry_run=dry_run)
    if as_json:
        click.echo(json.dumps({**counts, "dry_run": dry_run}, sort_keys=True))
    else:
        would = "would be " if dry_run else ""
        click.echo(f"{counts['indexes']} indexes read, {counts['rewritten']} {would}rewritten "
                   f"({counts['records']} article records rekeyed)")


COMMANDS: list[click.Command] = [replay_cmd, reindex_cmd]
