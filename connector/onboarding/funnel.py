"""The onboarding funnel: how many distinct households reached each step, by place, team member, month.

The cohort is, by default, every household **registered on or before the end of the period** (the
funnel *as of* that date); with ``new=True`` only those **first registered within the period**.  Each
further step counts those of them that reached it **by the end of the period**.  Steps
are supplied by the step sources the caller passes, in order; the province's funnel
(:data:`connector.funnel.FUNNEL_STEPS`) is::

    registered → trained → with an account (any platform; and per platform) → with at least one
    active listing (:mod:`connector.sync`) → with at least one sale (:mod:`connector.ledger`)

The register supplies the first two sources (:data:`ONBOARDING_STEPS`); the sync and the ledger
supply theirs, built on :class:`FunnelStep` — the funnel imports neither of them.

A source gives each step's households as a query selecting their ids, as rows of a query that
several steps share (:class:`Flagged`), or as a plain set of ids (the accounts: one statement reads
the holders of every platform).  The database reads each step once, through its indexes, and returns
its households as one text of ids (``group_concat`` / ``string_agg``) — never a row per household,
nor a join of the cohort with every step; the cohort, its first days, team members and unit codes
are read the same way, grouped.  Python then intersects each step with the cohort and counts it per
group (a distinct household is a set member), so ``bench/onboarding.py`` gets the whole province,
150,000 households, in well under a second on SQLite (``ix_producer_units`` and
``ix_marketplace_account_holding``, migration 0010, serve the two largest reads).

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

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, or_, select
from sqlmodel import Session, col

from catalog.admin_units import AdminUnit, UnitLineage
from catalog.errors import CatalogueValidationError
from catalog.periods import Period
from catalog.producers import Producer
from connector.accounts import AccountStatus, MarketplaceAccount, platform_of_columns
from connector.onboarding.geography import Geography
from connector.onboarding.models import CandidateStatus, MergeCandidate, Registration, TeamMember, TrainingRecord
from connector.onboarding.platforms import PLATFORMS, platform_label

DIMENSIONS = ("commune", "district", "team-member", "month")
HOLDING_STATUSES = (AccountStatus.active.value, AccountStatus.suspended.value)  # "has an account"
NO_MEMBER = "—"
REGISTERED = "registered"


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str  # Vietnamese
    label_en: str
    base: str | None  # the step its conversion is measured against (when a true subset of it)
    detail: bool = False  # a breakdown (per platform), not a stage of the funnel


@dataclass(frozen=True, eq=False)
class Flagged:
    """Households with a row in ``query`` whose ``column`` equals ``value``.  ``query`` selects ``producer_id``
    and a few key columns (0/1 flags, a platform…; one or more rows per household); the steps that share one
    ``query`` object are read with a single statement, grouped by those columns."""

    query: Select[Any]
    column: str
    value: Any = 1


StepMembers = AbstractSet[int] | Select[Any] | Flagged
"""The households that reached a step: a query selecting their ids (one column), the rows of a shared query
with a given value in one column, or a set of ids."""

StepSource = Callable[[Session, Period], Sequence[tuple[FunnelStep, StepMembers]]]
"""``source(session, period)`` → the steps it supplies, each with the households that reached it."""

def household_sets(session: Session, steps: Sequence[tuple[FunnelStep, StepMembers]],
                   ) -> list[tuple[FunnelStep, set[int]]]:
    """The steps of a source with their households as sets of ids (for callers that need the ids)."""
    out: list[tuple[FunnelStep, set[int]]] = []
    for step, members in steps:
        if isinstance(members, Flagged):
            shared = members.query.subquery()
            members = select(shared.c.producer_id).where(shared.c[members.column] == members.value)
        out.append((step, set(session.execute(members).scalars()) if isinstance(members, Select) else set(members)))
    return out


def training_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    training = TrainingRecord.__table__.c  # type: ignore[attr-defined]
    query = select(training.producer_id).where(training.day <= period.end).distinct()
    return [(FunnelStep("trained", "Đã tập huấn", "Trained", REGISTERED), query)]


def account_steps(session: Session, period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    """Households holding an account (active or suspended, opened by the end of the period): on any platform,
    and per platform (:func:`~connector.accounts.platform_of_columns`: the name its orders count under).  One
    statement reads them all, grouped by marketplace and profile."""
    account = MarketplaceAccount.__table__.c  # type: ignore[attr-defined]
    holding = (account.status.in_(HOLDING_STATUSES), or_(account.opened_on.is_(None), account.opened_on <= period.end))
    by_platform: dict[str, set[int]] = {}
    for marketplace, profile, text in session.execute(
            select(account.marketplace, account.profile, _ids_text(session, account.producer_id)).where(*holding)
            .group_by(account.marketplace, account.profile)):
        by_platform.setdefault(platform_of_columns(marketplace, profile), set()).update(_ids(text))
    order = {key: i for i, key in enumerate(PLATFORMS)}
    platforms = sorted(by_platform, key=lambda p: (order.get(p, len(order)), p))
    out: list[tuple[FunnelStep, StepMembers]] = [
        (FunnelStep("account", "Có tài khoản sàn", "With an account", "trained"), set().union(*by_platform.values()))]
    for platform in platforms:
        label = platform_label(platform)
        out.append((FunnelStep(f"account:{platform}", f"Có tài khoản {label}", f"On {label}", REGISTERED,
                               detail=True), by_platform[platform]))
    return out


def trained_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    return household_sets(session, training_steps(session, period))


def account_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    return household_sets(session, account_steps(session, period))


ONBOARDING_STEPS: tuple[StepSource, ...] = (training_steps, account_steps)
"""The register's own step sources: trained, with an account (any platform, and per platform)."""


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
    new: bool = False  # only the households first registered within the period (else: all by its end)

    def row_dict(self, row: FunnelRow) -> dict[str, Any]:
        return {"group": {d: {"code": c, "label": label} for d, (c, label) in row.group.items()},
                "counts": {s.key: row.counts.get(s.key, 0) for s in self.steps},
                "rates": {s.key: row.rate(s) for s in self.steps if s.base}}

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period.to_dict(), "cohort": "new" if self.new else "as_of_end",
                "dimensions": self.dimensions, "scheme": self.scheme,
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


