"""The onboarding funnel: how many distinct households reached each step, by place, team member, month.

The cohort is the households **registered in the period** (their first registration date falls in
it); each further step counts those of them that reached it **by the end of the period**.  Steps
are supplied by step sources in order::

    registered → trained → with an account (any platform; and per platform) → with at least one
    active listing → with at least one sale

A source gives each step's households as a query selecting their ids, as a 0/1 column of a
per-household query that several steps share (:class:`Flagged`: the accounts, one join for every
platform), or as a plain set of ids (written into the query, or held in a temporary table when
large).  The database does the counting — one statement flags each household of the cohort once
per step and sums the flags per group (distinct households, as ``COUNT(DISTINCT producer_id) …
GROUP BY``) — so no registration is loaded into Python (``bench/onboarding.py``: the whole province,
150,000 households, in under a second on SQLite).

Steps are not nested (a household may open an account without a training).  A step's conversion is
measured against its declared ``base`` step only when, in the report, every household of the step is
also in the base; otherwise against ``registered`` — so no rate is ever above 100 %.  Per-platform
steps are measured against ``registered``.  Groups never lose a household: an old district that a
new unit straddles gets a *split* row and a household without a unit an *unknown* row
(:mod:`connector.onboarding.geography`), so the rows of any single-valued dimension add up to the
total.  A household on two team members' lists counts once in each member's row and once in the
total.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
)
from sqlmodel import Session, col

from catalog.admin_units import AdminUnit, UnitLineage
from catalog.errors import CatalogueValidationError
from catalog.producers import Producer
from catalog.products import Product
from connector.accounts import AccountStatus, MarketplaceAccount
from connector.ledger.booking import local_midnight
from connector.ledger.models import LedgerEntry
from connector.onboarding.geography import Geography
from connector.onboarding.models import CandidateStatus, MergeCandidate, Registration, TeamMember, TrainingRecord
from connector.onboarding.periods import Period
from connector.onboarding.platforms import PLATFORMS, platform_label

DIMENSIONS = ("commune", "district", "team-member", "month")
HOLDING_STATUSES = (AccountStatus.active.value, AccountStatus.suspended.value)  # "has an account"
NO_MEMBER = "—"
ONE_DAY = timedelta(days=1)
REGISTERED = "registered"
_INLINE_IDS = 500  # a set of ids up to this size is written into the query; larger ones go to a temporary table


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str  # Vietnamese
    label_en: str
    base: str | None  # the step its conversion is measured against (when a true subset of it)
    detail: bool = False  # a breakdown (per platform), not a stage of the funnel


@dataclass(frozen=True, eq=False)
class Flagged:
    """Households whose row in ``query`` has ``column`` = 1.  ``query`` selects ``producer_id`` and 0/1 columns,
    one row per household; the steps that share one ``query`` object are counted with a single join (one
    look-up per household instead of one per step)."""

    query: Select[Any]
    column: str


StepMembers = AbstractSet[int] | Select[Any] | Flagged
"""The households that reached a step: a query selecting their ids (one column), a column of a shared
per-household query, or a set of ids."""

StepSource = Callable[[Session, Period], Sequence[tuple[FunnelStep, StepMembers]]]
"""``source(session, period)`` → the steps it supplies, each with the households that reached it."""

_SOURCES: dict[str, tuple[int, StepSource]] = {}


def register_step_source(name: str, source: StepSource, *, order: int) -> None:
    """Add (or replace) a source of funnel steps; ``order`` places it (trainings 20, accounts 30)."""
    _SOURCES[name] = (order, source)


def household_sets(session: Session, steps: Sequence[tuple[FunnelStep, StepMembers]],
                   ) -> list[tuple[FunnelStep, set[int]]]:
    """The steps of a source with their households as sets of ids (for callers that need the ids)."""
    out: list[tuple[FunnelStep, set[int]]] = []
    for step, members in steps:
        if isinstance(members, Flagged):
            shared = members.query.subquery()
            members = select(shared.c.producer_id).where(shared.c[members.column] == 1)
        out.append((step, set(session.execute(members).scalars()) if isinstance(members, Select) else set(members)))
    return out


def training_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    training = TrainingRecord.__table__.c  # type: ignore[attr-defined]
    query = select(training.producer_id).where(training.day <= period.end).distinct()
    return [(FunnelStep("trained", "Đã tập huấn", "Trained", REGISTERED), query)]


def account_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    account = MarketplaceAccount.__table__.c  # type: ignore[attr-defined]
    holding = (account.status.in_(HOLDING_STATUSES), or_(account.opened_on.is_(None), account.opened_on <= period.end))
    platforms = list(session.execute(select(account.marketplace).where(*holding).distinct()).scalars())
    order = {key: i for i, key in enumerate(PLATFORMS)}
    platforms.sort(key=lambda p: (order.get(p, len(order)), p))
    # one row per account holder: 1 in "any", and 1 in the column of each platform it holds an account on
    holders = select(account.producer_id.label("producer_id"), func.max(1).label("any"),
                     *(func.max(case((account.marketplace == platform, 1), else_=0)).label(f"on_{i}")
                       for i, platform in enumerate(platforms))).where(*holding).group_by(account.producer_id)
    out: list[tuple[FunnelStep, StepMembers]] = [
        (FunnelStep("account", "Có tài khoản sàn", "With an account", "trained"), Flagged(holders, "any"))]
    for i, platform in enumerate(platforms):
        label = platform_label(platform)
        out.append((FunnelStep(f"account:{platform}", f"Có tài khoản {label}", f"On {label}", REGISTERED,
                               detail=True), Flagged(holders, f"on_{i}")))
    return out


def listing_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    """Households with at least one product bound to an active listing (bound by the end of the period)."""
    from connector.sync.models import Binding, BindingState

    binding, product = Binding.__table__.c, Product.__table__.c  # type: ignore[attr-defined]
    query = select(product.producer_id).join_from(Binding.__table__, Product.__table__,  # type: ignore[attr-defined]
                                                  binding.product_id == product.id).where(
        binding.state == BindingState.active.value, binding.created_at < local_midnight(period.end + ONE_DAY),
        product.producer_id.is_not(None))
    step = FunnelStep("listed", "Có sản phẩm đang bán", "With an active listing", "account")
    return [(step, query.distinct())]


def sale_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    """Households with at least one sale standing in the ledger (net of reversals) by the end of the period."""
    entry = LedgerEntry.__table__.c  # type: ignore[attr-defined]
    query = select(entry.producer_id).where(entry.booked_day <= period.end, entry.producer_id.is_not(None)).group_by(
        entry.producer_id, entry.order_id, entry.reference).having(func.sum(entry.amount) > 0)
    step = FunnelStep("sold", "Có giao dịch bán", "With a sale", "account")
    return [(step, query)]


def trained_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    return household_sets(session, training_steps(session, period))


def account_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    return household_sets(session, account_steps(session, period))


def listed_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    return household_sets(session, listing_steps(session, period))


def sold_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    return household_sets(session, sale_steps(session, period))


register_step_source("trainings", training_steps, order=20)
register_step_source("accounts", account_steps, order=30)
register_step_source("listings", listing_steps, order=40)
register_step_source("sales", sale_steps, order=50)


@dataclass
class FunnelRow:
    group: dict[str, tuple[str, str]]  # dimension → (code, label)
    counts: dict[str, int]

    def rate(self, step: FunnelStep) -> float | None:
        base = self.counts.get(step.base or "", 0)
        return round(self.counts.get(step.key, 0) / base, 4) if step.base and base else None


@dataclass
class FunnelReport:
    period: Period
    dimensions: list[str]
    scheme: str
    steps: list[FunnelStep]
    rows: list[FunnelRow]
    total: FunnelRow
    open_candidates: int = 0
    notes: list[str] = field(default_factory=list)

    def row_dict(self, row: FunnelRow) -> dict[str, Any]:
        return {"group": {d: {"code": c, "label": label} for d, (c, label) in row.group.items()},
                "counts": {s.key: row.counts.get(s.key, 0) for s in self.steps},
                "rates": {s.key: row.rate(s) for s in self.steps if s.base}}

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period.to_dict(), "dimensions": self.dimensions, "scheme": self.scheme,
                "steps": [{"key": s.key, "label": s.label, "label_en": s.label_en, "base": s.base,
                           "detail": s.detail} for s in self.steps],
                "rows": [self.row_dict(r) for r in self.rows], "total": self.row_dict(self.total),
                "open_merge_candidates": self.open_candidates}


def parse_dimensions(text: str | Sequence[str]) -> list[str]:
    parts = [p.strip().lower().replace("_", "-") for p in (text.split(",") if isinstance(text, str) else text)]
    aliases = {"member": "team-member", "team": "team-member", "xa": "commune", "huyen": "district"}
    dims = [aliases.get(p, p) for p in parts if p]
    for dim in dims:
        if dim not in DIMENSIONS:
            raise CatalogueValidationError("onboarding.dimension_unknown", value=dim, allowed=", ".join(DIMENSIONS))
    return list(dict.fromkeys(dims))


def _member_labels(session: Session) -> dict[int | None, tuple[str, str]]:
    labels: dict[int | None, tuple[str, str]] = {None: (NO_MEMBER, "Không ghi thành viên tổ / no team member")}
    for mid, name, phone in session.execute(select(TeamMember.id, TeamMember.name, TeamMember.phone)):  # type: ignore[call-overload]
        labels[mid] = (str(mid), f"{name} (…{phone[-3:]})" if phone else name)
    return labels


def _membership(session: Session, stack: ExitStack, pid: ColumnElement[Any], members: AbstractSet[int] | Select[Any],
                ) -> ColumnElement[bool]:
    """``pid IN (…)``: the step's query, or its set of ids (inline when small, else a temporary table)."""
    if isinstance(members, Select):
        return pid.in_(members)
    if len(members) <= _INLINE_IDS:
        return pid.in_(sorted(members))
    table = Table(f"funnel_ids_{uuid.uuid4().hex[:12]}", MetaData(), Column("producer_id", Integer, primary_key=True),
                  prefixes=["TEMPORARY"])
    connection = session.connection()
    table.create(connection)
    stack.callback(table.drop, connection)
    connection.execute(table.insert(), [{"producer_id": i} for i in members])
    return pid.in_(select(table.c.producer_id))


