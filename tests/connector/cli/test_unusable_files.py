"""A file that cannot be written is a clear error with an exit code, never a traceback."""

import json
from pathlib import Path

from typer.testing import CliRunner

from connector.cli.main import app

runner = CliRunner()


def test_report_into_a_folder_or_nowhere_is_a_clear_error(agri_env: dict[str, str], tmp_path: Path) -> None:
    for out in (tmp_path, Path("/proc/no-such-dir/x.csv")):
        fmt = "xlsx" if out == tmp_path else "csv"
        result = runner.invoke(app, ["report", "turnover", "--period", "2024", "--format", fmt, "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert "file.unusable" in result.output
        assert "Traceback" not in result.output


def test_sales_template_into_a_folder_as_json(agri_env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["sales", "template", str(tmp_path), "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["errors"][0]["code"] == "file.unusable"


def test_turnover_without_dimensions_prints_the_total(agri_env: dict[str, str]) -> None:
    result = runner.invoke(app, ["report", "turnover", "--period", "2024"])
    assert result.exit_code == 0, result.output
    assert "TỔNG CỘNG" in result.output
