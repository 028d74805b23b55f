"""``newsarchive extract``: article JSON on stdout, one-line reason and non-zero exit otherwise."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crawler.cli import main
from tests.unit.test_extract_page import PARAS, article_page


def test_extract_file_prints_article_json(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(article_page())
    result = CliRunner().invoke(main, ["extract", str(path), "--url", "https://coast.example/a"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["url"] == "https://coast.example/a"
    assert data["text"] == "\n\n".join(PARAS)
    assert {"title", "text", "published", "language", "url"} <= set(data)


def test_extract_stdin_rejection_exits_non_zero_with_one_line():
    result = CliRunner().invoke(main, ["extract", "-"], input=b"<html><body><p>hi</p></body></html>")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "not an article" in result.stderr
