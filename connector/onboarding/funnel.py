"""The onboarding funnel: how many distinct households reached each step, by place, team member, month.

The cohort is the households **registered in the period** (their first registration date falls in
it); each further step counts those of them that reached it **by the end of the period**.  Steps
are plain sets of household ids, supplied by step sources in order::

    registered → trained → with an account (any platform; and per platform) → with at least one
    active listing → with at least one sale

Steps are not nested (a household may open an account without a training), so each step's
conversion is measured against its ``base`` step, and per-platform steps against ``registered``.
Groups never lose a household: an old district that a new unit straddles gets a *split* row and
a household without a unit an *unknown* row (:mod:`connector.onboarding.geography`), so the rows
of any single-valued dimension add up to the total.  A household on two team members' lists
counts once in each member's row and once in the total.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import chain, product
from typing import Any

from sqlalchemy import func, or_, select
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


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str  # Vietnamese
    label_en: str
    base: str | None  # the step its conversion is measured against
    detail: bool = False  # a breakdown (per platform), not a stage of the funnel


StepSource = Callable[[Session, Period], list[tuple[FunnelStep, set[int]]]]
"""``source(session, period)`` → the steps it supplies, each with the ids of households that reached it."""

_SOURCES: dict[str, tuple[int, StepSource]] = {}


def register_step_source(name: str, source: StepSource, *, order: int) -> None:
    """Add (or replace) a source of funnel steps; ``order`` places it (trainings 20, accounts 30)."""
    _SOURCES[name] = (order, source)


def trained_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    training = TrainingRecord.__table__.c  # type: ignore[attr-defined]
    query = select(training.producer_id).where(training.day <= period.end).distinct()
    step = FunnelStep("trained", "Đã tập huấn", "Trained", "registered")
    return [(step, set(session.execute(query).scalars()))]


def account_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    account = MarketplaceAccount.__table__.c  # type: ignore[attr-defined]
    query = select(account.producer_id, account.marketplace).where(
        account.status.in_(HOLDING_STATUSES), or_(account.opened_on.is_(None), account.opened_on <= period.end))
    by_platform: dict[str, set[int]] = defaultdict(set)
    for pid, platform in session.execute(query):
        by_platform[platform].add(pid)
    anyone = set().union(*by_platform.values()) if by_platform else set()
    out = [(FunnelStep("account", "Có tài khoản sàn", "With an account", "trained"), anyone)]
    order = {key: i for i, key in enumerate(PLATFORMS)}
    for platform in sorted(by_platform, key=lambda p: (order.get(p, len(order)), p)):
        label = platform_label(platform)
        out.append((FunnelStep(f"account:{platform}", f"Có tài khoản {label}", f"On {label}", "registered",
                               detail=True), by_platform[platform]))
    return out


def listed_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    """Households with at least one product bound to an active listing (bound by the end of the period)."""
    from connector.sync.models import Binding, BindingState

    binding, product = Binding.__table__.c, Product.__table__.c  # type: ignore[attr-defined]
    query = select(product.producer_id).join_from(Binding.__table__, Product.__table__,  # type: ignore[attr-defined]
                                                  binding.product_id == product.id).where(
        binding.state == BindingState.active.value, binding.created_at < local_midnight(period.end + ONE_DAY))
    step = FunnelStep("listed", "Có sản phẩm đang bán", "With an active listing", "account")
    return [(step, set(session.execute(query.distinct()).scalars()))]


def sold_households(session: Session, period: Period) -> list[tuple[FunnelStep, set[int]]]:
    """Households with at least one sale standing in the ledger (net of reversals) by the end of the period."""
    entry = LedgerEntry.__table__.c  # type: ignore[attr-defined]
    query = select(entry.producer_id).where(entry.booked_day <= period.end, entry.producer_id.is_not(None)).group_by(
        entry.producer_id, entry.order_id, entry.reference).having(func.sum(entry.amount) > 0)
    step = FunnelStep("sold", "Có giao dịch bán", "With a sale", "account")
    return [(step, set(session.execute(query).scalars()))]


register_step_source("trainings", trained_households, order=20)
register_step_source("accounts", account_households, order=30)
register_step_source("listings", listed_households, order=40)
register_step_source("sales", sold_households, order=50)


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


def _cohort(session: Session, period: Period) -> tuple[dict[int, Any], dict[int, list[int | None]]]:
    """Households first registered in the period (→ first date), and the members that listed them."""
    reg = Registration.__table__.c  # type: ignore[attr-defined]
    first: dict[int, Any] = {}
    members: dict[int, list[int | None]] = defaultdict(list)
    for pid, mid, day in session.execute(select(reg.producer_id, reg.team_member_id, reg.registered_on)
                                         .where(reg.registered_on <= period.end)):
        members[pid].append(mid)
        if pid not in first or day < first[pid]:
            first[pid] = day
    cohort = {pid: day for pid, day in first.items() if period.start is None or day >= period.start}
    return cohort, members


def _member_labels(session: Session) -> dict[int | None, tuple[str, str]]:
    labels: dict[int | None, tuple[str, str]] = {None: (NO_MEMBER, "Không ghi thành viên tổ / no team member")}
    for mid, name, phone in session.execute(select(TeamMember.id, TeamMember.name, TeamMember.phone)):  # type: ignore[call-overload]
        labels[mid] = (str(mid), f"{name} (…{phone[-3:]})" if phone else name)
    return labels


def _groups(session: Session, dims: list[str], scheme: str, cohort: dict[int, Any],
            members: dict[int, list[int | None]]) -> dict[int, list[tuple[tuple[str, str], ...]]]:
    """Each household's group keys: one per combination of its dimension values."""
    geo = load_geography(session=session) if {"commune", "district"} & set(dims) else None
    units: dict[int, tuple[str | None, str | None]] = {}
    if geo is not None:
        query = select(Producer.id, Producer.unit_vn2025, Producer.unit_vn2004)  # type: ignore[call-overload]
        units = {pid: (new, old) for pid, new, old in session.execute(query) if pid in cohort}
    labels = _member_labels(session) if "team-member" in dims else {}
    out: dict[int, list[tuple[tuple[str, str], ...]]] = {}
    for pid, day in cohort.items():
        values: list[list[tuple[str, str]]] = []
        for dim in dims:
            if dim == "month":
                values.append([(f"{day:%Y-%m}", f"{day:%m/%Y}")])
            elif dim == "team-member":
                mids = sorted(set(members[pid]), key=lambda m: -1 if m is None else m)
                values.append([labels.get(m, (str(m), str(m))) for m in mids])
            else:
                assert geo is not None
                kind = "district" if dim == "district" else f"commune:{scheme}"
                place = geo.place(kind, *units.get(pid, (None, None)))
                values.append([(place.code, place.label)])
        out[pid] = [tuple(combo) for combo in product(*values)]
    return out