def _ids_text(session: Session, column: Any) -> Any:
    """The ids of ``column`` as one comma-separated text (``group_concat`` / ``string_agg``): one value to
    fetch instead of one row per household.  (SQLite writes integers as text by itself.)"""
    sqlite = session.get_bind().dialect.name == "sqlite"
    return func.aggregate_strings(column if sqlite else cast(column, String), ",")


def _ids(text: str | None) -> list[int]:
    return json.loads(f"[{text}]") if text else []  # the C parser reads a list of integers fastest


def _step_ids(session: Session, sourced: Sequence[tuple[FunnelStep, StepMembers]]) -> list[Iterable[int]]:
    """Each step's households (ids, maybe repeated).  A query's ids come back as one text value; the steps
    that share one :class:`Flagged` query read it once, grouped by its key columns (a few rows)."""
    shared: dict[int, tuple[list[str], list[tuple[tuple[Any, ...], set[int]]]]] = {}
    out: list[Iterable[int]] = []
    for _step, members in sourced:
        if isinstance(members, Flagged):
            if id(members.query) not in shared:
                sub = members.query.subquery("funnel_shared")
                flags = [c for c in sub.c if c.name != "producer_id"]  # the key columns
                combos = [(tuple(values), set(_ids(text))) for *values, text in session.execute(
                    select(*flags, _ids_text(session, sub.c.producer_id)).group_by(*flags))]
                shared[id(members.query)] = [c.name for c in flags], combos
            names, combos = shared[id(members.query)]
            at = names.index(members.column)
            ids: set[int] = set()
            for values, some in combos:
                if values[at] == members.value:
                    ids |= some
            out.append(ids)
        elif isinstance(members, Select):
            sub = members.subquery("funnel_step")
            out.append(_ids(session.execute(select(_ids_text(session, next(iter(sub.c))))).scalar()))
        else:
            out.append(members)
    return out


