"""Articles as a Parquet table: one row per article, nested records flattened."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from extract.article import Article

__all__ = ["ARTICLE_SCHEMA", "write_parquet"]

_TEXT = ("id", "url", "canonical_url", "outlet", "title", "text", "language", "published", "modified", "fetched_at",
         "description", "site_name", "source_credit", "cluster", "schema_version")
_LISTS = ("authors", "tags", "topics")

# A fixed schema, so every row group agrees even when a batch has only nulls in a column.
ARTICLE_SCHEMA = pa.schema(
    [pa.field(name, pa.string()) for name in _TEXT]
    + [pa.field(name, pa.list_(pa.string())) for name in _LISTS]
    + [
        pa.field("disagreements", pa.string()),  # JSON: rarely present, varied shape
        pa.field("extractor_name", pa.string()),
        pa.field("extractor_version", pa.string()),
        pa.field("warc_file", pa.string()),
        pa.field("warc_record_id", pa.string()),
        pa.field("warc_offset", pa.int64()),
        pa.field("warc_length", pa.int64()),
        pa.field("warc_payload_digest", pa.string()),
    ]
)


def _row(article: Article) -> dict[str, Any]:
    data = article.to_dict()
    row = {name: data[name] for name in _TEXT + _LISTS}
    row["disagreements"] = json.dumps(data["disagreements"], ensure_ascii=False, sort_keys=True) if data["disagreements"] else None
    row["extractor_name"] = article.extractor.name
    row["extractor_version"] = article.extractor.version
    warc = data["warc"] or {}
    for field in ("file", "record_id", "offset", "length", "payload_digest"):
        row[f"warc_{field}"] = warc.get(field)
    return row


def write_parquet(path: Path | str, articles: Iterable[Article], *, batch_size: int = 1000) -> int:
    """Stream ``articles`` into a Parquet file; returns the row count."""
    count = 0
    iterator = iter(articles)
    with pq.ParquetWriter(str(path), ARTICLE_SCHEMA) as writer:
        while batch := [_row(article) for article in islice(iterator, batch_size)]:
            writer.write_table(pa.Table.from_pylist(batch, schema=ARTICLE_SCHEMA))
            count += len(batch)
    return count
