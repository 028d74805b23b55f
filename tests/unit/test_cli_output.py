"""-o into a folder that does not exist is a usage error, found before anything is read."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crawler.cli import main


@pytest.mark.parametrize("args", [
    ["export", "--format", "parquet", "-o", "{missing}/x.parquet"],
    ["export", "--format", "wacz", "-o", "{missing}/x.wacz"],
    ["report", "-o", "{missing}/r.html"],
])
def test_output_into_a_missing_folder_is_one_line_and_exit_2(tmp_path, args):
    missing = tmp_path / "nodir"
    # The archive is not even looked at: the option is checked first.
    args = [a.format(missing=missing) for a in args] + ["--archive", str(tmp_path / "no-archive")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"folder {missing} does not exist; create it first" in lines[0]
    assert not missing.exists()