def build_funnel(*, session: Session, period: Period, sources: Sequence[StepSource], dimensions: Sequence[str] = (),
                 scheme: str = "vn2025", new: bool = False) -> FunnelReport:
    """Distinct households at each step of ``sources`` (after "registered"), by ``dimensions`` (any of
    :data:`DIMENSIONS`).

    By default the funnel stands *as of* the period's end: every household registered on or before
    it (the province asks "where does everyone registered by the end of 2024 stand").  ``new``
    counts only the households first registered within the period.  Either way each step counts
    what had happened by the period's end.

    The database reads each step's households once, through its indexes, as one text of ids (no row per
    household, no join over every step); the cohort, its first days, unit codes and team members come the
    same way, grouped.  The sets are then intersected with the cohort and counted per raw group (first day,
    team member, unit pair) in Python, and the raw groups mapped to rows (month, member label, place) and
    added up, which is exact: a household has one first day and one pair of unit codes, and a household on
    two members' lists is in each member's group once."""
    dims = parse_dimensions(dimensions)
    if scheme not in ("vn2004", "vn2025"):
        raise CatalogueValidationError("onboarding.dimension_unknown", value=scheme, allowed="vn2004, vn2025")
    registered = FunnelStep(REGISTERED, "Đã đăng ký", "Registered", None)
    sourced = [item for source in sources for item in source(session, period)]
    declared = [registered, *(step for step, _ in sourced)]
    cohort, days = _cohort(session, period.start if new else None, period.end, with_first_day="month" in dims)
    households = {REGISTERED: cohort}
    for (step, _members), ids in zip(sourced, _step_ids(session, sourced), strict=True):
        households[step.key] = cohort.intersection(ids)
    total = {step.key: len(households[step.key]) for step in declared if households[step.key]}
    outside = {step.key: len(households[step.key] - households[step.base]) for step in declared
               if step.base and step.base != REGISTERED and step.base in households}
    steps = [step if not step.base or step.base == REGISTERED or (step.base in households
                                                                   and outside.get(step.key, 0) == 0)
             else replace(step, base=REGISTERED) for step in declared]
    found = _count(session, period, households, days, dims) if dims and total else {}
    rows = _rows(session, steps, found, dims, scheme) if dims else [FunnelRow({}, dict(total))] if total else []
    open_candidates = session.execute(select(func.count()).select_from(MergeCandidate).where(
        col(MergeCandidate.status) == CandidateStatus.open)).scalar() or 0
    return FunnelReport(period, dims, scheme, steps, rows, FunnelRow({}, total), open_candidates, new=new)


Groups = list[tuple[tuple[Any, ...], set[int]]]
"""Households in groups: each group's part of the raw group key, and its households (a household is in one
group by first day or by unit, and in the group of every team member whose list it is on)."""


def _cohort(session: Session, start: date | None, end: date, *,
            with_first_day: bool) -> tuple[set[int], Groups | None]:
    """The households first registered between ``start`` (None: ever) and ``end``, and (when asked) their
    groups by first day."""
    reg = Registration.__table__.c  # type: ignore[attr-defined]
    if start is None and not with_first_day:
        # no first day needed: the distinct ids, read from the producer_id index alone when no registration
        # falls after the period (the usual "everything so far")
        query = select(reg.producer_id.label("pid")).distinct()
        latest = session.execute(select(func.max(reg.registered_on))).scalar()
        if latest is not None and latest > end:
            query = query.where(reg.registered_on <= end)
        sub = query.subquery("funnel_cohort")
        return set(_ids(session.execute(select(_ids_text(session, sub.c.pid))).scalar())), None
    first_day = func.min(reg.registered_on)
    query = select(reg.producer_id.label("pid"), first_day.label("first_day")).where(
        reg.registered_on <= end).group_by(reg.producer_id)
    if start is not None:
        query = query.having(first_day >= start)
    sub = query.subquery("funnel_cohort")
    if not with_first_day:
        return set(_ids(session.execute(select(_ids_text(session, sub.c.pid))).scalar())), None
    days: Groups = [((day,), set(_ids(text))) for day, text in session.execute(
        select(sub.c.first_day, _ids_text(session, sub.c.pid)).group_by(sub.c.first_day))]
    return set().union(*(ids for _day, ids in days)), days


def _units(session: Session) -> Groups:
    """Households by (unit_vn2025, unit_vn2004), read grouped from the producers' unit index."""
    producer = Producer.__table__.c  # type: ignore[attr-defined]
    return [((new, old), set(_ids(text))) for new, old, text in session.execute(
        select(producer.unit_vn2025, producer.unit_vn2004, _ids_text(session, producer.id))
        .group_by(producer.unit_vn2025, producer.unit_vn2004))]


def _members(session: Session, period: Period) -> Groups:
    """Households by team member (the lists they are on by the end of the period)."""
    reg = Registration.__table__.c  # type: ignore[attr-defined]
    return [((mid,), set(_ids(text))) for mid, text in session.execute(
        select(reg.team_member_id, _ids_text(session, reg.producer_id)).where(reg.registered_on <= period.end)
        .group_by(reg.team_member_id))]


