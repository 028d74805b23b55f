"""``newsarchive outlets``: listing, JSON, checking a user's file, showing one spec."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crawler.cli import main

USER = """
outlets:
  - name: tass-en
    base_url: http://127.0.0.1:8001
  - name: local-daily
    domains: [news.local.example]
    language: de
    sections: [https://news.local.example/politik/]
    article_patterns: ['^/politik/\\d+\\.html$']
    topics: {nato: 'NATO|Nordatlantikpakt'}
"""


def run(*args: str):
    return CliRunner().invoke(main, ["outlets", *args], catch_exceptions=False)


def test_lists_the_shipped_outlets_as_a_table():
    result = run()
    assert result.exit_code == 0
    for name in ("xinhua-en", "ria", "tass-en", "global-times"):
        assert name in result.output
    assert "zeenews.india.com" in result.output and "*/15 * * * *" in result.output


def test_json_lists_merged_specs_with_user_overrides(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text(USER, encoding="utf-8")
    result = run("--config", str(user), "--json")
    assert result.exit_code == 0
    specs = {s["name"]: s for s in json.loads(result.output)}
    assert specs["tass-en"]["domains"] == ["127.0.0.1:8001"]
    assert specs["tass-en"]["feeds"] == ["http://127.0.0.1:8001/rss/v2.xml"]
    assert specs["local-daily"]["topics"] == {"nato": "NATO|Nordatlantikpakt"}
    assert specs["local-daily"]["require_topic"] is True
    assert specs["local-daily"]["source"] == str(user)
    assert specs["ria"]["article_patterns"] == [r"^/\d{8}/[a-z0-9-]+-\d+\.html$"]


def test_check_reports_the_outlets_a_file_touches(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text(USER, encoding="utf-8")
    result = run("check", str(user))
    assert result.exit_code == 0
    assert "ok: 2 outlet(s)" in result.output and "local-daily, tass-en" in result.output


def test_check_fails_with_file_outlet_and_field(tmp_path):
    user = tmp_path / "bad.yaml"
    user.write_text("outlets:\n  - name: ria\n    exclude_patterns: ['(video']\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["outlets", "check", str(user)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()  # one line, named like every command's
    assert line.startswith(f"newsarchive outlets: {user}: outlet 'ria': field 'exclude_patterns[0]': invalid regex")


def test_check_alone_needs_complete_specs(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text(USER, encoding="utf-8")
    result = CliRunner().invoke(main, ["outlets", "check", "--alone", str(user)])
    assert result.exit_code == 2
    assert "outlet 'tass-en'" in result.stderr


def test_show_prints_one_merged_spec(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text(USER, encoding="utf-8")
    result = run("--config", str(user), "show", "tass-en")
    assert result.exit_code == 0
    assert json.loads(result.output)["sections"] == ["http://127.0.0.1:8001/politics", "http://127.0.0.1:8001/world"]
    missing = CliRunner().invoke(main, ["outlets", "show", "nope"])
    assert missing.exit_code == 2 and missing.stderr.startswith("newsarchive outlets show: unknown outlet 'nope'")
