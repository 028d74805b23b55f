"""An unusable NEWSARCHIVE_HOME is one set-up line and exit 2 for every command that keeps state there."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crawler.cli import main


@pytest.mark.parametrize("args", [["runs"], ["health"], ["schedule", "--list"], ["flush"], ["reextract"]])
def test_a_home_that_is_a_file_is_a_set_up_error(tmp_path, args):
    home = tmp_path / "home"
    home.write_text("not a folder")
    (tmp_path / "archive").mkdir()
    result = CliRunner().invoke(main, [*args, "--archive", str(tmp_path / "archive")] if args[0] in ("flush", "reextract")
                                else args, env={"NEWSARCHIVE_HOME": str(home)})
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"newsarchive {args[0]}: NEWSARCHIVE_HOME ({home}) must be a folder this user can write: it is a file"]
