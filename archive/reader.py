"""Reading the archive, for consumers: articles, raw responses, runs, exports.

Everything streams from the store's listing; nothing loads the bucket whole. Filters on
outlet and date use the key layout alone; language and topic need the JSON. A lookup by
id reads the id index (``ids/``), not a listing.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from warcio.archiveiterator import ArchiveIterator

from archive.errors import ArchiveError, NotFoundError
from archive.index import IndexLine, parse_cdxj_line
from archive.layout import id_key, parse_article_key, parse_id_entry, safe_name
from archive.prefetch import ordered_map
from archive.storage import ObjectStore
from archive.warc import HINTS_FIELD, OUTLET_FIELD, parse_member, read_member
from extract.article import Article, WarcRef

__all__ = ["ArchiveReader", "Capture", "DateLike"]

log = logging.getLogger(__name__)

DateLike = date | str


def _as_date(value: DateLike | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ArchiveError(f"--{name} {value!r} is not a date: write YYYY-MM-DD") from exc


@dataclass(frozen=True)
class Capture:
    """A decoded response: HTTP headers in order, body, and the hints archived with it.

    ``ref`` is the response record, ``date`` its ``WARC-Date`` (when the response was
    received), ``outlet`` the outlet the crawl fetched it for, if it said.
    """

    headers: list[tuple[str, str]]
    body: bytes
    hints: dict[str, Any] | None
    ref: WarcRef | None = None
    date: str | None = None
    outlet: str | None = None
    status: int | None = None


class ArchiveReader:
    """Read-only access to an archive in any ``ObjectStore``."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def article_keys(self, outlet: str | None = None, since: DateLike | None = None, until: DateLike | None = None) -> Iterator[str]:
        """Keys of article JSON objects, filtered by outlet and by the date in the key."""
        first, last = _as_date(since, "since"), _as_date(until, "until")
        prefix = f"articles/{safe_name(outlet)}/" if outlet else "articles/"
        for key in self.store.list(prefix):
            parts = parse_article_key(key)
            if parts is None:
                continue
            if (first and parts.day < first) or (last and parts.day > last):
                continue
            yield key

    def articles(
        self,
        outlet: str | None = None,
        since: DateLike | None = None,
        until: DateLike | None = None,
        language: str | None = None,
        topic: str | None = None,
    ) -> Iterator[Article]:
        """Articles in key order; dates are the publication date (else the fetch date), inclusive."""
        for article in ordered_map(self._load, self.article_keys(outlet, since, until)):
            if language and article.language != language:
                continue
            if topic and topic not in article.topics:
                continue
            yield article

    def _load(self, key: str) -> Article:
        with self.store.open(key) as stream:
            data = stream.read()
        try:
            return Article.from_json(data)
        except (ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"{key} in {self.store.uri} is not a valid article: {exc}; run `newsarchive verify`") from exc

    def get(self, article_id: str) -> Article:
        """The article with this id, found through its id entry (``ids/…``).

        An archive written before the id index (or an entry not uploaded yet) is searched
        by listing ``articles/``; if the id is stored twice there (an update moved its
        date folder, and the old copy is not deleted yet), the most recently fetched copy,
        else the one with the later key.
        """
        try:
            key = self.indexed_key(article_id)
        except ArchiveError as exc:
            log.warning("the id entry of %s in %s is unreadable (%s); searching articles/ instead", article_id, self.store.uri, exc)
            key = ""
        if key:
            try:
                article = self._load(key)
            except NotFoundError:
                log.warning("the id entry of %s names %s, which is not in %s; searching articles/ instead",
                            article_id, key, self.store.uri)
            else:
                if article.id == article_id:
                    return article
                log.warning("the id entry of %s names %s, which holds article %s; searching articles/ instead",
                            article_id, key, article.id)
        elif key is None:
            log.info("no id entry for %s in %s (written before the id index?): searching articles/; "
                     "`newsarchive reextract` writes the missing entries", article_id, self.store.uri)
        found = self.newest_copy(key for key in self.article_keys() if key.endswith(f"/{article_id}.json"))
        if found is None:
            raise NotFoundError(f"no article {article_id} in {self.store.uri} (neither in the id index nor under articles/); "
                                "`newsarchive ls` lists the ids")
        return found[0]

    def indexed_key(self, article_id: str) -> str | None:
        """The key the id index names for this id, or None when it has no entry."""
        try:
            with self.store.open(id_key(article_id)) as stream:
                return parse_id_entry(stream.read())[1]
        except NotFoundError:
            return None

    def newest_copy(self, keys: Iterable[str]) -> tuple[Article, str] | None:
        """Of copies of one article, the most recently fetched (then the later key), and its key."""
        found = [(self._load(key), key) for key in keys]
        return max(found, key=lambda pair: (pair[0].fetched_at or "", pair[1])) if found else None

    def raw_response(self, article: Article) -> bytes:
        """The HTTP response behind the article, exactly as archived (head and encoded body)."""
        _, block = parse_member(self._member(article))
        return block

    def decoded_response(self, article: Article) -> tuple[list[tuple[str, str]], bytes]:
        """(headers, body) of the response, body with transfer and content encodings undone."""
        capture = self.capture(article)
        return capture.headers, capture.body

    def capture(self, article: Article) -> Capture:
        """What the extractor saw for this article: decoded response and feed/sitemap hints."""
        ref = article.warc
        if ref is None:
            raise ArchiveError(f"article {article.id} has no WARC reference: it was not archived from a capture")
        return self.capture_at(ref.file, ref.offset, ref.length, record_id=ref.record_id, what=f"the capture of article {article.id}")

    def capture_at(self, file: str, offset: int, length: int, *, record_id: str | None = None, what: str = "") -> Capture:
        """The response record at ``offset``/``length`` of WARC ``file``, decoded.

        ``record_id``, when known, must be the record's id.
        """
        what = what or f"the capture at {file}@{offset}"
        member = self._read_member(file, offset, length, record_id, what)
        record = next(ArchiveIterator(io.BytesIO(member)))
        if record.http_headers is None:
            raise ArchiveError(f"the WARC record of {what} has no HTTP response")
        headers = record.rec_headers
        hints = headers.get_header(HINTS_FIELD)
        try:
            parsed = json.loads(hints) if hints else None
        except ValueError as exc:
            raise ArchiveError(f"the {HINTS_FIELD} field of the record of {what} is not JSON: {exc}") from exc
        ref = WarcRef(file=file, record_id=headers.get_header("WARC-Record-ID"), offset=offset, length=length,
                      payload_digest=headers.get_header("WARC-Payload-Digest") or "")
        status = record.http_headers.get_statuscode()
        return Capture(list(record.http_headers.headers), record.content_stream().read(), parsed, ref=ref,
                       date=headers.get_header("WARC-Date"), outlet=headers.get_header(OUTLET_FIELD) or None,
                       status=int(status) if status and status.isdigit() else None)

    def _member(self, article: Article) -> bytes:
        ref = article.warc
        if ref is None:
            raise ArchiveError(f"article {article.id} has no WARC reference: it was not archived from a capture")
        return self._read_member(ref.file, ref.offset, ref.length, ref.record_id, f"the capture of article {article.id}")

    def _read_member(self, file: str, offset: int, length: int, record_id: str | None, what: str) -> bytes:
        try:
            data = self.store.read_range(file, offset, length)
        except NotFoundError as exc:
            raise NotFoundError(
                f"{file} ({what}) is not in {self.store.uri}; "
                "if a run could not upload it, it waits in the spool: run `newsarchive flush`"
            ) from exc
        member = read_member(data)
        headers, _ = parse_member(member)
        if record_id is not None and headers.get_header("WARC-Record-ID") != record_id:
            raise ArchiveError(f"{file} at offset {offset} is not record {record_id}; run `newsarchive verify`")
        return member

    def index_lines(self) -> Iterator[IndexLine]:
        """Every line of every CDXJ index (one per WARC record worth replaying), WARC by WARC.

        A line that does not parse is skipped (`newsarchive verify` reports it).
        """
        keys = (key for key in self.store.list("indexes/") if key.endswith(".cdxj"))
        for text in ordered_map(self._read_text, keys):
            for line in text.splitlines():
                try:
                    yield parse_cdxj_line(line)
                except ValueError:
                    continue

    def _read_text(self, key: str) -> str:
        with self.store.open(key) as stream:
            return stream.read().decode("utf-8")

    def manifest_entries(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        """Manifest lines of every run, oldest manifest first (``kind``: article, page, warc...).

        A manifest cut short by a killed run ends in a partial line; it is skipped.
        """
        for key in self.store.list("manifests/"):
            if not key.endswith(".jsonl"):
                continue
            with self.store.open(key) as stream:
                for line in stream.read().splitlines():
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if kind is None or entry.get("kind") == kind:
                        yield entry

    def runs(self) -> Iterator[dict[str, Any]]:
        """Run records, oldest first."""
        for key in self.store.list("runs/"):
            if key.endswith(".json"):
                with self.store.open(key) as stream:
                    yield json.loads(stream.read())

    def export_jsonl(self, out: IO[str] | Path | str, **filters: Any) -> int:
        """Write matching articles as JSON lines; returns how many."""
        if isinstance(out, (str, Path)):
            with open(out, "w", encoding="utf-8") as handle:
                return self.export_jsonl(handle, **filters)
        count = 0
        for article in self.articles(**filters):
            out.write(json.dumps(article.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
        return count

    def export_parquet(self, path: Path | str, *, batch_size: int = 1000, **filters: Any) -> int:
        """Write matching articles to a Parquet file, in row groups of ``batch_size``; returns how many."""
        from archive.parquet import write_parquet

        return write_parquet(path, self.articles(**filters), batch_size=batch_size)

    def export_wacz(self, path: Path | str, **filters: Any) -> int:
        """Write matching articles (pages as archived, and their JSON records) to a WACZ file; returns how many."""
        from archive.wacz import export_wacz

        return export_wacz(self, path, **filters)
