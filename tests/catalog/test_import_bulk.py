"""The driver-level bulk insert stores what SQLAlchemy's own insert would (types, defaults, JSON)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from catalog.importing.bulk import insert_rows
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