def build_funnel(*, session: Session, period: Period, dimensions: Sequence[str] = (),
                 scheme: str = "vn2025") -> FunnelReport:
    """Distinct households at each step, by ``dimensions`` (any of :data:`DIMENSIONS`).

    One statement does the counting: a materialised table of the cohort (one row per household: first
    day, unit codes, a 0/1 flag per step), then the flags summed per raw group (first day, team member,
    unit pair) and in total.  Raw groups are then mapped to rows (month, member label, place) and added
    up, which is exact: a household has one first day and one pair of unit codes, and the team-member
    join has one row per distinct (household, member) pair."""
    dims = parse_dimensions(dimensions)
    if scheme not in ("vn2004", "vn2025"):
        raise CatalogueValidationError("onboarding.dimension_unknown", value=scheme, allowed="vn2004, vn2025")
    registered = FunnelStep(REGISTERED, "Đã đăng ký", "Registered", None)
    sourced = [item for _order, source in sorted(_SOURCES.values(), key=lambda s: s[0])
               for item in source(session, period)]
    declared = [registered, *(step for step, _ in sourced)]
    cohort = _cohort(session, period, with_first_day="month" in dims)
    places = bool({"commune", "district"} & set(dims))
    with ExitStack() as stack:
        columns: list[Any] = list(cohort.c)
        source: Any = cohort
        if places:
            producer = Producer.__table__  # type: ignore[attr-defined]
            source = source.outerjoin(producer, producer.c.id == cohort.c.pid)
            columns += [producer.c.unit_vn2025.label("unit_vn2025"), producer.c.unit_vn2004.label("unit_vn2004")]
        flag_names = {step.key: f"s{i}" for i, (step, _) in enumerate(sourced)}
        shared: dict[int, Any] = {}  # id(query) → its subquery, joined once
        for step, members in sourced:
            if isinstance(members, Flagged):
                if id(members.query) not in shared:
                    shared[id(members.query)] = joined = members.query.subquery(f"funnel_shared_{len(shared)}")
                    source = source.outerjoin(joined, joined.c.producer_id == cohort.c.pid)
                inside = shared[id(members.query)].c[members.column] == 1
            else:
                inside = _membership(session, stack, cohort.c.pid, members)
            columns.append(case((inside, 1), else_=0).label(flag_names[step.key]))
        flags = select(*columns).select_from(source).cte("funnel_flags")
        if _can_materialise(session):
            flags = flags.prefix_with("MATERIALIZED")  # each step's membership is tested once per household
        found = _count(session, flags, declared, flag_names, dims, period)
    total, outside = found.pop(None, ({}, {}))
    steps = [step if not step.base or step.base == REGISTERED or (step.base in flag_names
                                                                   and outside.get(step.key, 0) == 0)
             else replace(step, base=REGISTERED) for step in declared]
    rows = _rows(session, steps, found, dims, scheme) if dims else [FunnelRow({}, dict(total))] if total else []
    open_candidates = session.execute(select(func.count()).select_from(MergeCandidate).where(
        col(MergeCandidate.status) == CandidateStatus.open)).scalar() or 0
    return FunnelReport(period, dims, scheme, steps, rows, FunnelRow({}, total), open_candidates)


