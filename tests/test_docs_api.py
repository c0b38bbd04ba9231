"""docs/API.md is a script that runs: its Python blocks, in order, in an empty folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_python_api_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"ROOT": str(ROOT), "__name__": "api_example"}
    exec(compile("\n".join(blocks), "docs/API.md", "exec"), namespace)  # (our own documentation)
    printed = capsys.readouterr().out
    assert "'create'" in printed and "'done'" in printed and "orders_new=1" in printed
