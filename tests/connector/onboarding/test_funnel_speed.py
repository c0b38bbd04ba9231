"""The funnel equals a plain Python count of the same register, every registration loaded and counted
one by one (any register, any period, any dimensions, either scheme, steps given as queries, shared
queries or sets of ids); conversion rates are never above 100 %."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from itertools import chain, product
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import case, select
from sqlmodel import Session

from catalog.periods import Period, parse_period
from catalog.producers import Producer
from connector.accounts import AccountStatus, MarketplaceAccount
from connector.funnel import FUNNEL_STEPS
from connector.onboarding import funnel as funnel_module
from connector.onboarding.funnel import (
    DIMENSIONS,
    Flagged,
    FunnelReport,
    FunnelStep,
    StepMembers,
    StepSource,
    build_funnel,
    household_sets,
)
from connector.onboarding.geography import load_geography
from connector.onboarding.importer import import_register
from connector.onboarding.models import Registration, TeamMember, TrainingRecord
from tests.connector.onboarding.helpers import TEAM_FILES, write_register

TODAY = date(2025, 9, 1)
ALL = parse_period("all", today=TODAY)
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
# new units (Ba Bể; Phong Quang, formed across two old districts; another; unknown to the geography; none)
NEW_UNITS = ["01906", "01849", "01840", "99999", None]
OLD_UNITS = [None, "01900", "01909", "01984", "01849", "01834"]
DAYS = [date(2023, 12, 30), date(2024, 1, 15), date(2024, 4, 1), date(2024, 6, 30), date(2024, 11, 2),
        date(2025, 2, 10), date(2025, 9, 1), date(2025, 10, 1)]
PERIODS = ["all", "2024", "2024-Q2", "2025", "2024-02..2025-03"]


# --- the reference: every registration loaded into Python and counted there ---------------------

Reference = tuple[list[FunnelStep], dict[str, int], list[tuple[dict[str, tuple[str, str]], dict[str, int]]]]


def reference_funnel(session: Session, period: Period, dims: list[str], scheme: str,
                     sources: Sequence[StepSource] = FUNNEL_STEPS, *, new: bool = False) -> Reference:
    reg = Registration.__table__.c  # type: ignore[attr-defined]
    first: dict[int, date] = {}
    members: dict[int, set[int | None]] = defaultdict(set)
    for pid, mid, day in session.execute(select(reg.producer_id, reg.team_member_id, reg.registered_on)
                                         .where(reg.registered_on <= period.end)):
        members[pid].add(mid)
        first[pid] = min(first.get(pid, day), day)
    cohort = {pid: day for pid, day in first.items() if not new or period.start is None or day >= period.start}
    steps: list[tuple[FunnelStep, set[int]]] = [(FunnelStep("registered", "Đã đăng ký", "Registered", None),
                                                 set(cohort))]
    for source in sources:
        steps.extend((step, ids & cohort.keys()) for step, ids in household_sets(session, source(session, period)))
    ids_of = {step.key: ids for step, ids in steps}
    checked = [step if not step.base or step.base == "registered" or (step.base in ids_of
                                                                      and ids_of[step.key] <= ids_of[step.base])
               else FunnelStep(step.key, step.label, step.label_en, "registered", step.detail) for step, _ in steps]
    geo = load_geography(session=session)
    labels = funnel_module._member_labels(session)
    units = {pid: (new, old) for pid, new, old in session.execute(
        select(Producer.id, Producer.unit_vn2025, Producer.unit_vn2004))}  # type: ignore[call-overload]
    groups: dict[int, list[tuple[tuple[str, str], ...]]] = {}
    for pid, day in cohort.items():
        values: list[list[tuple[str, str]]] = []
        for dim in dims:
            if dim == "month":
                values.append([(f"{day:%Y-%m}", f"{day:%m/%Y}")])
            elif dim == "team-member":
                values.append([labels[m] for m in members[pid]])
            else:
                place = geo.place("district" if dim == "district" else f"commune:{scheme}", *units[pid])
                values.append([(place.code, place.label)])
        groups[pid] = [tuple(combo) for combo in product(*values)]
    counts: dict[tuple[tuple[str, str], ...], Counter[str]] = defaultdict(Counter)
    for step, ids in steps:
        for key, n in Counter(chain.from_iterable(map(groups.__getitem__, ids))).items():
            counts[key][step.key] = n
    rows = [(dict(zip(dims, key, strict=True)), dict(c)) for key, c in counts.items()]
    total = {step.key: len(ids) for step, ids in steps if ids}
    return checked, total, rows


def _same(report: FunnelReport, reference: Reference) -> None:
    steps, total, rows = reference
    assert report.steps == steps
    assert report.total.counts == total
    got = sorted((repr(r.group), sorted(r.counts.items())) for r in report.rows)
    assert got == sorted((repr(group), sorted(counts.items())) for group, counts in rows)
    for row in [*report.rows, report.total]:
        for step in report.steps:
            rate = row.rate(step)
            assert rate is None or 0 <= rate <= 1, (row, step)


# --- random registers ----------------------------------------------------------------------------

@st.composite
def registers(draw: st.DrawFn) -> dict[str, Any]:
    households = []
    for _ in range(draw(st.integers(1, 9))):
        households.append({
            "units": (draw(st.sampled_from(NEW_UNITS)), draw(st.sampled_from(OLD_UNITS))),
            "registrations": draw(st.lists(st.tuples(st.sampled_from([None, 0, 1, 2]), st.sampled_from(DAYS)),
                                           max_size=3, unique_by=lambda r: r[0])),  # one per member
            "trainings": draw(st.lists(st.sampled_from(DAYS), max_size=2, unique=True)),
            "accounts": draw(st.lists(st.tuples(st.sampled_from(["voso", "postmart", "shopee"]),
                                                st.sampled_from(list(AccountStatus)),
                                                st.sampled_from([None, *DAYS])), max_size=3)),
            "picked": draw(st.booleans()),
        })
    return {"households": households, "period": draw(st.sampled_from(PERIODS)),
            "dims": draw(st.lists(st.sampled_from(DIMENSIONS), unique=True, max_size=3)),
            "scheme": draw(st.sampled_from(["vn2025", "vn2004"])), "new": draw(st.booleans())}


def _write(session: Session, register: dict[str, Any]) -> set[int]:
    members = [TeamMember(name=f"Thành viên {i}", phone=f"+8491200{i:04d}") for i in range(3)]
    session.add_all(members)
    session.flush()
    picked: set[int] = set()
    for i, household in enumerate(register["households"]):
        producer = Producer(code=f"P-{i}", name=f"Hộ {i}", name_key=f"ho {i}", unit_vn2025=household["units"][0],
                            unit_vn2004=household["units"][1])
        session.add(producer)
        session.flush()
        assert producer.id is not None
        if household["picked"]:
            picked.add(producer.id)
        for member, day in household["registrations"]:
            session.add(Registration(producer_id=producer.id, registered_on=day,
                                     team_member_id=None if member is None else members[member].id))
        for day in household["trainings"]:
            session.add(TrainingRecord(producer_id=producer.id, day=day, topic="Bán hàng trên sàn"))
        for k, (platform, status, opened) in enumerate(household["accounts"]):
            session.add(MarketplaceAccount(producer_id=producer.id, name=f"p{i}-{k}", marketplace=platform,
                                           status=status, opened_on=opened))
    session.flush()
    return picked


def _flagged_steps(_session: Session, _period: Period) -> list[tuple[FunnelStep, StepMembers]]:
    """Steps that share one query (one or more rows per household), by a key column and by a 0/1 column."""
    account = MarketplaceAccount.__table__.c  # type: ignore[attr-defined]
    shared = select(account.producer_id.label("producer_id"), account.status.label("status"),
                    case((account.marketplace == "voso", 1), else_=0).label("voso"))
    return [(FunnelStep("closed", "Đã đóng", "Closed", "account"), Flagged(shared, "status", AccountStatus.closed)),
            (FunnelStep("voso-ever", "Từng có Voso", "Ever on Voso", "registered"), Flagged(shared, "voso"))]


@PROPERTY
@given(register=registers())
def test_database_counting_equals_python_counting(session: Session, register: dict[str, Any]) -> None:
    try:
        picked = _write(session, register)
        # a source giving a plain set of ids, measured against "trained" (a subset of it only by chance)
        sources = [*FUNNEL_STEPS, lambda _s, _p: [(FunnelStep("picked", "Chọn", "Picked", "trained"), picked)],
                   _flagged_steps]
        period = parse_period(register["period"], today=TODAY)
        report = build_funnel(session=session, period=period, sources=sources, dimensions=register["dims"],
                              scheme=register["scheme"], new=register["new"])
        _same(report, reference_funnel(session, period, report.dimensions, register["scheme"], sources,
                                       new=register["new"]))
    finally:
        session.rollback()


# --- conversion rates --------------------------------------------------------------------------------

def test_fixture_register_equals_python_counting(session: Session) -> None:
    import_register(session=session, paths=TEAM_FILES, today=TODAY)
    for dims, scheme in [([], "vn2025"), (["commune"], "vn2025"), (["district", "month"], "vn2004"),
                         (["team-member", "commune"], "vn2004")]:
        _same(build_funnel(session=session, period=ALL, sources=FUNNEL_STEPS, dimensions=dims, scheme=scheme),
              reference_funnel(session, ALL, dims, scheme))


def test_account_rate_is_against_registered_when_accounts_need_no_training(session: Session) -> None:
    import_register(session=session, paths=TEAM_FILES, today=TODAY)
    report = build_funnel(session=session, period=ALL, sources=FUNNEL_STEPS, dimensions=["commune"], scheme="vn2004")
    account = next(s for s in report.steps if s.key == "account")
    assert account.base == "registered"  # the fixture has households with an account and no training
    above = [r for r in report.rows if r.counts.get("account", 0) > r.counts.get("trained", 0)]
    assert above  # rows where "account / trained" would be above 100 %
    for row in [*report.rows, report.total]:
        assert row.rate(account) == round(row.counts.get("account", 0) / row.counts["registered"], 4)
        assert all(0 <= (row.rate(s) or 0) <= 1 for s in report.steps)
    assert report.to_dict()["steps"][2] == {"key": "account", "label": "Có tài khoản sàn",
                                            "label_en": "With an account", "base": "registered", "detail": False}


def test_account_rate_is_against_trained_when_every_account_holder_was_trained(session: Session,
                                                                               tmp_path: Any) -> None:
    path = write_register(tmp_path / "t.csv", [
        {"name": "Hộ Học Rồi Mở", "phone": "0912 000 091", "commune": "Xã Ba Bể", "platform": "voso",
         "trained": "01/03/2024"},
        {"name": "Hộ Chỉ Học", "phone": "0912 000 092", "commune": "Xã Ba Bể", "trained": "02/03/2024"},
        {"name": "Hộ Chưa Học", "phone": "0912 000 093", "commune": "Xã Ba Bể"},
    ])
    import_register(session=session, paths=[path], today=TODAY)
    report = build_funnel(session=session, period=ALL, sources=FUNNEL_STEPS, dimensions=["commune"])
    steps = {s.key: s for s in report.steps}
    assert steps["account"].base == "trained"
    assert report.total.rate(steps["account"]) == 0.5  # 1 of the 2 trained households
    assert report.total.rate(steps["trained"]) == round(2 / 3, 4)
    assert steps["account:voso"].base == "registered"
    # one day later: a household opens an account without a training → measured against registered
    later = write_register(tmp_path / "u.csv", [
        {"name": "Hộ Chưa Học", "phone": "0912 000 093", "commune": "Xã Ba Bể", "platform": "postmart"}])
    import_register(session=session, paths=[later], today=TODAY + timedelta(days=1))
    report = build_funnel(session=session, period=parse_period("all", today=TODAY + timedelta(days=1)),
                          sources=FUNNEL_STEPS, dimensions=["commune"])
    assert report.total.counts["account"] == 2
    account = next(s for s in report.steps if s.key == "account")
    assert account.base == "registered"
    assert report.total.rate(account) == round(2 / 3, 4)
