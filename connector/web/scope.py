"""What a logged-in user may see and change: every page and API call goes through here.

A :class:`Principal` is the user as the web layer knows it.  Producer look-ups are *scoped*: an
object outside the user's scope is reported as not found (404), never as forbidden, so an id
edited in the URL does not even reveal that the object exists.  Whole features a role may not
use raise :class:`~connector.web.auth.ForbiddenError` (403).

Writes are checked twice, before and after: a write that reaches a producer by an id goes
through :func:`scoped_producer` / :func:`scoped_product` first and :func:`still_in_scope` after;
a write whose effects are decided by a file or a matcher (catalogue import, the field form's
register import, merges) runs inside :func:`area_guard`, which compares everything that belongs
to each producer before and after and refuses — rolling back, naming nothing — when any producer
that changed was, or ends up, outside the user's scope.  Moving a producer of another commune
into one's own is thus refused as surely as moving one's own out.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel, col, false, select, true

from catalog.errors import NotFoundError
from catalog.producers import Producer
from catalog.products import Product
from connector.web.auth import ForbiddenError
from connector.web.models import Role, WebUser


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    display_name: str
    role: Role
    producer_id: int | None
    communes: frozenset[str]
    team_member_id: int | None

    @classmethod
    def of(cls, user: WebUser) -> Principal:
        assert user.id is not None
        return cls(user.id, user.username, user.display_name, Role(user.role), user.producer_id,
                   frozenset(user.communes or ()), user.team_member_id)

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise ForbiddenError()

    @property
    def sees_personal_data(self) -> bool:
        return self.role is not Role.province

    def producer_clause(self) -> ColumnElement[bool]:
        """A WHERE clause on :class:`Producer` limiting rows to what this user may see."""
        if self.role is Role.admin:
            return true()
        if self.role is Role.producer:
            return col(Producer.id) == self.producer_id if self.producer_id is not None else false()
        if self.role is Role.staff:
            return col(Producer.unit_vn2025).in_(sorted(self.communes)) if self.communes else false()
        return false()  # province: counts only, through the report services

    def may_see(self, producer: Producer) -> bool:
        return self.may_reach(producer.id, producer.unit_vn2025)

    def may_reach(self, producer_id: int | None, commune: str | None) -> bool:
        """Whether a producer with this id, registered in this vn2025 commune, is in this user's scope."""
        if self.role is Role.admin:
            return True
        if self.role is Role.producer:
            return producer_id is not None and producer_id == self.producer_id
        if self.role is Role.staff:
            return commune in self.communes
        return False


class OutsideAreaError(ForbiddenError):
    """A write that would create, change, move or merge something outside the user's area.

    It names nothing (no producer, code, row or count): the request is refused as a whole."""

    default_code = "scope.outside_area"


def visible_producers(*, session: Session, who: Principal, search: str | None = None) -> list[Producer]:
    from catalog.text import fold

    query = select(Producer).where(who.producer_clause()).order_by(col(Producer.code))
    if search:
        query = query.where(col(Producer.name_key).contains(fold(search)))
    return list(session.exec(query.limit(500)))


def visible_producer_ids(*, session: Session, who: Principal) -> set[int]:
    return {pid for pid in session.exec(select(Producer.id).where(who.producer_clause())) if pid is not None}


def scoped_producer(*, session: Session, who: Principal, code: str) -> Producer:
    producer = session.exec(select(Producer).where(Producer.code == code, who.producer_clause())).first()
    if producer is None:
        raise NotFoundError(entity="producer", key=code)
    return producer


def scoped_product(*, session: Session, who: Principal, product_id: int) -> tuple[Product, Producer]:
    row = session.exec(select(Product, Producer).join(Producer).where(Product.id == product_id,
                                                                      who.producer_clause())).first()
    if row is None:
        raise NotFoundError(entity="product", key=str(product_id))
    return row[0], row[1]


def only_visible(who: Principal, producers: Iterable[Producer]) -> list[Producer]:
    return [p for p in producers if who.may_see(p)]


