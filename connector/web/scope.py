"""What a logged-in user may see and change: every page and API call goes through here.

A :class:`Principal` is the user as the web layer knows it.  Producer look-ups are *scoped*: an
object outside the user's scope is reported as not found (404), never as forbidden, so an id
edited in the URL does not even reveal that the object exists.  Whole features a role may not
use raise :class:`~connector.web.auth.ForbiddenError` (403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, false, select, true

from catalog.errors import NotFoundError
from catalog.producers import Producer
from catalog.products import Product
from connector.users import Role, WebUser
from connector.web.auth import ForbiddenError


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
        if self.role is Role.admin:
            return True
        if self.role is Role.producer:
            return producer.id == self.producer_id
        if self.role is Role.staff:
            return producer.unit_vn2025 in self.communes
        return False


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
