"""The register's column-wise bulk inserts, and how the ids of new households are found again."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from catalog.importing.bulk import insert_columns
from catalog.importing.problems import ProblemLog
from catalog.importing.units import UnitResolver
from catalog.producers import ProducerCreate, create_producer, get_producer
from connector.accounts import AccountStatus, get_account
from connector.onboarding.households import PRODUCERS, HouseholdBook
from connector.onboarding.register import ACCOUNTS
from connector.onboarding.writes import ids_above


def test_insert_columns_writes_typed_values(session: Session) -> None:
    producer = create_producer(session=session, data=ProducerCreate(code="W-1", name="Hoàng Văn Dũng"))
    session.flush()
    insert_columns(session, ACCOUNTS, {
        "name": ["w-1-voso", "w-1-postmart", "w-1-shopee"], "marketplace": ["voso", "postmart", "shopee"],
        "login_phone": ["+84912000001", None, None], "shop_id": [None, "shop-9", None],
        "opened_on": [date(2024, 3, 1), None, date(2024, 3, 1)],
        "status": [AccountStatus.active.value, AccountStatus.pending.value, AccountStatus.active.value],
        "producer_id": [producer.id] * 3}, constants={"rules": {}}, now=("created_at",))
    session.commit()
    voso, postmart = get_account(session=session, name="w-1-voso"), get_account(session=session, name="w-1-postmart")
    assert (voso.opened_on, voso.status, voso.login_phone, voso.rules) == (date(2024, 3, 1), AccountStatus.active,
                                                                            "+84912000001", {})
    assert (postmart.opened_on, postmart.status, postmart.shop_id) == (None, AccountStatus.pending, "shop-9")
    assert voso.created_at is not None


def test_insert_columns_needs_one_value_per_row_and_nothing_is_a_no_op(session: Session) -> None:
    insert_columns(session, ACCOUNTS, {"name": [], "marketplace": []})
    with pytest.raises(ValueError, match="one value per row"):
        insert_columns(session, ACCOUNTS, {"name": ["a"], "marketplace": []})
    assert session.execute(text("SELECT count(*) FROM marketplace_account")).scalar() == 0


def _book(session: Session) -> HouseholdBook:
    return HouseholdBook(session=session, log=ProblemLog(), units=UnitResolver(session))


def test_new_ids_found_by_code_when_other_rows_sit_among_them(session: Session) -> None:
    before = create_producer(session=session, data=ProducerCreate(code="W-0", name="Ma Văn Tiến"))
    session.flush()
    assert before.id is not None
    base = before.id
    # two rows written by "someone else" around the ids our two rows would take
    insert_columns(session, PRODUCERS, {"id": [base + 1, base + 3], "code": ["W-2", "W-4"],
                                        "name": ["Nông Thị Hoa", "Lý Văn Sáng"], "name_key": ["a", "b"]},
                   now=("created_at", "updated_at"))
    insert_columns(session, PRODUCERS, {"id": [base + 2, base + 4], "code": ["W-3", "W-5"],
                                        "name": ["Bế Thị Lụa", "Hà Văn Khê"], "name_key": ["c", "d"]},
                   now=("created_at", "updated_at"))
    book = _book(session)
    book._map_new_ids(base, [{"code": "W-3"}, {"code": "W-5"}], [-1, -2])
    assert (book.real_id(-1), book.real_id(-2)) == (base + 2, base + 4)
    assert sorted(ids_above(session, PRODUCERS, "code", base + 2)) == [(base + 3, "W-4"), (base + 4, "W-5")]


def test_new_ids_follow_the_order_written(session: Session) -> None:
    base = create_producer(session=session, data=ProducerCreate(code="W-0", name="Ma Văn Tiến")).id
    session.flush()
    assert base is not None
    insert_columns(session, PRODUCERS, {"code": ["W-1", "W-2"], "name": ["Nông Thị Hoa", "Bế Thị Lụa"],
                                        "name_key": ["nong thi hoa", "be thi lua"]}, now=("created_at", "updated_at"))
    book = _book(session)
    book._map_new_ids(base, [{"code": "W-1"}, {"code": "W-2"}], [-1, -2])
    assert book.real_id(-1) == get_producer(session=session, code="W-1").id
    assert book.real_id(-2) == get_producer(session=session, code="W-2").id