def build_funnel(*, session: Session, period: Period, dimensions: Sequence[str] = (),
                 scheme: str = "vn2025") -> FunnelReport:
    """Distinct households at each step, by ``dimensions`` (any of :data:`DIMENSIONS`)."""
    dims = parse_dimensions(dimensions)
    if scheme not in ("vn2004", "vn2025"):
        raise CatalogueValidationError("onboarding.dimension_unknown", value=scheme, allowed="vn2004, vn2025")
    cohort, members = _cohort(session, period)
    registered = FunnelStep("registered", "Đã đăng ký", "Registered", None)
    steps: list[tuple[FunnelStep, set[int]]] = [(registered, set(cohort))]
    for _order, source in sorted(_SOURCES.values(), key=lambda s: s[0]):
        steps.extend((step, ids & cohort.keys()) for step, ids in source(session, period))
    groups = _groups(session, dims, scheme, cohort, members)
    counts: dict[tuple[tuple[str, str], ...], Counter[str]] = defaultdict(Counter)
    for step, ids in steps:
        for key, n in Counter(chain.from_iterable(map(groups.__getitem__, ids))).items():
            counts[key][step.key] = n
    rows = [FunnelRow(dict(zip(dims, key, strict=True)), dict(c)) for key, c in sorted(counts.items(), key=_order_key)]
    total = FunnelRow({}, {step.key: len(ids) for step, ids in steps if ids})  # zeros omitted, as in rows
    open_candidates = session.execute(select(func.count()).select_from(MergeCandidate).where(
        col(MergeCandidate.status) == CandidateStatus.open)).scalar() or 0
    return FunnelReport(period, dims, scheme, [s for s, _ in steps], rows, total, open_candidates)


def _order_key(item: tuple[tuple[tuple[str, str], ...], Any]) -> tuple[Any, ...]:
    # unknown and split rows after the units, units by code, months in order
    return tuple((code.startswith(("?", "split:", "—")), code) for code, _ in item[0])


def sum_rows(rows: Iterable[FunnelRow], step: str) -> int:
    return sum(r.counts.get(step, 0) for r in rows)
