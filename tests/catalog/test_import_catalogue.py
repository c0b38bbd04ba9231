"""The catalogue import: upsert semantics, modes, dry run, stock, producers, bad values."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from catalog.audit import AuditEntry
from catalog.errors import CatalogueValidationError
from catalog.importing.catalogue import import_catalogue
from catalog.importing.template import export_catalogue, write_template
from catalog.ocop import OcopCertification
from tests.catalog.import_helpers import (
    FIXTURES,
    SINGLE_HEADER,
    codes,
    producers,
    products,
    run,
    single_row,
    write_csv,
    write_xlsx,
)

GOOD = [SINGLE_HEADER, single_row("MIEN-500"), single_row("BUN-500", "Bún khô", 35000, stock=4)]


def test_reimport_changes_nothing_and_says_so(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", GOOD)
    first = run(session, path, tmp_path)
    assert first.counts["products"].created == 2
    assert first.counts["producers"].created == 1
    again = run(session, path, tmp_path)
    assert again.counts["products"].to_dict() == {"created": 0, "updated": 0, "unchanged": 2, "rejected": 0}
    assert again.counts["producers"].unchanged == 1
    assert not again.changed
    assert len(session.execute(select(AuditEntry).where(AuditEntry.entity == "catalogue_import")).all()) == 2


def test_changed_price_updates_only_that_product(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "a.csv", GOOD), tmp_path)
    before = {k: (p.content_version, p.stock_version) for k, p in products(session).items()}
    changed = [SINGLE_HEADER, single_row("MIEN-500", price="65.000 đ"), GOOD[2]]
    result = run(session, write_csv(tmp_path / "b.csv", changed), tmp_path)
    assert result.counts["products"].to_dict() == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    session.expire_all()
    after = products(session)
    assert after["MIEN-500"].price == 65000
    assert after["MIEN-500"].content_version == before["MIEN-500"][0] + 1
    assert (after["BUN-500"].content_version, after["BUN-500"].stock_version) == before["BUN-500"]


def test_stock_is_set_only_on_create_or_with_set_stock(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", GOOD)
    run(session, path, tmp_path)
    product = products(session)["MIEN-500"]
    product.stock = 3  # sales moved it
    session.add(product)
    session.commit()
    result = run(session, path, tmp_path)
    assert result.counts["products"].unchanged == 2
    session.expire_all()
    assert products(session)["MIEN-500"].stock == 3
    result = run(session, path, tmp_path, set_stock=True)
    assert result.counts["products"].updated == 1
    session.expire_all()
    restocked = products(session)["MIEN-500"]
    assert (restocked.stock, restocked.stock_version, restocked.content_version) == (10, 2, 1)


def test_all_or_nothing_writes_nothing_on_one_error(session: Session, tmp_path: Path) -> None:
    rows = [*GOOD, single_row("BAD-1", price="12,5")]
    result = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path, mode="all-or-nothing")
    assert not result.committed
    assert products(session) == {}
    assert producers(session) == []
    assert ("import.all_or_nothing" in [c for _, c in codes(result)])
    assert result.counts["products"].rejected == 1
    assert result.counts["products"].created == 0


def test_keep_valid_keeps_every_valid_row(session: Session, tmp_path: Path) -> None:
    rows = [*GOOD, single_row("BAD-1", price="12,5"), single_row("OK-2", "Măng khô", "125k")]
    result = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path)
    assert set(products(session)) == {"MIEN-500", "BUN-500", "OK-2"}
    assert products(session)["OK-2"].price == 125000
    assert codes(result) == [(4, "price.fraction")]


def test_dry_run_writes_nothing(session: Session, tmp_path: Path) -> None:
    result = run(session, write_csv(tmp_path / "a.csv", GOOD), tmp_path, dry_run=True)
    assert result.counts["products"].created == 2
    assert not result.committed
    assert products(session) == {}


@pytest.mark.parametrize(("price", "code"), [("-1000", "price.negative"), ("25.000,5", "price.fraction"),
                                             (12.5, "price.fraction"), ("99 tỷ", "price.absurd"),
                                             ("abc", "price.invalid")])
def test_bad_prices(session: Session, tmp_path: Path, price: object, code: str) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", {"Sản phẩm": [SINGLE_HEADER, single_row("X-1", price=price),
                                                        single_row("X-2")]})
    result = run(session, path, tmp_path)
    assert codes(result) == [(2, code)]
    assert set(products(session)) == {"X-2"}


def test_bad_values_are_located(session: Session, tmp_path: Path) -> None:
    header = [*SINGLE_HEADER, "Hạng sao OCOP", "Số quyết định", "Ngày quyết định"]
    rows = [header,
            [*single_row("A-1", unit="thúng to"), "", "", ""],
            [*single_row("A-2"), 6, "12/QĐ-UBND", "01/02/2023"],
            [*single_row("A-3", commune="Xã Côn Mnh"), "", "", ""],
            [*single_row("A-4"), "", "", ""],
            [*single_row("A-4", "Trùng mã"), "", "", ""],
            [*single_row("A-5"), 4, "2616/QĐ-UBND", "29/12/2021"]]
    result = run(session, write_xlsx(tmp_path / "b.xlsx", {"Sheet1": rows}), tmp_path)
    assert codes(result) == [(2, "unit.unknown"), (3, "stars.invalid"), (4, "admin_unit.unknown"),
                             (6, "import.sku_repeated")]
    unknown = result.problems[2]
    assert "Xã Côn Minh" in unknown.message("vi")
    assert unknown.message("en").startswith("Administrative unit 'Xã Côn Mnh' not found")
    assert set(products(session)) == {"A-4", "A-5"}
    cert = session.execute(select(OcopCertification)).scalar_one()
    assert (cert.stars, cert.decision_no, str(cert.valid_until)) == (4, "2616/QĐ-UBND", "2024-12-29")


def test_same_phone_other_name_is_held_as_merge_candidate(session: Session, tmp_path: Path) -> None:
    run(session, write_csv(tmp_path / "a.csv", GOOD), tmp_path)
    rows = [SINGLE_HEADER, single_row("X-1", producer="Hộ Nông Văn Dào"), single_row("X-2", producer="Hộ Nông Văn Dào")]
    result = run(session, write_csv(tmp_path / "b.csv", rows), tmp_path)
    assert codes(result) == [(2, "import.merge_candidate"), (3, "import.producer_rejected")]
    assert [c.name for c in result.merge_candidates] == ["Hộ Nông Văn Dào"]
    assert result.merge_candidates[0].candidates[0]["name"] == "HTX Tài Hoan"
    assert len(producers(session)) == 1
    assert "X-1" not in products(session)


def test_producers_are_matched_not_duplicated(session: Session, tmp_path: Path) -> None:
    rows = [SINGLE_HEADER, single_row("X-1"), single_row("X-2", phone="912345678"),
            single_row("X-3", producer="htx tai hoan", phone="")]
    result = run(session, write_csv(tmp_path / "a.csv", rows), tmp_path)
    assert result.errors == []
    [producer] = producers(session)
    assert (producer.phone, producer.unit_vn2025, producer.kind.value) == ("+84912345678", "02185", "cooperative")
    assert producer.code == "02185-0001"


def test_old_commune_is_carried_to_its_successor(session: Session, tmp_path: Path) -> None:
    rows = [SINGLE_HEADER, single_row("X-1", commune="Xã Quang Phong", producer="Hộ Hoàng Văn A", phone="0987000001")]
    run(session, write_csv(tmp_path / "a.csv", rows), tmp_path)
    [producer] = producers(session)
    assert (producer.unit_vn2025, producer.unit_vn2004) == ("02185", "02185")


def test_unknown_mode_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(CatalogueValidationError):
        import_catalogue(session=session, path=tmp_path / "x.csv", mode="sometimes")


def test_template_imports_and_export_round_trips(session: Session, tmp_path: Path) -> None:
    template = write_template(tmp_path / "t.xlsx", session=session)
    first = run(session, template, tmp_path)
    assert [p.code for p in first.errors] == []
    run(session, FIXTURES / "catalogue.xlsx", tmp_path)
    exported = tmp_path / "export.xlsx"
    counts = export_catalogue(session=session, out=exported)
    assert counts["products"] >= 81
    again = run(session, exported, tmp_path)
    assert again.errors == []
    assert not again.changed, again.summary()
    for entity in ("producers", "products", "certifications"):
        assert again.counts[entity].unchanged == counts[entity]


def test_export_of_one_producer(session: Session, tmp_path: Path) -> None:
    run(session, FIXTURES / "catalogue.xlsx", tmp_path)
    counts = export_catalogue(session=session, out=tmp_path / "one.xlsx", producer_code="HTX-TAIHOAN")
    assert counts["producers"] == 1
    assert counts["products"] == 6


def test_a_rejected_row_reports_every_problem_at_once(session: Session, tmp_path: Path) -> None:
    header = [*SINGLE_HEADER, "Ngành hàng OCOP"]
    rows = [header, [*single_row("MIEN-1"), "1.3.2"],
            [*single_row("MIEN-2", price="abc", commune="Xã Côn Mnh"), "Ngành không có"]]
    result = run(session, write_csv(tmp_path / "c.csv", rows), tmp_path)
    assert sorted(codes(result)) == [(3, "admin_unit.unknown"), (3, "category.unknown"), (3, "price.invalid")]
    assert result.counts["products"].created == 1
    commune = next(p for p in result.problems if p.code == "admin_unit.unknown")
    assert commune.column == "Xã/phường" and "Xã Côn Minh" in commune.message("vi")
