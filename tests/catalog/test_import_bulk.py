"""The driver-level bulk insert stores what SQLAlchemy's own insert would (types, defaults, JSON)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlmodel import Session

from catalog.importing.bulk import insert_columns, insert_rows, sql_literal
from catalog.producers import Producer, ProducerKind
from catalog.products import Product
from connector.accounts import AccountStatus, MarketplaceAccount

PRODUCERS = Producer.__table__  # type: ignore[attr-defined]
PRODUCTS = Product.__table__  # type: ignore[attr-defined]
ACCOUNTS = MarketplaceAccount.__table__  # type: ignore[attr-defined]


def _producer(code: str) -> dict[str, object]:
    return {"code": code, "name": f"Hộ {code}", "name_key": f"ho {code.lower()}", "kind": ProducerKind.household.value,
            "phone": None, "representative": None, "registration_code": None, "address": None,
            "unit_vn2025": None, "unit_vn2004": None}


def test_insert_rows_matches_sqlalchemy(session: Session) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    insert_rows(session, PRODUCERS, [_producer("A"), _producer("B")], now=("created_at", "updated_at"))
    session.execute(insert(PRODUCERS).values(created_at=before, updated_at=before), [_producer("C")])
    ids = dict(session.execute(select(PRODUCERS.c.code, PRODUCERS.c.id)).all())
    product = {"producer_id": ids["A"], "sku": "MIEN-1", "name": "Miến dong", "name_key": "mien dong", "price": 60000,
               "unit": "gói", "stock": 3, "status": "active"}
    insert_rows(session, PRODUCTS, [product], now=("created_at", "updated_at"))  # versions from column defaults
    account = {"name": "a-voso", "marketplace": "voso", "shop_id": None, "login_phone": "+84912345678",
               "opened_on": date(2024, 3, 15), "status": AccountStatus.active.value, "producer_id": ids["B"],
               "onboarded_by": None, "rules": {"markup": 5}}
    insert_rows(session, ACCOUNTS, [account], now=("created_at",))
    session.commit()
    stored = {p.code: p for p in session.execute(select(Producer)).scalars()}
    assert stored["A"].kind is ProducerKind.household and stored["A"].name == "Hộ A"
    assert stored["A"].created_at >= stored["C"].created_at  # stored alike (aware or not) on each database
    saved = session.execute(select(Product)).scalar_one()
    assert (saved.price, saved.content_version, saved.stock_version) == (60000, 1, 1)
    opened = session.execute(select(MarketplaceAccount)).scalar_one()
    assert (opened.opened_on, opened.status, opened.rules) == (date(2024, 3, 15), AccountStatus.active, {"markup": 5})


@pytest.mark.parametrize("value", ["O'Neil", "a\\b", "50%", "what?", "x;--", "line\nbreak", "x" * 201, True,
                                   1.5, b"raw", datetime(2024, 1, 1)])
def test_only_plain_values_become_literals(value: object) -> None:
    assert sql_literal(value) is None


def test_plain_values_become_literals() -> None:
    assert sql_literal(None) == "NULL"
    assert sql_literal(42) == "42"
    assert sql_literal("Nguyễn Văn Á 2024-01-01 00:00:00.000000") == "'Nguyễn Văn Á 2024-01-01 00:00:00.000000'"


@pytest.mark.parametrize("unit", ["gói", "hộp O'Neil", None])
def test_shared_values_are_stored_alike_inlined_or_bound(session: Session, unit: str | None) -> None:
    insert_rows(session, PRODUCERS, [_producer("A")], now=("created_at", "updated_at"))
    pid = session.execute(select(PRODUCERS.c.id)).scalar_one()
    constants = {"status": "active", "description": unit, "price": 15000, "unit": unit or "kg"}
    insert_columns(session, PRODUCTS, {"producer_id": [pid, pid], "sku": ["S1", "S2"], "name": ["Mật ong", "Chè"],
                                       "name_key": ["mat ong", "che"], "stock": [1, 2]},
                   constants=constants, now=("created_at", "updated_at"))
    session.commit()
    stored = session.execute(select(Product).order_by(Product.sku)).scalars().all()
    assert [(p.sku, p.status.value, p.description, p.price, p.unit, p.content_version) for p in stored] == [
        ("S1", "active", unit, 15000, unit or "kg", 1), ("S2", "active", unit, 15000, unit or "kg", 1)]
    assert stored[0].created_at == stored[1].created_at == stored[0].updated_at
