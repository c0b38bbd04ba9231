"""The province's e-commerce indicators, from the same step sources as the onboarding funnel.

As of the end of the period (``E``):

- ``households_account``: distinct households with a marketplace account (active or suspended,
  opened on or before ``E``), any platform — and per platform with ``--by platform``;
- ``households_trained``: distinct households with a training on or before ``E``;
- ``products_listed``: distinct products bound to an active listing created before the end of ``E``;
  ``products_listed_ocop``: those of them with an OCOP certificate valid on ``E``
  (:func:`catalog.ocop.stars_as_of`).

Within the period (``S``..``E``, local days):

- ``new_accounts``: accounts opened in the period;
- ``transactions``: orders counted — orders with a sale booked in the period whose entries still
  net above zero (a cancelled or reversed order is not a transaction), plus manual sales
  recorded for channels without an API;
- ``households_transacting``: distinct households behind those transactions;
- ``share_transacting`` = ``households_transacting`` ÷ ``households_account`` (the brief's
  27,176 / 104,933 = 26 %);
- ``turnover``: the sum of the ledger entries booked in the period (whole VND), as in
  :func:`connector.ledger.reports.turnover`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from catalog.clock import local_midnight
from catalog.errors import CatalogueValidationError
from catalog.ocop import OcopCertification, stars_as_of
from catalog.periods import Period
from connector.accounts import AccountStatus, MarketplaceAccount, platform_of_columns
from connector.ledger.models import LedgerEntry
from connector.ledger.reports import Report, ReportRow
from connector.onboarding import account_households, parse_platform, platform_label, trained_households

INDICATORS: list[tuple[str, str, str, str]] = [  # key, Vietnamese, English, formula
    ("households_account", "Hộ có tài khoản sàn (cuối kỳ)", "Households with an account (end of period)",
     "distinct producers with an active/suspended account opened ≤ end"),
    ("households_trained", "Hộ đã tập huấn (cuối kỳ)", "Households trained (end of period)",
     "distinct producers with a training ≤ end"),
    ("products_listed", "Sản phẩm đang bán trên sàn (cuối kỳ)", "Products listed (end of period)",
     "distinct products with an active binding created ≤ end"),
    ("products_listed_ocop", "— trong đó sản phẩm OCOP", "— of which OCOP",
     "products listed with an OCOP certificate valid on the end date"),
    ("new_accounts", "Tài khoản mở mới trong kỳ", "New accounts in the period",
     "accounts with start ≤ opened_on ≤ end"),
    ("transactions", "Số giao dịch trong kỳ", "Transactions in the period",
     "orders with a sale booked in the period and a positive net, + manual sales"),
    ("households_transacting", "Hộ có giao dịch trong kỳ", "Households with a transaction",
     "distinct producers behind those transactions"),
    ("share_transacting_pct", "Tỷ lệ hộ có giao dịch / hộ có tài khoản (%)", "Share of account holders transacting (%)",
     "households_transacting ÷ households_account × 100, two decimals"),
    ("turnover", "Doanh thu trong kỳ (đồng)", "Turnover in the period (VND)", "Σ ledger entries booked in the period"),
]
BY = ("platform",)
_E = LedgerEntry.__table__.c  # type: ignore[attr-defined]
_A = MarketplaceAccount.__table__.c  # type: ignore[attr-defined]


def indicators(*, session: Session, period: Period, by: Sequence[str] | str = (),
               platforms: Sequence[str] | str = ()) -> Report:
    """The indicators of ``period``, in total and (``by=["platform"]``) per platform.

    ``platforms`` (``voso,postmart``) restricts every platform-bound figure — households with an account,
    products listed, new accounts, transactions, households transacting, turnover, and so the share — to
    those platforms, numerator and denominator alike (the seed articles' "26 % of households with a voso or
    postmart account"); households trained stay the province's."""
    dims = [d.strip() for d in (by.split(",") if isinstance(by, str) else by) if d.strip()]
    for dim in dims:
        if dim not in BY:
            raise CatalogueValidationError("ledger.dimension_unknown", value=dim, allowed=", ".join(BY))
    chosen = _Chosen(platforms)
    values: dict[str, dict[str, float]] = defaultdict(dict)  # platform ("" = all chosen) → indicator → value
    steps = dict((step.key, ids) for step, ids in account_households(session, period))
    account_holders = steps.get("account", set()) if chosen.all else set().union(
        *(ids for key, ids in steps.items() if key.startswith("account:") and chosen(key.split(":", 1)[1])))
    values[""]["households_account"] = len(account_holders)
    for key, ids in steps.items():
        if key.startswith("account:") and chosen(key.split(":", 1)[1]):
            values[key.split(":", 1)[1]]["households_account"] = len(ids)
    values[""]["households_trained"] = len(trained_households(session, period)[0][1])
    _listings(session, period, values, chosen)
    _new_accounts(session, period, values, chosen)
    _transactions(session, period, values, chosen)
    for figures in values.values():
        holders, active = figures.get("households_account", 0), figures.get("households_transacting", 0)
        figures["share_transacting_pct"] = round(100 * active / holders, 2) if holders else 0.0
    rows = []
    if dims:
        rows = [ReportRow({"platform": (p, platform_label(p))}, {k: values[p].get(k, 0) for k, *_ in INDICATORS})
                for p in sorted(p for p in values if p)]
    total = ReportRow({}, {k: values[""].get(k, 0) for k, *_ in INDICATORS})
    report = Report("indicators", "Chỉ tiêu thương mại điện tử / e-commerce indicators", period, dims,
                    [(k, vi, en) for k, vi, en, _ in INDICATORS], rows, total)
    report.extra["formulas"] = {k: formula for k, _vi, _en, formula in INDICATORS}
    if not chosen.all:
        report.extra["platforms"] = sorted(chosen.names)
        report.title += f" — {', '.join(platform_label(p) for p in sorted(chosen.names))}"
    return report


def _platform_key(name: str) -> str:
    """A platform as people write it (``Voso.vn``, ``Bưu điện``…), or a generic profile's own name."""
    try:
        return parse_platform(name)
    except CatalogueValidationError:
        return name.lower()


class _Chosen:
    """The platforms a report is restricted to (none named: every platform)."""

    def __init__(self, platforms: Sequence[str] | str) -> None:
        names = platforms.split(",") if isinstance(platforms, str) else platforms
        self.names = {_platform_key(n.strip()) for n in names if n.strip()}
        self.all = not self.names

    def __call__(self, platform: str | None) -> bool:
        return self.all or platform in self.names


def _end(period: Period) -> Any:
    return local_midnight(period.end + timedelta(days=1))


def _listings(session: Session, period: Period, values: dict[str, dict[str, float]], chosen: _Chosen) -> None:
    from connector.sync import Binding, BindingState

    b = Binding.__table__.c  # type: ignore[attr-defined]
    found = session.execute(select(b.product_id, _A.marketplace, _A.profile).join_from(
        Binding.__table__, MarketplaceAccount.__table__, b.account_id == _A.id).where(  # type: ignore[attr-defined]
        b.state == BindingState.active.value, b.created_at < _end(period))).all()
    rows = [(pid, m, p) for pid, m, p in found if chosen(platform_of_columns(m, p))]
    products = {pid for pid, *_ in rows}
    certs: dict[int, list[OcopCertification]] = defaultdict(list)
    if products:
        for cert in session.execute(select(OcopCertification).where(
                OcopCertification.product_id.in_(products))).scalars():  # type: ignore[attr-defined]
            certs[cert.product_id].append(cert)
    ocop = {pid for pid in products if stars_as_of(certs.get(pid, []), period.end)}
    per_platform: dict[str, set[int]] = defaultdict(set)
    for pid, marketplace, profile in rows:
        per_platform[platform_of_columns(marketplace, profile)].add(pid)
    values[""]["products_listed"], values[""]["products_listed_ocop"] = len(products), len(ocop)
    for platform, pids in per_platform.items():
        values[platform]["products_listed"] = len(pids)
        values[platform]["products_listed_ocop"] = len(pids & ocop)


def _new_accounts(session: Session, period: Period, values: dict[str, dict[str, float]], chosen: _Chosen) -> None:
    query = select(_A.marketplace, _A.profile, func.count()).where(
        _A.opened_on <= period.end, _A.status.in_((AccountStatus.active.value, AccountStatus.suspended.value)))
    if period.start is not None:
        query = query.where(_A.opened_on >= period.start)
    for marketplace, profile, count in session.execute(query.group_by(_A.marketplace, _A.profile)):
        platform = platform_of_columns(marketplace, profile)
        if not chosen(platform):
            continue
        values[platform]["new_accounts"] = values[platform].get("new_accounts", 0) + count
        values[""]["new_accounts"] = values[""].get("new_accounts", 0) + count


def _transactions(session: Session, period: Period, values: dict[str, dict[str, float]], chosen: _Chosen) -> None:
    """Orders (or manual sales) with a sale booked in the period whose entries net above zero."""
    sold = select(_E.order_id, _E.reference).where(_E.kind.in_(("sale", "manual")), _E.booked_day <= period.end)
    if period.start is not None:
        sold = sold.where(_E.booked_day >= period.start)
    sold_keys = {(oid, ref) for oid, ref in session.execute(sold.distinct())}
    nets = select(_E.order_id, _E.reference, _E.platform, _E.producer_id, func.sum(_E.amount)).group_by(
        _E.order_id, _E.reference, _E.platform, _E.producer_id)
    households: dict[str, set[int]] = defaultdict(set)
    for oid, ref, platform, producer, net in session.execute(nets):
        if (oid, ref) not in sold_keys or (net or 0) <= 0 or not chosen(platform):
            continue
        for key in ("", platform):
            values[key]["transactions"] = values[key].get("transactions", 0) + 1
            if producer is not None:
                households[key].add(producer)
    for key, ids in households.items():
        values[key]["households_transacting"] = len(ids)
    turnover = select(_E.platform, func.sum(_E.amount)).where(_E.booked_day <= period.end)
    if period.start is not None:
        turnover = turnover.where(_E.booked_day >= period.start)
    for platform, amount in session.execute(turnover.group_by(_E.platform)):
        if not chosen(platform):
            continue
        values[platform]["turnover"] = int(amount or 0)
        values[""]["turnover"] = values[""].get("turnover", 0) + int(amount or 0)
