"""The Parquet export's columns come from the article schema, so new fields reach it."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pyarrow as pa
import pyarrow.parquet as pq

from archive.parquet import ARTICLE_SCHEMA, SCHEMA_PATH, article_columns, write_parquet
from extract.article import Disagreement, WarcRef
from tests.unit.test_archive_support import make_article

REF = WarcRef(file="warc/2026/11/22/x.warc.gz", record_id="<urn:uuid:00000000-0000-0000-0000-000000000001>",
              offset=120, length=3400, payload_digest="sha1:" + "A" * 32)


def test_every_field_of_the_record_has_a_column():
    article = make_article(warc=REF)
    covered = {field.name.split("_")[0] if field.name.startswith(("warc_", "extractor_")) else field.name
               for field in ARTICLE_SCHEMA}
    assert covered == set(article.to_dict())


def test_a_field_added_to_the_schema_becomes_a_column_with_its_type():
    schema = copy.deepcopy(json.loads(SCHEMA_PATH.read_text()))
    schema["properties"]["word_count"] = {"type": ["integer", "null"]}
    schema["properties"]["images"] = {"$ref": "#/$defs/string_list"}
    schema["properties"]["paywall"] = {"type": "object", "properties": {"kind": {"type": "string"},
                                                                         "score": {"type": "number"}}}
    fields = {field.name: field.type for field, _ in article_columns(schema)}
    assert fields["word_count"] == pa.int64() and fields["images"] == pa.list_(pa.string())
    assert fields["paywall_kind"] == pa.string() and fields["paywall_score"] == pa.float64()


def test_rows_carry_the_values_flattened(tmp_path):
    article = replace(make_article(warc=REF), disagreements=(
        Disagreement(field="published", page="2026-11-20", evidence="2026-11-19", source="feed", chosen="2026-11-20"),))
    plain = make_article("http://example.org/news/other", warc=None)
    assert write_parquet(tmp_path / "a.parquet", [article, plain]) == 2
    rows = pq.read_table(tmp_path / "a.parquet").to_pylist()
    assert rows[0]["warc_offset"] == 120 and rows[0]["warc_file"] == REF.file
    assert rows[0]["extractor_version"] == article.extractor.version and rows[0]["authors"] == list(article.authors)
    assert json.loads(rows[0]["disagreements"])[0]["evidence"] == "2026-11-19"
    assert rows[1]["warc_offset"] is None and rows[1]["disagreements"] is None
