"""``kill -9`` in the middle of ``agri sync``, then run it again: same remote state, no duplicates."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session

from catalog.image_store import ImageStore
from connector.sandbox import running_sandbox
from tests.connector.sync.live import KEY, check_converged, live_shop

AGRI = str(Path(sys.executable).with_name("agri"))


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def _env(db_url: str, tmp_path: Path, media_url: str) -> dict[str, str]:
    return {**os.environ, "AGRI_DATABASE_URL": db_url, "AGRI_DATA_DIR": str(tmp_path / "data"),
            "AGRI_SECRET_KEY": KEY, "AGRI_PUBLIC_MEDIA_URL": media_url, "AGRI_LANG": "vi"}


def _killed_then_rerun(session: Session, db_url: str, tmp_path: Path, *, count: int, kill_after: int) -> None:
    sha, _ = ImageStore(tmp_path / "data" / "media").put_original(_photo())
    with running_sandbox(faults="latency=15ms,drop=0.05,5xx=0.05,rate=150/s,seed=5") as sandbox:
        account = live_shop(session, sandbox, count=count, image_sha=sha)
        env = _env(db_url, tmp_path, f"{sandbox.base_url}/_sandbox/images")
        killed = threading.Event()

        def kill_when_busy(process: subprocess.Popen[bytes]) -> None:
            while process.poll() is None and not killed.is_set():
                if sandbox.state()["listings"] >= kill_after:
                    process.send_signal(signal.SIGKILL)
                    killed.set()
                killed.wait(0.02)

        with subprocess.Popen([AGRI, "sync", account.name, "--json"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) as first:
            watcher = threading.Thread(target=kill_when_busy, args=(first,))
            watcher.start()
            first.wait(timeout=240)
            killed.set()
            watcher.join()
        assert first.returncode == -signal.SIGKILL  # it really died mid-run
        assert 0 < sandbox.state()["listings"] < count + 5
        report = tmp_path / "bao-cao.csv"
        second = subprocess.run([AGRI, "sync", account.name, "--json", "--report", str(report)], env=env,
                                capture_output=True, timeout=240, check=False)
        assert second.returncode == 0, second.stdout[-2000:]
        lines = report.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("Tài khoản") and len(lines) == count + 1  # one row per listing
        check_converged(session, sandbox, account, count)


def test_kill_small(session: Session, db_url: str, tmp_path: Path) -> None:
    _killed_then_rerun(session, db_url, tmp_path, count=80, kill_after=30)


@pytest.mark.slow
def test_kill_500(session: Session, db_url: str, tmp_path: Path) -> None:
    _killed_then_rerun(session, db_url, tmp_path, count=500, kill_after=200)