def _intersected(households: dict[str, set[int]], groups: Groups) -> dict[tuple[Any, ...], dict[str, int]]:
    """Each group's households per step (zeros omitted; groups without any left out)."""
    found: dict[tuple[Any, ...], dict[str, int]] = {}
    for key, group in groups:
        if counts := {step: n for step, ids in households.items() if (n := len(group & ids))}:
            found[key] = counts
    return found


def _count(session: Session, period: Period, households: dict[str, set[int]], days: Groups | None,
           dims: list[str]) -> dict[tuple[Any, ...], dict[str, int]]:
    """Households per step (zeros omitted) per raw group: (first day, team member, unit_vn2025, unit_vn2004),
    the parts of the dimensions asked only.  With one grouping, each group is intersected with each step;
    with several, each household gets the number of every raw group it is in (its groups' numbers combined)
    and each step's households are counted by number."""
    cohort = households[REGISTERED]
    parts: list[tuple[Groups, bool]] = []  # in key order; True: a household may be in several groups
    if days is not None:
        parts.append((days, False))
    if "team-member" in dims:
        parts.append((_members(session, period), True))
    if {"commune", "district"} & set(dims):
        parts.append((_units(session), False))  # every producer: a registration's producer exists (foreign key)
    if len(parts) == 1:
        return _intersected(households, parts[0][0])
    single: dict[int, int] | None = None  # household → the number of its raw group
    several: dict[int, list[int]] | None = None  # … or of its raw groups
    for groups, multi in parts:
        n = len(groups)
        codes: dict[int, Any] = {}  # household → its group (groups) in this part
        if multi:
            codes = defaultdict(list)
            for at, (_key, group) in enumerate(groups):
                for pid in cohort.intersection(group):
                    codes[pid].append(at)
        else:
            for at, (_key, group) in enumerate(groups):
                codes.update(dict.fromkeys(group, at))
        if several is not None:
            several = {pid: [c * n + codes[pid] for c in cs] for pid, cs in several.items()}
        elif multi:
            several = {pid: [(single[pid] * n if single is not None else 0) + c for c in codes[pid]] for pid in cohort}
        else:
            single = codes if single is None else {pid: single[pid] * n + codes[pid] for pid in cohort}
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    for step, ids in households.items():
        numbers = Counter(chain.from_iterable(map(several.__getitem__, ids)) if several is not None else
                          map(single.__getitem__, ids) if single is not None else ())
        for number, n in numbers.items():
            counted[number][step] = n
    found: dict[tuple[Any, ...], dict[str, int]] = {}
    for number, counts in counted.items():
        key: tuple[Any, ...] = ()
        for groups, _multi in reversed(parts):
            number, at = divmod(number, len(groups))
            key = groups[at][0] + key
        found[key] = counts
    return found


def _rows(session: Session, steps: list[FunnelStep], found: dict[tuple[Any, ...], dict[str, int]],
          dims: list[str], scheme: str) -> list[FunnelRow]:
    """Each raw group (first day, team member, unit codes) mapped to its row (month, member label, place),
    the counts of the raw groups that map to one row added up."""
    geo = _geography(session, {values[-2:] for values in found}) if {"commune", "district"} & set(dims) else None
    labels = _member_labels(session) if "team-member" in dims else {}
    counts: dict[tuple[tuple[str, str], ...], dict[str, int]] = defaultdict(dict)
    for values, raw in found.items():
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
    unit_vn2004) need: the lineage of those units (the successors of their old communes, the predecessors of
    their new units, read in the same order) and the names and parents of those units, their predecessors and
    their districts (a few hundred rows instead of every unit of the country)."""
    geo = Geography()
    lineage = UnitLineage.__table__.c  # type: ignore[attr-defined]
    in_order = (lineage.partly, lineage.old_code, lineage.new_code)  # as load_geography reads them (whole units first)
    for old, new in session.execute(select(lineage.old_code, lineage.new_code).where(
            lineage.old_code.in_(sorted({old for _new, old in pairs if old}))).order_by(*in_order)):
        geo.successor.setdefault(old, new)  # as load_geography: a split commune goes to its main successor
    news = {new for new in (geo.new_unit(*pair) for pair in pairs) if new}
    for old, new in session.execute(select(lineage.old_code, lineage.new_code).where(
            lineage.new_code.in_(sorted(news))).order_by(*in_order)):
        geo.predecessors[new].append(old)
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
