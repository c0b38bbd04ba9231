"""The same file on an unchanged catalogue is answered from its fingerprint; any change reads it again."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, select, text
from sqlmodel import Session

from catalog.audit import AuditEntry
from catalog.importing import catalogue as catalogue_module
from catalog.importing.catalogue_producers import ProducerBook
from catalog.importing.fingerprint import CatalogueChange, ImportFingerprint
from catalog.importing.result import ImportResult
from catalog.ocop import OcopCertification
from catalog.producers import Producer
from catalog.products import Product, ProductStatus, ProductUpdate, update_product
from tests.catalog.import_helpers import products, run, write_csv, write_xlsx

HEADER = ["Mã chủ thể", "Tên chủ thể", "Số điện thoại", "Xã/phường", "Mã SKU", "Tên sản phẩm", "Đơn vị tính",
          "Giá bán (đ)", "Tồn kho"]
ROWS = [["HTX-A", "HTX Tài Hoan", "0912345678", "02185", f"SKU-{i}", f"Miến dong loại {i}", "gói",
         str(30000 + i * 1000), "10"] for i in range(6)]


def _state(session: Session) -> dict[str, tuple[Any, ...]]:
    session.expire_all()
    return {k: (p.name, p.price, p.content_version, p.stock, p.stock_version, p.updated_at)
            for k, p in products(session).items()}


def _counts(result: ImportResult) -> dict[str, dict[str, int]]:
    return {k: c.to_dict() for k, c in result.counts.items()}


def _imported(session: Session, tmp_path: Path, rows: list[list[str]] = ROWS, name: str = "danh-muc.csv") -> Path:
    path = write_csv(tmp_path / name, [HEADER, *rows])
    first = run(session, path, tmp_path)
    assert first.errors == [] and first.counts["products"].created == len(rows), (first.summary(), first.problems)
    return path


def _never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(path: Path) -> Any:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(catalogue_module, "open_book", refuse)


def test_the_same_file_on_an_unchanged_catalogue_is_not_read_again(session: Session, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = _imported(session, tmp_path)
    before = _state(session)
    with monkeypatch.context() as patch:
        _never_read(patch)
        again = run(session, path, tmp_path)
    assert again.same_as is not None and again.committed and not again.changed
    assert again.rows_read == len(ROWS) and again.problems == []
    assert _counts(again)["products"] == {"created": 0, "updated": 0, "unchanged": len(ROWS), "rejected": 0}
    assert _counts(again)["producers"] == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert _state(session) == before
    audit = session.execute(select(AuditEntry).where(AuditEntry.entity == "catalogue_import")
                            .order_by(AuditEntry.id)).scalars().all()
    assert len(audit) == 2 and audit[-1].after is not None and audit[-1].after["same_file_as"]
    # the answer is the one a comparison of every row gives
    full = run(session, path, tmp_path, recheck=True)
    assert full.same_as is None and _counts(full) == _counts(again) and _state(session) == before
    # a copy under another name is the same bytes
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    assert run(session, copy, tmp_path, dry_run=True).same_as is not None


def test_a_workbook_keeps_its_layout_for_the_report(session: Session, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "danh-muc.xlsx", {"Sản phẩm": [["Danh mục tháng 11"], [], HEADER, *ROWS]})
    assert run(session, path, tmp_path).errors == []
    again = run(session, path, tmp_path)
    assert again.same_as is not None
    layout = again.layouts["Sản phẩm"]
    assert layout.header_row == 3 and layout.positions["sku"] == 4
    report = again.write_report(tmp_path / "report.xlsx")
    assert report.exists()


def _edit_price(session: Session) -> None:
    product = products(session)["SKU-1"]
    update_product(session=session, product=product, data=ProductUpdate(price=99000))


def _archive(session: Session) -> None:  # or back: the file has no status column, so an import leaves it
    product = products(session)["SKU-2"]
    status = ProductStatus.active if product.status is ProductStatus.archived else ProductStatus.archived
    update_product(session=session, product=product, data=ProductUpdate(status=status))


def _rename_producer(session: Session) -> None:
    producer = session.execute(select(Producer).where(Producer.code == "HTX-A")).scalar_one()
    producer.name = "HTX Tài Hoan Mới"
    session.add(producer)


def _delete_product(session: Session) -> None:
    session.execute(text("DELETE FROM product WHERE sku = 'SKU-3'"))


def _typed_by_hand(session: Session) -> None:  # no version bump, no ORM: the database still sees it
    session.execute(text("UPDATE product SET name = 'Miến sửa tay' WHERE sku = 'SKU-4'"))


def _certify(session: Session) -> None:
    product = products(session)["SKU-0"]
    assert product.id is not None
    session.add(OcopCertification(product_id=product.id, stars=4, decision_no="12/QĐ-UBND",
                                  decision_date=date(2026, 1, 5)))


CHANGES: dict[str, Callable[[Session], None]] = {
    "price edited": _edit_price, "archived": _archive, "producer renamed": _rename_producer,
    "product deleted": _delete_product, "edited by hand in SQL": _typed_by_hand, "certified": _certify,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_to_the_catalogue_reads_the_file_again(session: Session, tmp_path: Path, change: str) -> None:
    path = _imported(session, tmp_path)
    CHANGES[change](session)
    session.commit()
    again = run(session, path, tmp_path)
    assert again.same_as is None
    assert again.errors == []
    if change not in ("certified", "archived"):  # the file has no OCOP or status column: nothing to put back
        assert again.changed, f"{change}: the file's values were not put back"
    # and the file, read again, is remembered again
    assert run(session, path, tmp_path, dry_run=True).same_as is not None


def test_a_sale_moving_stock_keeps_the_fingerprint(session: Session, tmp_path: Path) -> None:
    path = _imported(session, tmp_path)
    session.execute(text("UPDATE product SET stock = stock - 1, stock_version = stock_version + 1 "
                         "WHERE sku = 'SKU-5'"))
    session.commit()
    before = _state(session)
    again = run(session, path, tmp_path)
    assert again.same_as is not None and _state(session) == before
    full = run(session, path, tmp_path, recheck=True)
    assert not full.changed and _state(session) == before  # stock is only taken from the file with --set-stock


def test_one_changed_cell_reads_the_file_again(session: Session, tmp_path: Path) -> None:
    path = _imported(session, tmp_path)
    rows = [list(r) for r in ROWS]
    rows[2][7] = "41000"
    write_csv(path, [HEADER, *rows])
    again = run(session, path, tmp_path)
    assert again.same_as is None and again.counts["products"].updated == 1
    assert products(session)["SKU-2"].price == 41000


@pytest.mark.parametrize("option", ["recheck", "set_stock", "images"])
def test_options_that_need_more_than_the_file_read_it_again(session: Session, tmp_path: Path, option: str) -> None:
    path = _imported(session, tmp_path)
    folder = tmp_path / "photos"
    folder.mkdir()
    kw: dict[str, Any] = {"images": folder} if option == "images" else {option: True}
    again = run(session, path, tmp_path, **kw)
    assert again.same_as is None and again.rows_read == len(ROWS)


def test_an_import_with_problems_is_not_remembered(session: Session, tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[3][7] = "-5"
    path = write_csv(tmp_path / "bad.csv", [HEADER, *rows])
    first = run(session, path, tmp_path)
    assert [p.code for p in first.errors] == ["price.negative"]
    again = run(session, path, tmp_path)
    assert again.same_as is None and [p.code for p in again.errors] == ["price.negative"]


def test_a_dry_run_neither_remembers_nor_writes(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "danh-muc.csv", [HEADER, *ROWS])
    assert run(session, path, tmp_path, dry_run=True).counts["products"].created == len(ROWS)
    assert session.execute(select(func.count()).select_from(ImportFingerprint)).scalar_one() == 0
    run(session, path, tmp_path)
    audits = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    dry = run(session, path, tmp_path, dry_run=True)
    assert dry.same_as is not None and not dry.committed
    assert session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == audits


def test_only_the_latest_fingerprints_are_kept(session: Session, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("catalog.importing.fingerprint.KEEP", 2)
    paths = [_imported(session, tmp_path, [[*r[:4], f"{r[4]}-{n}", *r[5:]] for r in ROWS], f"f{n}.csv")
             for n in range(3)]
    assert session.execute(select(func.count()).select_from(ImportFingerprint)).scalar_one() == 2
    assert run(session, paths[0], tmp_path, dry_run=True).same_as is None  # forgotten: compared row by row
    assert run(session, paths[2], tmp_path, dry_run=True).same_as is not None


def test_a_change_committed_while_an_import_runs_is_never_taken_as_seen(
        session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _imported(session, tmp_path)
    rows = [list(r) for r in ROWS]
    rows[0][7] = "77000"
    edited = write_csv(tmp_path / "edited.csv", [HEADER, *rows])
    url = session.get_bind().engine.url
    landed: list[bool] = []
    real_load = ProducerBook.load

    def load_while_someone_edits(self: ProducerBook) -> None:
        real_load(self)  # the import has read the producers; another writer now edits a product of the file
        if url.get_backend_name() == "sqlite":
            other = sqlite3.connect(str(url.database), timeout=0.2)
            try:
                with other:
                    other.execute("UPDATE product SET name = 'Sửa giữa chừng' WHERE sku = 'SKU-5'")
                landed.append(True)
            except sqlite3.OperationalError:  # the import holds the write lock: the writer waits its turn
                landed.append(False)
            finally:
                other.close()
        else:
            engine = create_engine(url)
            with engine.begin() as connection:
                connection.execute(text("UPDATE product SET name = 'Sửa giữa chừng' WHERE sku = 'SKU-5'"))
            engine.dispose()
            landed.append(True)

    with monkeypatch.context() as patch:
        patch.setattr(ProducerBook, "load", load_while_someone_edits)
        assert run(session, edited, tmp_path).counts["products"].updated >= 1
    again = run(session, edited, tmp_path)
    if landed == [True]:  # whether or not the import's own reads saw the edit, its fingerprint does not vouch for it
        assert again.same_as is None
        assert products(session)["SKU-5"].name == "Miến dong loại 5"  # put back by one import or the other
    else:  # SQLite: one writer at a time, and the import took its turn before it read anything
        assert url.get_backend_name() == "sqlite" and landed == [False] and again.same_as is not None
    assert path.exists()


def test_the_log_counts_every_writer_and_ignores_stock(session: Session) -> None:
    def position() -> Any:
        if session.get_bind().dialect.name == "sqlite":
            return session.execute(select(CatalogueChange.changes)).scalar_one()
        return session.execute(select(func.count()).select_from(CatalogueChange)).scalar_one()

    session.add(Producer(code="P1", name="Hộ A", name_key="ho a"))
    session.commit()
    start = position()
    producer_id = session.execute(select(Producer.id)).scalar_one()
    session.add(Product(producer_id=producer_id, sku="S1", name="Mật ong", name_key="mat ong", price=1000))
    session.commit()
    after_insert = position()
    assert after_insert != start
    session.execute(text("UPDATE product SET stock = 5, stock_version = stock_version + 1"))
    session.commit()
    assert position() == after_insert
    session.execute(text("UPDATE product SET price = 2000"))
    session.commit()
    assert position() != after_insert


MUTATIONS = [*sorted(CHANGES), "sale", "nothing", "other file"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(MUTATIONS), max_size=4))
def test_a_fingerprint_answer_is_always_what_every_row_would_say(session: Session, tmp_path: Path,
                                                                 steps: list[str]) -> None:
    if not products(session):
        _imported(session, tmp_path)
    path = write_csv(tmp_path / "danh-muc.csv", [HEADER, *ROWS])
    run(session, path, tmp_path)  # the file's values are the catalogue's, and remembered
    changed = False
    for step in steps:
        if step in CHANGES:
            CHANGES[step](session)
            changed = True
        elif step == "sale":
            session.execute(text("UPDATE product SET stock = stock + 1, stock_version = stock_version + 1"))
        elif step == "other file":
            other = [[*r[:4], f"X{r[4]}", *r[5:]] for r in ROWS[:2]]
            changed |= run(session, write_csv(tmp_path / "other.csv", [HEADER, *other]), tmp_path).changed
        session.commit()
    quick = run(session, path, tmp_path, dry_run=True)
    full = run(session, path, tmp_path, dry_run=True, recheck=True)
    if quick.same_as is not None:  # sound: a fingerprint answer is what comparing every row says
        assert not any(c.created or c.updated for c in full.counts.values()), steps
        assert _counts(quick) == _counts(full), steps
    if changed:
        assert quick.same_as is None, steps
    if set(steps) <= {"sale", "nothing"}:  # and useful: sales alone do not make staff wait
        assert quick.same_as is not None, steps


def test_a_file_saved_over_during_the_import_is_not_remembered(session: Session, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "danh-muc.csv", [HEADER, *ROWS])
    real_load = ProducerBook.load

    def load_while_excel_saves(self: ProducerBook) -> None:
        real_load(self)
        write_csv(path, [HEADER, *ROWS[:2]])  # staff save a shorter version while the import runs

    with monkeypatch.context() as patch:
        patch.setattr(ProducerBook, "load", load_while_excel_saves)
        run(session, path, tmp_path)
    assert session.execute(select(func.count()).select_from(ImportFingerprint)).scalar_one() == 0
    assert run(session, path, tmp_path).same_as is None


def test_without_its_change_log_a_sqlite_database_vouches_for_nothing(session: Session, tmp_path: Path) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the counter row is SQLite's form of the log")
    session.execute(text("DELETE FROM catalogue_change"))
    session.commit()
    path = _imported(session, tmp_path)
    assert run(session, path, tmp_path).same_as is None