def visible_products(*, session: Session, who: Principal, search: str | None = None,
                     limit: int = 300) -> list[tuple[Product, Producer]]:
    """Products this user may see, searched on the folded name (accents and case ignored) or the SKU."""
    from catalog.text import fold

    query = (select(Product, Producer).join(Producer).where(who.producer_clause())
             .order_by(col(Producer.code), col(Product.sku)))
    if search:
        key = fold(search)
        query = query.where(col(Product.name_key).contains(key) | col(Product.sku).ilike(f"%{search.strip()}%"))
    return [(p, pr) for p, pr in session.exec(query.limit(limit))]


def still_in_scope(*, session: Session, who: Principal, producer: Producer) -> None:
    """After a write reached through a scoped look-up: the producer is still where the user may act."""
    session.flush()
    session.refresh(producer)
    if not who.may_see(producer):
        session.rollback()
        raise OutsideAreaError()


# What belongs to a producer, table by table: (table, how a row names its producer).  A row
# naming two producers (a merge candidate) belongs to both.  The ledger is left out: it is
# append-only and written only by sales routes, which reach their producer through
# scoped_producer; scanning millions of entries per request would cost more than it checks.
_OWNED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("product", ("producer_id",)),
    ("marketplace_account", ("producer_id",)),
    ("onboarding_registration", ("producer_id",)),
    ("training_record", ("producer_id",)),
    ("merge_candidate", ("producer_a_id", "producer_b_id")),
    ("web_user", ("producer_id",)),
)
_BY_PRODUCT = ("ocop_certification", "product_image", "binding")


@dataclass(frozen=True)
class AreaSnapshot:
    """Per producer: its commune and a digest of its row and of every row that belongs to it."""

    communes: dict[int, str | None]
    digests: dict[int, bytes]


def _table(name: str) -> Table | None:
    import connector.schema  # noqa: F401  (every table registered in the metadata)

    return SQLModel.metadata.tables.get(name)


def _rows(session: Session, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of table ``name`` as (its printed form, its values by column); none if the table is unknown."""
    table = _table(name)
    if table is None:
        return
    keys = list(table.c.keys())
    for row in session.execute(sa_select(table)):
        yield f"{name}:{tuple(row)!r}", dict(zip(keys, row, strict=True))


def area_snapshot(*, session: Session) -> AreaSnapshot:
    """Read everything a producer owns, once, into one digest per producer."""
    session.flush()
    parts: dict[int, list[str]] = defaultdict(list)
    communes: dict[int, str | None] = {}
    owner_of: dict[int, int] = {}
    for text, values in _rows(session, "producer"):
        communes[values["id"]] = values["unit_vn2025"]
        parts[values["id"]].append(text)
    for name, keys in _OWNED:
        for text, values in _rows(session, name):
            if name == "product":
                owner_of[values["id"]] = values["producer_id"]
            for key in keys:
                if values.get(key) is not None:
                    parts[values[key]].append(text)
    for name in _BY_PRODUCT:
        for text, values in _rows(session, name):
            owner = owner_of.get(values["product_id"])
            if owner is not None:
                parts[owner].append(text)
    digests = {pid: hashlib.blake2b("\n".join(sorted(lines)).encode(), digest_size=16).digest()
               for pid, lines in parts.items()}
    return AreaSnapshot(communes, digests)


def outside_changes(who: Principal, before: AreaSnapshot, after: AreaSnapshot) -> bool:
    """Whether any producer that changed between the snapshots was, or is now, outside ``who``'s scope."""
    for pid in before.digests.keys() | after.digests.keys():
        if before.digests.get(pid) == after.digests.get(pid):
            continue
        if pid in before.communes and not who.may_reach(pid, before.communes[pid]):
            return True
        if pid in after.communes and not who.may_reach(pid, after.communes[pid]):
            return True
    return False


@contextmanager
def area_guard(*, session: Session, who: Principal) -> Iterator[None]:
    """Run a write that must stay inside ``who``'s area; refuse it whole (rolled back) when it does not.

    The write inside must flush, not commit (the request's session commits when the page is done)."""
    if who.role is Role.admin:
        yield
        return
    before = area_snapshot(session=session)
    yield
    if outside_changes(who, before, area_snapshot(session=session)):
        session.rollback()
        raise OutsideAreaError()