def _cohort(session: Session, period: Period, *, with_first_day: bool) -> Any:
    """The households first registered in the period: ``pid`` (and ``first_day`` when asked)."""
    reg = Registration.__table__.c  # type: ignore[attr-defined]
    if period.start is None and not with_first_day:
        # no first day needed: the distinct ids, read from the producer_id index alone when no registration
        # falls after the period (the usual "everything so far")
        query = select(reg.producer_id.label("pid")).distinct()
        latest = session.execute(select(func.max(reg.registered_on))).scalar()
        if latest is not None and latest > period.end:
            query = query.where(reg.registered_on <= period.end)
        return query.subquery("funnel_cohort")
    first_day = func.min(reg.registered_on)
    query = select(reg.producer_id.label("pid"), first_day.label("first_day")).where(
        reg.registered_on <= period.end).group_by(reg.producer_id)
    if period.start is not None:
        query = query.having(first_day >= period.start)
    return query.subquery("funnel_cohort")


def _can_materialise(session: Session) -> bool:
    dialect = session.get_bind().dialect
    return dialect.name == "postgresql" or (dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 35))


def _count(session: Session, flags: Any, steps: list[FunnelStep], flag_names: dict[str, str], dims: list[str],
           period: Period) -> dict[Any, tuple[dict[str, int], dict[str, int]]]:
    """Households per step (zeros omitted) per raw group, and under ``None`` the total with, for each step
    with a declared base, how many of its households are outside that base."""
    def measures(over: Any) -> list[Any]:
        return [func.count() if step.key == REGISTERED else func.sum(over.c[flag_names[step.key]]) for step in steps]

    checks = {step.key: func.sum(case((and_(flags.c[flag_names[step.base]] == 0, flags.c[flag_names[step.key]] == 1),
                                       1), else_=0))
              for step in steps if step.base and step.base != REGISTERED and step.base in flag_names}
    keys: list[Any] = []
    joined: Any = flags
    if "month" in dims:
        keys.append(flags.c.first_day)
    if "team-member" in dims:
        reg = Registration.__table__.c  # type: ignore[attr-defined]
        member = select(reg.producer_id, reg.team_member_id).where(reg.registered_on <= period.end).distinct().subquery(
            "funnel_member")  # one row per (household, team member): a shared household counts once per member
        joined = joined.join(member, member.c.producer_id == flags.c.pid)
        keys.append(member.c.team_member_id)
    if {"commune", "district"} & set(dims):
        keys += [flags.c.unit_vn2025, flags.c.unit_vn2004]
    total = select(literal(0).label("grouped"), *(null() for _ in keys), *measures(flags), *checks.values())
    query: Any = total
    if dims:
        grouped = select(literal(1), *keys, *measures(flags), *(literal(0) for _ in checks)).select_from(
            joined).group_by(*keys)
        query = grouped.union_all(total.select_from(flags))
    else:
        query = total.select_from(flags)
    out: dict[Any, tuple[dict[str, int], dict[str, int]]] = {}
    n_keys, n_steps = len(keys), len(steps)
    for row in session.execute(query):
        counts = {step.key: int(n) for step, n in zip(steps, row[1 + n_keys:1 + n_keys + n_steps], strict=True) if n}
        if counts:
            checked = dict(zip(checks, (int(n or 0) for n in row[1 + n_keys + n_steps:]), strict=True))
            out[tuple(row[1:1 + n_keys]) if row[0] else None] = counts, checked
    return out


