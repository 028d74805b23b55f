"""A WACZ of selected articles, made by the ``wacz`` package (Webrecorder's own tool).

The package gets one WARC holding exactly the selected articles' records, copied
byte for byte from the archive (each record is its own gzip member, so a copy is still a
valid member with valid digests): the page's ``response`` and the article JSON's
``metadata`` record (``urn:article:<url>``). It indexes them, lists the pages (ours: URL,
title, article id) and writes ``datapackage.json`` with every file's digest.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from archive.errors import ArchiveError
from archive.layout import warc_name
from archive.reader import ArchiveReader
from archive.warc import ARTICLE_URI_PREFIX, WarcWriter, parse_member, read_member
from extract.article import Article, WarcRef

__all__ = ["export_wacz"]


def export_wacz(reader: ArchiveReader, out: Path | str, *, title: str | None = None, **filters: Any) -> int:
    """Write the articles matching ``filters`` (as ``ArchiveReader.articles``) to the WACZ
    file ``out``; returns how many. ``ArchiveError`` if none match."""
    try:
        from wacz.main import main as wacz_main
    except ImportError as exc:  # wacz needs Python 3.11+
        raise ArchiveError("WACZ export needs the `wacz` package (Python 3.11+): pip install wacz") from exc
    title = title or "newsarchive export"
    articles = list(reader.articles(**filters))
    if not articles:
        raise ArchiveError(f"no article in {reader.store.uri} matches the filters: nothing to export")
    records = _json_records(reader)
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory(prefix="newsarchive-wacz-") as folder:
        warc = Path(folder) / warc_name(now, 1, "export", 0)
        _write_warc(reader, warc, articles, records, now)
        pages = Path(folder) / "pages.jsonl"
        _write_pages(pages, articles, title)
        log = io.StringIO()  # the tool narrates every step on stdout
        with contextlib.redirect_stdout(log):
            status = wacz_main(["create", "-o", str(out), "-p", str(pages), "--title", title,
                                str(warc)])
        if status != 0:
            raise ArchiveError(f"wacz create failed ({status}): {log.getvalue().strip()[-400:]}")
    return len(articles)


def _json_records(reader: ArchiveReader) -> dict[str, WarcRef]:
    """Response record id -> where the JSON record extracted from it sits (manifests say)."""
    found: dict[str, WarcRef] = {}
    for entry in reader.manifest_entries("article"):
        response, metadata = entry.get("warc"), entry.get("metadata_record")
        if response and metadata:
            found[response["record_id"]] = WarcRef(**metadata)
    return found


def _write_warc(reader: ArchiveReader, path: Path, articles: Iterable[Article], records: dict[str, WarcRef],
                now: datetime) -> None:
    with open(path, "wb") as out:
        writer = WarcWriter(out, file=path.name)
        writer.warcinfo(filename=path.name, date=now, info={
            "software": "newsarchive", "format": "WARC File Format 1.1",
            "description": f"articles exported from {reader.store.uri}",
        })
        copied: set[tuple[str, int]] = set()
        for article in articles:
            if article.warc is None:
                continue
            refs = [article.warc] + ([records[article.warc.record_id]] if article.warc.record_id in records else [])
            for ref in refs:
                if (ref.file, ref.offset) in copied:
                    continue
                member = reader.store.read_range(ref.file, ref.offset, ref.length)
                headers, _ = parse_member(read_member(member))
                if headers.get_header("WARC-Record-ID") != ref.record_id:
                    raise ArchiveError(f"{ref.file} at {ref.offset} is not record {ref.record_id}; run `newsarchive verify`")
                if headers.get_header("WARC-Type") == "metadata" and not (
                        headers.get_header("WARC-Target-URI") or "").startswith(ARTICLE_URI_PREFIX):
                    continue  # an old JSON record named by the page's URL would replay in its place
                out.write(member)
                copied.add((ref.file, ref.offset))


def _write_pages(path: Path, articles: Iterable[Article], title: str) -> None:
    """pages.jsonl as the wacz package takes it: a header, then one line per page (no
    ``ts``: it matches each URL to its record and fills in the capture time)."""
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": title}]
    for article in articles:
        if article.warc is not None:
            lines.append({"url": article.url, "title": article.title or article.url, "id": article.id,
                          **({"outlet": article.outlet} if article.outlet else {})})
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
