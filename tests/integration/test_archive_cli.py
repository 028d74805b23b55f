"""``newsarchive ls/cat/raw/export/flush`` on a local folder and on S3."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from archive import LocalStore, store_from_uri
from crawler.cli import main
from archive.local import spool_dir
from tests.unit.test_archive_session import run_session
from tests.unit.test_archive_support import HTML, RESPONSE


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def local_archive(tmp_path):
    _, [article] = run_session(LocalStore(tmp_path / "archive"), tmp_path / "spool")
    return str(tmp_path / "archive"), article


def test_ls_and_cat_on_a_local_folder(local_archive):
    archive, article = local_archive
    listing = invoke("ls", "--archive", archive)
    assert listing.exit_code == 0
    assert listing.output.split() == [article.id, "harbourtimes", article.published, *article.title.split()]
    as_json = invoke("ls", "--archive", archive, "--json", "--outlet", "harbourtimes")
    assert json.loads(as_json.output)["id"] == article.id
    assert invoke("ls", "--archive", archive, "--outlet", "elsewhere").output == ""
    shown = invoke("cat", article.id, "--archive", archive)
    assert shown.exit_code == 0 and shown.output == article.to_json()


def test_ls_and_cat_on_s3(s3, tmp_path):
    _, [article] = run_session(store_from_uri("s3://news/a"), tmp_path / "spool")
    assert invoke("ls", "--archive", "s3://news/a").output.startswith(article.id)
    assert invoke("cat", article.id, "--archive", "s3://news/a").output == article.to_json()


def test_raw_prints_the_archived_response(local_archive):
    archive, article = local_archive
    raw = CliRunner().invoke(main, ["raw", article.id, "--archive", archive])
    assert raw.exit_code == 0 and raw.stdout_bytes == RESPONSE
    body = CliRunner().invoke(main, ["raw", article.id, "--archive", archive, "--body"])
    assert body.stdout_bytes == HTML


def test_export_jsonl_and_parquet(local_archive, tmp_path):
    archive, article = local_archive
    assert invoke("export", "--archive", archive, "-o", str(tmp_path / "a.jsonl")).exit_code == 0
    [line] = (tmp_path / "a.jsonl").read_text().splitlines()
    assert json.loads(line) == article.to_dict()
    assert invoke("export", "--archive", archive, "--format", "parquet", "-o", str(tmp_path / "a.parquet")).exit_code == 0
    table = pq.read_table(tmp_path / "a.parquet")
    assert table.column("id").to_pylist() == [article.id]
    assert table.column("warc_offset").to_pylist() == [article.warc.offset]


def test_errors_are_one_line_with_exit_code_1_or_2_for_a_missing_archive(local_archive, s3):
    archive, _ = local_archive
    missing = CliRunner().invoke(main, ["cat", "0123456789abcdef", "--archive", archive])
    assert missing.exit_code == 1
    assert missing.output.strip().count("\n") == 0 and "newsarchive ls" in missing.output
    no_bucket = CliRunner().invoke(main, ["ls", "--archive", "s3://absent"])
    assert no_bucket.exit_code == 2 and "bucket 'absent' does not exist" in no_bucket.output
    typo = CliRunner().invoke(main, ["ls", "--archive", archive + "-typo"])
    assert typo.exit_code == 2 and "no archive at" in typo.output
    assert typo.output.strip().count("\n") == 0
    bad_date = CliRunner().invoke(main, ["ls", "--archive", archive, "--since", "yesterday"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output


def test_verify_reports_problems_with_exit_code_1(local_archive, tmp_path):
    archive, _ = local_archive
    clean = invoke("verify", "--archive", archive)
    assert clean.exit_code == 0 and clean.output.startswith("ok: 1 WARC files (4 records), 1 articles")
    warc = next(LocalStore(tmp_path / "archive").list("warc/"))
    path = tmp_path / "archive" / warc
    path.write_bytes(path.read_bytes()[:-3])
    damaged = CliRunner().invoke(main, ["verify", "--archive", archive, "--json"])
    assert damaged.exit_code == 1
    report = json.loads(damaged.output)
    assert not report["ok"] and report["problems"][0]["key"] == warc


def test_flush_uploads_what_a_failed_run_left(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path / "home"))
    blocked = tmp_path / "archive"
    blocked.write_text("not a folder (yet)")
    summary, [article] = run_session(LocalStore(blocked), spool_dir(tmp_path / "home", LocalStore(blocked)))
    assert summary["pending"]
    target = str(blocked)
    # The store is still unusable: a set-up error, one line, and the spool keeps everything.
    still = invoke("flush", "--archive", target)
    assert still.exit_code == 2 and len(still.output.strip().splitlines()) == 1
    assert "is a file, not a folder" in still.output
    blocked.unlink()  # the store is back
    result = invoke("flush", "--archive", target, "--json")
    assert result.exit_code == 0
    # ... and then the article's id entry, once its JSON is stored.
    assert sorted(json.loads(result.output)["uploaded"]) == sorted(summary["pending"] + [f"ids/{article.id[:2]}/{article.id}.json"])
    assert invoke("cat", article.id, "--archive", target).output == article.to_json()
    assert invoke("flush", "--archive", target).output.startswith("uploaded 0 objects")


def test_errors_are_one_line_naming_the_command(tmp_path):
    """A missing article, and a page that is no article: one line each, no library chatter
    (trafilatura's own 'discarding data' warning stays out unless -v)."""
    from tests.cli import newsarchive

    (tmp_path / "archive").mkdir()
    missing = newsarchive("cat", "deadbeef", "--archive", str(tmp_path / "archive"))
    assert missing.returncode == 1 and missing.stderr.startswith("newsarchive cat: no article deadbeef")
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body></body></html>")
    page = newsarchive("extract", str(empty), "--url", "http://127.0.0.1/x")
    assert page.returncode == 1
    assert page.stderr.splitlines() == [page.stderr.strip()] and page.stderr.startswith("newsarchive extract:")
