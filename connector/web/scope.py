"""What a logged-in user may see and change: every page and API call goes through here.

A :class:`Principal` is the user as the web layer knows it.  Producer look-ups are *scoped*: an
object outside the user's scope is reported as not found (404), never as forbidden, so an id
edited in the URL does not even reveal that the object exists.  Whole features a role may not
use raise :class:`~connector.web.auth.ForbiddenError` (403).

Writes are checked against the user's area before and after.  A write that reaches one producer
by an id goes through :func:`scoped_producer` / :func:`scoped_product` first (none of those
writes can move a producer).  A write whose effects are decided by a file or a matcher
(catalogue import, the field form's register import, merges) runs inside :func:`area_guard`:
the database records every producer the write touched (its row, or any row that belongs to
it) and the commune each changed producer had before, and the request is refused — rolled
back, naming nothing — when any of them was, or ends up, outside the user's scope.  Moving a
producer of another commune into one's own is refused as surely as moving one's own out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, false, select, true

from catalog.errors import NotFoundError
from catalog.producers import Producer
from catalog.products import Product
from connector.touches import Touched, capture_touches
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


def outside_touches(*, session: Session, who: Principal, touched: Touched) -> bool:
    """Whether a write that touched these producers reached outside ``who``'s scope, before or after."""
    if not touched.complete:
        return True  # rolled back inside: what followed was not seen, so nothing is vouched for
    for pid, commune in touched.communes_before.items():
        if not who.may_reach(pid, commune):
            return True
    now: dict[int, str | None] = {}
    ids = sorted(touched.producers)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = session.exec(select(Producer.id, Producer.unit_vn2025).where(col(Producer.id).in_(chunk)))
        now.update({pid: commune for pid, commune in rows if pid is not None})
    for pid in ids:
        if pid in now:
            if not who.may_reach(pid, now[pid]):
                return True
        elif pid not in touched.communes_before:
            return True  # neither there before nor now: a producer made and removed inside; not vouched for
    return False


@contextmanager
def area_guard(*, session: Session, who: Principal) -> Iterator[None]:
    """Run a write that must stay inside ``who``'s area; refuse it whole (rolled back) when it does not.

    The database records which producers the write touched (:mod:`connector.touches`), with the
    commune of each changed producer before the change; every one of them must have been, and
    still be, in scope.  The write inside must flush, not commit (the request's session commits
    when the page is done)."""
    if who.role is Role.admin:
        yield
        return
    with capture_touches(session) as touched:
        yield
    if outside_touches(session=session, who=who, touched=touched):
        session.rollback()
        raise OutsideAreaError()
