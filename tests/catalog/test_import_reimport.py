"""Re-imports take unchanged rows without converting them, and end exactly as the full path would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from catalog.importing import catalogue_unchanged
from catalog.importing.catalogue_products import ProductBook
from catalog.importing.result import ImportResult
from catalog.products import Product
from tests.catalog.import_helpers import products, run, write_csv, write_xlsx

HEADER = ["Mã chủ thể", "Tên chủ thể", "Số điện thoại", "Xã/phường", "Mã SKU", "Tên sản phẩm", "Ngành hàng OCOP",
          "Đơn vị tính", "Khối lượng tịnh", "Giá bán (đ)", "Tồn kho", "Khối lượng đóng gói (g)"]
PRODUCERS = [("HTX-A", "HTX Tài Hoan", "0912345678", "02185"), ("HKD-B", "Hộ kinh doanh Măng khô", "0912345679",
                                                                "01933")]
BASE = [[*PRODUCERS[i % 2], f"SKU-{i}", f"Miến dong loại {i}", "1.3.2", "gói", "500 g", str(30000 + i * 1000),
         str(i), str(500 + i)] for i in range(8)]
# raw values a support worker might type in each column on the second upload
VARIANTS: dict[int, list[Any]] = {
    1: ["HTX Tài Hoan", "HTX TAI HOAN", "HTX Khác"],
    5: ["Miến dong loại 0", "Miến  dong loại 0", "MiÕn dong lo¹i 0", "=1+1", "", "Mật ong"],
    6: ["1.3.2", "1.3.2 Chế biến từ gạo, ngũ cốc", "9.9.9", ""],
    7: ["gói", "goi", "GÓI", "thúng to", "", "kg"],
    8: ["500 g", "500g", "0,5 kg", "", "abc"],
    9: ["30000", "30.000 đ", "31000", "-5", "abc", "", "12.500,5"],
    10: ["0", "10", "abc", "-1", ""],
    11: ["500", "0,5 kg", "", "x"],
}


def _outcome(result: ImportResult) -> tuple[Any, ...]:
    return ({k: c.to_dict() for k, c in result.counts.items()},
            sorted((p.row or 0, p.column or "", p.code, str(p.value)) for p in result.problems))


def _both_ways(session: Session, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               **kw: Any) -> tuple[ImportResult, ImportResult, int]:
    """The dry-run outcome with the shortcut, without it, and how many rows the shortcut took (every row read:
    ``recheck``, so the same bytes as an earlier import are not answered from their fingerprint)."""
    taken = []
    real = ProductBook.mark_unchanged

    def spy(self: ProductBook, pid: int, sku: str, row: int) -> bool:
        taken.append(row)
        return real(self, pid, sku, row)

    with monkeypatch.context() as patch:
        patch.setattr(ProductBook, "mark_unchanged", spy)
        fast = run(session, path, tmp_path, dry_run=True, recheck=True, **kw)
    with monkeypatch.context() as patch:
        patch.setattr(catalogue_unchanged.UnchangedRows, "applies", classmethod(lambda *a, **k: False))
        full = run(session, path, tmp_path, dry_run=True, recheck=True, **kw)
    return fast, full, len(taken)


def _base(session: Session, tmp_path: Path) -> None:
    if session.execute(select(func.count()).select_from(Product)).scalar_one() == 0:
        result = run(session, write_csv(tmp_path / "base.csv", [HEADER, *BASE]), tmp_path)
        assert result.errors == [] and result.counts["products"].created == len(BASE)


def test_unchanged_rows_take_the_shortcut(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _base(session, tmp_path)
    for path in (write_csv(tmp_path / "again.csv", [HEADER, *BASE]),
                 write_xlsx(tmp_path / "again.xlsx", {"Sản phẩm": [HEADER, *BASE]})):
        fast, full, taken = _both_ways(session, path, tmp_path, monkeypatch)
        assert _outcome(fast) == _outcome(full)
        assert fast.counts["products"].to_dict() == {"created": 0, "updated": 0, "unchanged": 8, "rejected": 0}
        assert taken == len(BASE) - len(PRODUCERS)  # each producer's first row takes the full path


def test_set_stock_images_and_legacy_fonts_take_the_full_path(session: Session, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _base(session, tmp_path)
    rows = [[*r[:10], "99", r[11]] for r in BASE]
    fast, full, taken = _both_ways(session, write_csv(tmp_path / "stock.csv", [HEADER, *rows]), tmp_path,
                                   monkeypatch, set_stock=True)
    assert taken == 0 and _outcome(fast) == _outcome(full)
    assert fast.counts["products"].updated == len(BASE)


def test_repeated_sku_on_reimport_is_still_an_error(session: Session, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _base(session, tmp_path)
    path = write_csv(tmp_path / "dup.csv", [HEADER, *BASE, BASE[4]])
    fast, full, _ = _both_ways(session, path, tmp_path, monkeypatch)
    assert _outcome(fast) == _outcome(full)
    assert [p.code for p in fast.errors] == ["import.sku_repeated"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(BASE) - 1), st.sampled_from(sorted(VARIANTS)), st.data()),
                      max_size=6))
def test_any_edit_ends_as_the_full_path_would(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              edits: list[tuple[int, int, st.DataObject]]) -> None:
    _base(session, tmp_path)
    rows = [list(r) for r in BASE]
    for r, column, data in edits:
        rows[r][column] = data.draw(st.sampled_from(VARIANTS[column]))
    fast, full, _ = _both_ways(session, write_csv(tmp_path / "edited.csv", [HEADER, *rows]), tmp_path, monkeypatch)
    assert _outcome(fast) == _outcome(full)


def test_reimport_writes_nothing(session: Session, tmp_path: Path) -> None:
    _base(session, tmp_path)
    before = {k: (p.content_version, p.stock_version, p.updated_at) for k, p in products(session).items()}
    again = run(session, write_csv(tmp_path / "again.csv", [HEADER, *BASE]), tmp_path)
    assert not again.changed
    session.expire_all()
    assert {k: (p.content_version, p.stock_version, p.updated_at) for k, p in products(session).items()} == before
