import socket
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_demo_runs_end_to_end_and_again(tmp_path: Path) -> None:
    """`agri demo` in an empty folder: every step passes, the report files exist; a second run reuses it all."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AGRI_SANDBOX_URL": f"http://127.0.0.1:{_free_port()}",
           "COLUMNS": "100"}
    agri = [sys.executable, "-m", "connector.cli.main"]
    first = subprocess.run([*agri, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "Doanh thu thương mại điện tử" in first.stdout
    assert "12/12" in first.stdout
    assert (tmp_path / ".env").read_text().startswith("AGRI_SECRET_KEY=")
    workbook = load_workbook(tmp_path / "agri-data" / "demo" / "doanh-thu.xlsx", read_only=True)
    assert len(workbook.sheetnames) >= 2
    assert (tmp_path / "agri-data" / "demo" / "doanh-thu.png").stat().st_size > 1000
    second = subprocess.run([*agri, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "dùng lại 6" in second.stdout
