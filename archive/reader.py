"""Reading the archive, for consumers: articles, raw responses, runs, exports.

Everything streams from the store's listing; nothing loads the bucket whole. Filters on
outlet and date use the key layout alone; language and topic need the JSON.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Iterator

from warcio.archiveiterator import ArchiveIterator

from archive.errors import ArchiveError, NotFoundError
from archive.layout import safe_name
from archive.prefetch import ordered_map
from archive.storage import ObjectStore
from archive.warc import HINTS_FIELD, parse_member, read_member
from extract.article import Article

__all__ = ["ArchiveReader", "Capture", "DateLike"]

DateLike = date | str
_KEY_DATE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/[^/]+\.json$")


def _as_date(value: DateLike | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ArchiveError(f"--{name} {value!r} is not a date: write YYYY-MM-DD") from exc


@dataclass(frozen=True)
class Capture:
    """A decoded response: HTTP headers in order, body, and the hints archived with it."""

    headers: list[tuple[str, str]]
    body: bytes
    hints: dict[str, Any] | None


class ArchiveReader:
    """Read-only access to an archive in any ``ObjectStore``."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def article_keys(self, outlet: str | None = None, since: DateLike | None = None, until: DateLike | None = None) -> Iterator[str]:
        """Keys of article JSON objects, filtered by outlet and by the date in the key."""
        first, last = _as_date(since, "since"), _as_date(until, "until")
        prefix = f"articles/{safe_name(outlet)}/" if outlet else "articles/"
        for key in self.store.list(prefix):
            match = _KEY_DATE.search(key)
            if not match:
                continue
            day = date(int(match[1]), int(match[2]), int(match[3]))
            if (first and day < first) or (last and day > last):
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
        """The article with this id.

        If it is stored twice (an update moved its date folder, and the old copy is not
        deleted yet), the most recently fetched copy, else the one with the later key.
        """
        found = [(self._load(key), key) for key in self.article_keys() if key.endswith(f"/{article_id}.json")]
        if not found:
            raise NotFoundError(f"no article {article_id} in {self.store.uri}; `newsarchive ls` lists the ids")
        article, _ = max(found, key=lambda pair: (pair[0].fetched_at or "", pair[1]))
        return article

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
        record = next(ArchiveIterator(io.BytesIO(self._member(article))))
        if record.http_headers is None:
            raise ArchiveError(f"the WARC record of article {article.id} has no HTTP response")
        hints = record.rec_headers.get_header(HINTS_FIELD)
        try:
            parsed = json.loads(hints) if hints else None
        except ValueError as exc:
            raise ArchiveError(f"the {HINTS_FIELD} field of article {article.id}'s record is not JSON: {exc}") from exc
        return Capture(list(record.http_headers.headers), record.content_stream().read(), parsed)

    def _member(self, article: Article) -> bytes:
        ref = article.warc
        if ref is None:
            raise ArchiveError(f"article {article.id} has no WARC reference: it was not archived from a capture")
        try:
            data = self.store.read_range(ref.file, ref.offset, ref.length)
        except NotFoundError as exc:
            raise NotFoundError(
                f"{ref.file} (the capture of article {article.id}) is not in {self.store.uri}; "
                "if a run could not upload it, it waits in the spool: run `newsarchive flush`"
            ) from exc
        member = read_member(data)
        headers, _ = parse_member(member)
        if headers.get_header("WARC-Record-ID") != ref.record_id:
            raise ArchiveError(f"{ref.file} at offset {ref.offset} is not record {ref.record_id}; run `newsarchive verify`")
        return member

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
