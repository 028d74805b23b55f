"""Articles as a Parquet table: one row per article, columns derived from the article schema.

The columns follow ``extract/schema/article.schema.json`` in its property order, so a
field added to the schema reaches Parquet with no list to keep by hand:

- strings (nullable or not) -> ``string``; integers -> ``int64``; numbers -> ``double``;
  booleans -> ``bool``;
- arrays of strings -> ``list<string>``;
- objects with fixed properties (``warc``, ``extractor``) -> one column per property,
  ``<field>_<property>`` (``warc_offset``, ``extractor_version``);
- anything else (``disagreements``: an array of objects) -> its JSON text, null when empty.
"""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable

import pyarrow as pa
import pyarrow.parquet as pq

import extract.article
from extract.article import Article

__all__ = ["ARTICLE_SCHEMA", "article_columns", "write_parquet"]

SCHEMA_PATH = Path(extract.article.__file__).with_name("schema") / "article.schema.json"

_SCALARS = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}

# A column: its Arrow field and how to get its value from the article's dict.
Column = tuple[pa.Field, Callable[[dict[str, Any]], Any]]


def _resolve(spec: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in spec:
        spec = {**defs[spec["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in spec.items() if k != "$ref"}}
    return spec


def _types(spec: dict[str, Any]) -> list[str]:
    """The JSON types a value may have, ``null`` aside (nullability is every column's)."""
    types = spec.get("type")
    return [t for t in (types if isinstance(types, list) else [types]) if t not in ("null", None)]


def _scalar(spec: dict[str, Any]) -> pa.DataType | None:
    types = _types(spec)
    return _SCALARS.get(types[0]) if len(types) == 1 else None


def _columns(name: str, spec: dict[str, Any], defs: dict[str, Any], get: Callable[[dict[str, Any]], Any]) -> list[Column]:
    spec = _resolve(spec, defs)
    scalar = _scalar(spec)
    if scalar is not None and "properties" not in spec:
        return [(pa.field(name, scalar), get)]
    items = _resolve(spec.get("items") or {}, defs)
    if _types(spec) == ["array"] and _scalar(items) is not None:
        return [(pa.field(name, pa.list_(_scalar(items))), get)]
    if "properties" in spec:
        columns: list[Column] = []
        for sub, sub_spec in spec["properties"].items():
            columns += _columns(f"{name}_{sub}", sub_spec, defs,
                                lambda row, get=get, sub=sub: (get(row) or {}).get(sub))
        return columns
    return [(pa.field(name, pa.string()),
             lambda row: json.dumps(get(row), ensure_ascii=False, sort_keys=True) if get(row) else None)]


def article_columns(schema: dict[str, Any] | None = None) -> list[Column]:
    """The Parquet columns of the article JSON Schema (default: the one shipped)."""
    schema = schema or json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema.get("$defs") or {}
    columns: list[Column] = []
    for name, spec in schema["properties"].items():
        columns += _columns(name, spec, defs, lambda row, name=name: row.get(name))
    return columns


_COLUMNS = article_columns()
# A fixed schema, so every row group agrees even when a batch has only nulls in a column.
ARTICLE_SCHEMA = pa.schema([field for field, _ in _COLUMNS])


def _row(article: Article) -> dict[str, Any]:
    data = article.to_dict()
    return {field.name: get(data) for field, get in _COLUMNS}


def write_parquet(path: Path | str, articles: Iterable[Article], *, batch_size: int = 1000) -> int:
    """Stream ``articles`` into a Parquet file; returns the row count."""
    count = 0
    iterator = iter(articles)
    with pq.ParquetWriter(str(path), ARTICLE_SCHEMA) as writer:
        while batch := [_row(article) for article in islice(iterator, batch_size)]:
            writer.write_table(pa.Table.from_pylist(batch, schema=ARTICLE_SCHEMA))
            count += len(batch)
    return count
