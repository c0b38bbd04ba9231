"""``merge_producers`` moves everything that references the absorbed producer, is audited, refuses
clashing SKUs, and leaves an alias so an old file still finds the survivor; ``keep_both`` records
the other decision."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from catalog.audit import AuditEntry
from catalog.errors import ConflictError, NotFoundError
from catalog.producers import ProducerCreate, create_producer, get_producer
from catalog.products import ProductCreate, create_product
from connector.onboarding.importer import import_register
from connector.onboarding.merge import keep_both, merge_producers
from tests.connector.onboarding.helpers import TEAM_FILES, count, snapshot, write_register

TODAY = date(2025, 9, 1)


def _candidate_pair(session: Session) -> tuple[str, str]:
    """Import the team files; return (Hoàng Văn Dũng, Hoàng Thị Lan): one phone, two names."""
    run = import_register(session=session, paths=TEAM_FILES, today=TODAY)
    [note] = [c for f in run.files for c in f.merge_candidates if c.reasons == ("phone_other_name",)]
    return note.codes["candidates"][0]["code"], note.codes["code"]


def test_merge_moves_everything_and_is_audited(session: Session) -> None:
    dung_code, lan_code = _candidate_pair(session)
    dung, lan = get_producer(session=session, code=dung_code), get_producer(session=session, code=lan_code)
    create_product(session=session, producer=lan, data=ProductCreate(sku="MAT-ONG", name="Mật ong", unit="chai",
                                                                        price=150000, stock=3))
    session.commit()
    owned = {t: count(session, f"SELECT count(*) FROM {t} WHERE producer_id = :p", p=lan.id)
             for t in ("training_record", "marketplace_account", "onboarding_registration", "product")}
    assert all(owned.values())
    before = {t: count(session, f"SELECT count(*) FROM {t} WHERE producer_id = :p", p=dung.id) for t in owned}

    result = merge_producers(session=session, keep_code=dung_code, absorb_code=lan_code, actor="tester")
    session.commit()

    assert result.moved == owned | {"onboarding_registration": owned["onboarding_registration"]}
    for table, n in owned.items():
        assert count(session, f"SELECT count(*) FROM {table} WHERE producer_id = :p", p=dung.id) == before[table] + n
    with pytest.raises(NotFoundError):
        get_producer(session=session, code=lan_code)
    status = session.execute(text("SELECT status, decided_by, producer_b_id FROM merge_candidate "
                                  "WHERE reason = 'phone_other_name'")).one()
    assert tuple(status) == ("merged", "tester", None)
    audits = session.execute(select(AuditEntry).where(AuditEntry.action == "merge")).scalars().all()
    assert {a.entity_id for a in audits} == {dung_code, lan_code}
    survivor_audit = next(a for a in audits if a.entity_id == dung_code)
    assert survivor_audit.before
    assert survivor_audit.before["absorbed"] == lan_code
    assert survivor_audit.after
    assert survivor_audit.after["moved_marketplace_account"] == 1


def test_reimport_after_merge_finds_the_survivor(session: Session) -> None:
    dung_code, lan_code = _candidate_pair(session)
    merge_producers(session=session, keep_code=dung_code, absorb_code=lan_code, actor="tester")
    session.commit()
    before = snapshot(session)
    again = import_register(session=session, paths=TEAM_FILES, today=TODAY)
    assert again.summary()["merge_candidates"] == 0
    assert snapshot(session) == before


def test_merge_folds_the_same_fact_twice(session: Session, tmp_path: Path) -> None:
    rows = [{"name": "Hộ Một", "phone": "0912 000 041", "commune": "Xã Ba Bể", "member": "Lý Thị Mai",
             "member_phone": "0987654321", "trained": "12/03/2024", "topic": "Bán hàng"},
            {"name": "Hộ Một Khác", "phone": "0912 000 042", "commune": "Xã Ba Bể", "member": "Lý Thị Mai",
             "member_phone": "0987654321", "trained": "12/03/2024", "topic": "bán hàng"}]
    import_register(session=session, paths=[write_register(tmp_path / "t.csv", rows)], today=TODAY)
    a, b = (p for p in session.execute(text("SELECT code FROM producer ORDER BY id")).scalars())
    result = merge_producers(session=session, keep_code=a, absorb_code=b, actor="tester")
    assert result.folded == {"training_record": 1, "onboarding_registration": 1}
    assert count(session, "SELECT count(*) FROM training_record") == 1
    assert count(session, "SELECT count(*) FROM onboarding_registration") == 1
    assert result.filled == []


def test_merge_refuses_the_same_sku_and_changes_nothing(session: Session) -> None:
    a = create_producer(session=session, data=ProducerCreate(code="HGD-A", name="Hộ A", phone="0912000051"))
    b = create_producer(session=session, data=ProducerCreate(code="HGD-B", name="Hộ B", address="Thôn Nà Làng"))
    for producer in (a, b):
        create_product(session=session, producer=producer, data=ProductCreate(
            sku="MIEN-500", name="Miến dong", unit="gói", price=60000, stock=1))
    session.commit()
    with pytest.raises(ConflictError) as caught:
        merge_producers(session=session, keep_code="HGD-A", absorb_code="HGD-B", actor="tester")
    assert caught.value.code == "producers.merge_sku_conflict"
    assert "MIEN-500" in caught.value.message("vi")
    session.rollback()
    assert count(session, "SELECT count(*) FROM producer") == 2
    with pytest.raises(ConflictError):
        merge_producers(session=session, keep_code="HGD-A", absorb_code="HGD-A", actor="tester")


def test_merge_fills_the_survivors_blanks(session: Session) -> None:
    create_producer(session=session, data=ProducerCreate(code="HGD-A", name="Hộ A", phone="0912000061"))
    create_producer(session=session, data=ProducerCreate(code="HGD-B", name="Hộ A", phone="0912000062",
                                                         address="Thôn Nà Làng", unit_vn2025="01906"))
    result = merge_producers(session=session, keep_code="HGD-A", absorb_code="HGD-B", actor="tester")
    survivor = get_producer(session=session, code="HGD-A")
    assert (survivor.phone, survivor.address, survivor.unit_vn2025) == ("+84912000061", "Thôn Nà Làng", "01906")
    assert sorted(result.filled) == ["address", "unit_vn2025"]


def test_keep_both_closes_the_candidate(session: Session) -> None:
    dung_code, lan_code = _candidate_pair(session)
    assert keep_both(session=session, a_code=lan_code, b_code=dung_code, actor="tester") == 1
    session.commit()
    kept = session.execute(text("SELECT status FROM merge_candidate WHERE reason = 'phone_other_name'")).scalar()
    assert kept == "kept"
    before = snapshot(session)
    import_register(session=session, paths=TEAM_FILES, today=TODAY)
    assert snapshot(session) == before
