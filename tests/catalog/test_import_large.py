"""A 1,000,000-row CSV imports in bounded memory (CSV is streamed; only keys are kept per row)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1_000_000
MAX_RSS_MB = 700  # the 100,000-row import peaks near 120 MB; 1,000,000 rows must not hold the file

_CHILD = """
import json, resource, sys
from pathlib import Path
from sqlmodel import Session
from catalog.importing.catalogue import import_catalogue
from connector.db import init_db, make_engine
engine = make_engine("sqlite:///" + sys.argv[2])
init_db(engine)
with Session(engine) as session:
    result = import_catalogue(session=session, path=Path(sys.argv[1]), dry_run=True)
print(json.dumps({"rows": result.rows_read, "created": result.counts["products"].created,
                  "rejected": result.rejected, "codes": sorted({p.code for p in result.problems}),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _write(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("Mã chủ thể;Tên chủ thể;Xã/phường;Mã SKU;Tên sản phẩm;Giá bán (đ);Đơn vị tính;Tồn kho\n")
        for i in range(ROWS):
            p = i % 1000
            price = "12.500,5" if i == ROWS - 1 else f"{(i % 900 + 20) * 1000:,}".replace(",", ".") + " đ"
            fh.write(f"P{p:04d};HTX Nông sản {p};02185;SKU-{i:07d};Miến dong loại {i};{price};gói;{i % 50}\n")


@pytest.mark.slow
def test_million_row_csv_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "mot-trieu-dong.csv"
    _write(path)
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(tmp_path / "big.db")], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["rows"] == ROWS
    assert out["created"] == ROWS - 1 and out["rejected"] == 1
    assert out["codes"] == ["price.fraction"]  # the one bad row, found at the end, and nothing else
    assert out["rss_mb"] < MAX_RSS_MB, out