def _rows(session: Session, steps: list[FunnelStep], found: dict[Any, tuple[dict[str, int], dict[str, int]]],
          dims: list[str], scheme: str) -> list[FunnelRow]:
    """Each raw group (first day, team member, unit codes) mapped to its row (month, member label, place),
    the counts of the raw groups that map to one row added up."""
    geo = _geography(session, {values[-2:] for values in found}) if {"commune", "district"} & set(dims) else None
    labels = _member_labels(session) if "team-member" in dims else {}
    counts: dict[tuple[tuple[str, str], ...], dict[str, int]] = defaultdict(dict)
    for values, (raw, _checks) in found.items():
        key: list[tuple[str, str]] = []
        for dim in dims:
            if dim == "month":
                day = values[0]
                key.append((f"{day:%Y-%m}", f"{day:%m/%Y}"))
            elif dim == "team-member":
                mid = values[1 if "month" in dims else 0]
                key.append(labels.get(mid, (str(mid), str(mid))))
            else:
                assert geo is not None
                new, old = values[-2:]
                place = geo.place("district" if dim == "district" else f"commune:{scheme}", new, old)
                key.append((place.code, place.label))
        row = counts[tuple(key)]
        for step, n in raw.items():
            row[step] = row.get(step, 0) + n
    order = [step.key for step in steps]
    return [FunnelRow(dict(zip(dims, key, strict=True)), {s: value[s] for s in order if s in value})
            for key, value in sorted(counts.items(), key=_order_key)]


