"""Usage errors are one line and exit 2, for every command, whoever raises them (Click
parsing the command line, or a command's own ``click.BadParameter``); --help is untouched."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crawler.cli import main


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["crawl", "--nope"], "newsarchive crawl: no such option '--nope'. Did you mean '--since'? (see --help)"),
        (["ls", "--since", "notadate"],
         "newsarchive ls: invalid value for '--since': 'notadate' is not a date: write YYYY-MM-DD (see --help)"),
        (["crawl", "ria", "--since", "notadate"],
         "newsarchive crawl: invalid value for '--since': 'notadate' is not an ISO 8601 date or time (e.g. 2026-11-01)"
         " (see --help)"),
        (["cat"], "newsarchive cat: missing argument 'ARTICLE_ID' (see --help)"),
        (["runs", "--limit", "0"], "newsarchive runs: invalid value for '--limit': 0 is not in the range x>=1 (see --help)"),
        (["crawl", "ria", "-s", "FOO"],  # raised by the command itself, not by Click's parser
         "newsarchive crawl: invalid value for -s: expected NAME=VALUE, got 'FOO' (see --help)"),
        (["outlets", "check"], "newsarchive outlets check: missing argument 'FILES...' (see --help)"),
        (["nosuchcmd"], "newsarchive: no such command 'nosuchcmd' (see --help)"),
        (["--nope"], "newsarchive: no such option '--nope' (see --help)"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(args, line, home, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_ARCHIVE", str(tmp_path / "archive"))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [line]


def test_help_is_unchanged_and_no_arguments_still_show_it():
    result = CliRunner().invoke(main, ["crawl", "--help"], prog_name="newsarchive")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: newsarchive crawl [OPTIONS] [NAME]...\n\n  Crawl outlets")
    assert "-s, --set NAME=VALUE" in result.stdout
    assert CliRunner().invoke(main, ["outlets", "check", "-h"], prog_name="newsarchive").stdout.startswith(
        "Usage: newsarchive outlets check [OPTIONS] FILES...")
    result = CliRunner().invoke(main, [])
    assert "Commands:" in result.output and "crawl" in result.output


def test_the_installed_command_says_it_in_one_line_too(tmp_path):
    from tests.cli import newsarchive

    proc = newsarchive("crawl", "--nope", cwd=tmp_path, env={"NEWSARCHIVE_HOME": str(tmp_path / "home")})
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.splitlines() == ["newsarchive crawl: no such option '--nope'. Did you mean '--since'? (see --help)"]
