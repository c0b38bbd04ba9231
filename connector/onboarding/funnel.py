"""The onboarding funnel: how many distinct households reached each step, by place, team member, month.

The cohort is the households **registered in the period** (their first registration date falls in
it); each further step counts those of them that reached it **by the end of the period**.  Steps
are supplied by step sources in order::

    registered → trained → with an account (any platform; and per platform) → with at least one
    active listing → with at least one sale

A source gives each step's households either as a query selecting their ids (the built-in sources:
the database does the counting, ``COUNT(DISTINCT producer_id) … GROUP BY``, so the whole province
answers in well under a second) or as a plain set of ids (held in a temporary table while counting).

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
    distinct,
    func,
    null,
    or_,
    select,
)
from sqlmodel import Session, col

from catalog.errors import CatalogueValidationError
from catalog.producers import Producer
from catalog.products import Product
from connector.accounts import AccountStatus, MarketplaceAccount
from connector.ledger.booking import local_midnight
from connector.ledger.models import LedgerEntry
from connector.onboarding.geography import load_geography
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


StepMembers = AbstractSet[int] | Select[Any]
"""The households that reached a step: a query selecting their ids (one column), or a set of ids."""

StepSource = Callable[[Session, Period], list[tuple[FunnelStep, StepMembers]]]
"""``source(session, period)`` → the steps it supplies, each with the households that reached it."""

_SOURCES: dict[str, tuple[int, StepSource]] = {}


def register_step_source(name: str, source: StepSource, *, order: int) -> None:
    """Add (or replace) a source of funnel steps; ``order`` places it (trainings 20, accounts 30)."""
    _SOURCES[name] = (order, source)


def household_sets(session: Session, steps: list[tuple[FunnelStep, StepMembers]]) -> list[tuple[FunnelStep, set[int]]]:
    """The steps of a source with their households as sets of ids (for callers that need the ids)."""
    return [(step, set(session.execute(members).scalars()) if isinstance(members, Select) else set(members))
            for step, members in steps]


def training_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    training = TrainingRecord.__table__.c  # type: ignore[attr-defined]
    query = select(training.producer_id).where(training.day <= period.end).distinct()
    return [(FunnelStep("trained", "Đã tập huấn", "Trained", REGISTERED), query)]


def account_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    account = MarketplaceAccount.__table__.c  # type: ignore[attr-defined]
    holding = (account.status.in_(HOLDING_STATUSES), or_(account.opened_on.is_(None), account.opened_on <= period.end))
    platforms = list(session.execute(select(account.marketplace).where(*holding).distinct()).scalars())
    out: list[tuple[FunnelStep, StepMembers]] = [
        (FunnelStep("account", "Có tài khoản sàn", "With an account", "trained"),
         select(account.producer_id).where(*holding).distinct())]
    order = {key: i for i, key in enumerate(PLATFORMS)}
    for platform in sorted(platforms, key=lambda p: (order.get(p, len(order)), p)):
        label = platform_label(platform)
        out.append((FunnelStep(f"account:{platform}", f"Có tài khoản {label}", f"On {label}", REGISTERED,
                               detail=True),
                    select(account.producer_id).where(*holding, account.marketplace == platform).distinct()))
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


def _membership(session: Session, stack: ExitStack, pid: ColumnElement[Any],
                members: StepMembers) -> ColumnElement[bool]:
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
    """Distinct households at each step, by ``dimensions`` (any of :data:`DIMENSIONS`)."""
    dims = parse_dimensions(dimensions)
    if scheme not in ("vn2004", "vn2025"):
        raise CatalogueValidationError("onboarding.dimension_unknown", value=scheme, allowed="vn2004, vn2025")
    registered = FunnelStep(REGISTERED, "Đã đăng ký", "Registered", None)
    sourced = [item for _order, source in sorted(_SOURCES.values(), key=lambda s: s[0])
               for item in source(session, period)]
    reg = Registration.__table__.c  # type: ignore[attr-defined]
    first_day = func.min(reg.registered_on)
    cohort_query = select(reg.producer_id.label("pid"), first_day.label("first_day")).where(
        reg.registered_on <= period.end).group_by(reg.producer_id)
    if period.start is not None:
        cohort_query = cohort_query.having(first_day >= period.start)
    cohort = cohort_query.cte("funnel_cohort")
    pid = cohort.c.pid
    with ExitStack() as stack:
        inside = {step.key: _membership(session, stack, pid, members) for step, members in sourced}
        steps = [registered, *_effective_bases(session, cohort, [s for s, _ in sourced], inside)]
        total = _count(session, cohort, steps, inside, [], select_from=cohort).get((), {})  # zeros omitted, as in rows
        rows = _grouped(session, cohort, steps, inside, dims, scheme, period)
    open_candidates = session.execute(select(func.count()).select_from(MergeCandidate).where(
        col(MergeCandidate.status) == CandidateStatus.open)).scalar() or 0
    return FunnelReport(period, dims, scheme, steps, rows, FunnelRow({}, total), open_candidates)


def _effective_bases(session: Session, cohort: Any, steps: list[FunnelStep],
                     inside: dict[str, ColumnElement[bool]]) -> list[FunnelStep]:
    """Each step with the base its rate is measured against: its own when a true subset, else registered."""
    checks = {step.key: func.count(case((inside[step.base], null()), (inside[step.key], cohort.c.pid)))
              for step in steps if step.base and step.base != REGISTERED and step.base in inside}
    outside: dict[str, int] = {}
    if checks:
        row = session.execute(select(*(check.label(f"c{i}") for i, check in enumerate(checks.values())))
                              .select_from(cohort)).one()
        outside = dict(zip(checks, row, strict=True))
    return [step if not step.base or step.base == REGISTERED or outside.get(step.key) == 0
            else replace(step, base=REGISTERED) for step in steps]


def _count(session: Session, cohort: Any, steps: list[FunnelStep], inside: dict[str, ColumnElement[bool]],
           keys: list[ColumnElement[Any]], *, select_from: Any) -> dict[tuple[Any, ...], dict[str, int]]:
    """Distinct households per step, grouped by the raw ``keys`` columns (none: one total)."""
    pid = cohort.c.pid
    measures = [func.count(distinct(pid if step.key == REGISTERED else case((inside[step.key], pid))))
                for step in steps]
    query = select(*keys, *measures).select_from(select_from)
    if keys:
        query = query.group_by(*keys)
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in session.execute(query):
        values = tuple(row[:len(keys)])
        counts = {step.key: int(n) for step, n in zip(steps, row[len(keys):], strict=True) if n}
        if counts:
            out[values] = counts
    return out


def _grouped(session: Session, cohort: Any, steps: list[FunnelStep], inside: dict[str, ColumnElement[bool]],
             dims: list[str], scheme: str, period: Period) -> list[FunnelRow]:
    """The rows: counted by raw columns (first day, team member, unit codes) in the database, then each raw
    group mapped to its row (month, member label, place) and added up — exact, as a household has one
    first day and one pair of unit codes, and team members are grouped by themselves."""
    pid = cohort.c.pid
    keys: list[ColumnElement[Any]] = []
    joined: Any = cohort
    positions: dict[str, list[int]] = {}
    if "month" in dims:
        positions["month"] = [len(keys)]
        keys.append(cohort.c.first_day)
    if "team-member" in dims:
        member = Registration.__table__.alias("funnel_member")  # type: ignore[attr-defined]
        joined = joined.join(member, and_(member.c.producer_id == pid, member.c.registered_on <= period.end))
        positions["team-member"] = [len(keys)]
        keys.append(member.c.team_member_id)
    geo = load_geography(session=session) if {"commune", "district"} & set(dims) else None
    if geo is not None:
        producer = Producer.__table__  # type: ignore[attr-defined]
        joined = joined.outerjoin(producer, producer.c.id == pid)
        positions["place"] = [len(keys), len(keys) + 1]
        keys.extend([producer.c.unit_vn2025, producer.c.unit_vn2004])
    labels = _member_labels(session) if "team-member" in dims else {}
    raw = _count(session, cohort, steps, inside, keys, select_from=joined)
    counts: dict[tuple[tuple[str, str], ...], dict[str, int]] = defaultdict(dict)
    for values, found in raw.items():
        key: list[tuple[str, str]] = []
        for dim in dims:
            if dim == "month":
                day = values[positions["month"][0]]
                key.append((f"{day:%Y-%m}", f"{day:%m/%Y}"))
            elif dim == "team-member":
                mid = values[positions["team-member"][0]]
                key.append(labels.get(mid, (str(mid), str(mid))))
            else:
                assert geo is not None
                new, old = (values[i] for i in positions["place"])
                place = geo.place("district" if dim == "district" else f"commune:{scheme}", new, old)
                key.append((place.code, place.label))
        row = counts[tuple(key)]
        for step, n in found.items():
            row[step] = row.get(step, 0) + n
    order = [step.key for step in steps]
    return [FunnelRow(dict(zip(dims, key, strict=True)), {s: value[s] for s in order if s in value})
            for key, value in sorted(counts.items(), key=_order_key)]


def _order_key(item: tuple[tuple[tuple[str, str], ...], Any]) -> tuple[Any, ...]:
    # unknown and split rows after the units, units by code, months in order
    return tuple((code.startswith(("?", "split:", "—")), code) for code, _ in item[0])


def sum_rows(rows: Iterable[FunnelRow], step: str) -> int:
    return sum(r.counts.get(step, 0) for r in rows)