def _geography(session: Session, pairs: set[tuple[str | None, str | None]]) -> Geography:
    """:func:`~connector.onboarding.geography.load_geography` narrowed to what ``pairs`` (unit_vn2025,
    unit_vn2004) need: the whole lineage, read the same way, but the names and parents of those units, their
    predecessors and their districts only (a few hundred units instead of every unit of the country)."""
    geo = Geography()
    lineage = UnitLineage.__table__.c  # type: ignore[attr-defined]
    for old, new, _partly in session.execute(select(lineage.old_code, lineage.new_code, lineage.partly)
                                             .order_by(lineage.partly)):
        geo.successor.setdefault(old, new)  # as load_geography: a split commune goes to its main successor
        geo.predecessors[new].append(old)
    news = {new for new in (geo.new_unit(*pair) for pair in pairs) if new}
    olds = {old for _new, old in pairs if old} | {old for new in news for old in geo.predecessors.get(new, [])}
    unit = AdminUnit.__table__.c  # type: ignore[attr-defined]
    wanted = [or_(and_(unit.scheme == "vn2025", unit.code.in_(sorted(news))),
                  and_(unit.scheme == "vn2004", unit.code.in_(sorted(olds))))]
    for _round in range(2):  # the units, then their districts
        parents: set[str] = set()
        for scheme, code, name, parent in session.execute(select(unit.scheme, unit.code, unit.name, unit.parent_code)
                                                          .where(*wanted)):
            geo.names[(scheme, code)] = name
            if scheme == "vn2004" and len(code) == 5 and parent:
                geo.parent[code] = parent
                parents.add(parent)
        known = {code for scheme, code in geo.names if scheme == "vn2004"}
        wanted = [unit.scheme == "vn2004", unit.code.in_(sorted(parents - known))]
    return geo


def _order_key(item: tuple[tuple[tuple[str, str], ...], Any]) -> tuple[Any, ...]:
    # unknown and split rows after the units, units by code, months in order
    return tuple((code.startswith(("?", "split:", "—")), code) for code, _ in item[0])


def sum_rows(rows: Iterable[FunnelRow], step: str) -> int:
    return sum(r.counts.get(step, 0) for r in rows)
