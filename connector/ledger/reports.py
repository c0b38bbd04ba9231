"""Turnover reports over the ledger: one GROUP BY over the entries, then places and periods in Python.

The database sums the entries of the report's year(s) by the raw columns the dimensions need
(local month, platform, units, producer kind, stars); the rows are then mapped onto the
dimensions: month/quarter/half/year from the local month, the district or commune from the units
through :class:`connector.onboarding.geography.Geography` (a unit that cannot be placed in the chosen
scheme lands in an explicit *split* or *unknown* row, never dropped), so every grouping of the same
period adds up to the same total.

The cumulative column (*lũy kế*) is the year-to-date figure the province writes: for a row of
month *m*, the same group's turnover from 1 January of *m*'s year to the end of *m*; for a report
without a time dimension, from 1 January of the year the period ends in, to its end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from catalog.admin_units import AdminUnit, UnitLineage
from catalog.errors import CatalogueValidationError
from catalog.periods import Period
from catalog.producers import PRODUCER_KIND_LABELS, ProducerKind
from connector.ledger.models import LedgerSummary
from connector.ledger.policy import policy_from_env
from connector.onboarding import UNKNOWN, UNKNOWN_LABEL, Geography, platform_label

TIME_DIMENSIONS = ("month", "quarter", "half", "year")
DIMENSIONS = (*TIME_DIMENSIONS, "platform", "channel-kind", "district", "commune", "producer-kind", "ocop-stars")
DIMENSION_LABELS: dict[str, tuple[str, str]] = {
    "month": ("Tháng", "Month"), "quarter": ("Quý", "Quarter"), "half": ("6 tháng", "Half-year"),
    "year": ("Năm", "Year"), "platform": ("Sàn / kênh", "Platform"), "channel-kind": ("Loại kênh", "Channel kind"),
    "district": ("Huyện (cũ)", "District (old)"), "commune": ("Xã/phường", "Commune"),
    "producer-kind": ("Loại chủ thể", "Producer kind"), "ocop-stars": ("Hạng OCOP", "OCOP stars"),
}
_ALIASES = {"thang": "month", "quy": "quarter", "nam": "year", "san": "platform", "huyen": "district",
            "xa": "commune", "channel": "channel-kind", "kind": "producer-kind", "ocop": "ocop-stars",
            "stars": "ocop-stars", "6-thang": "half"}
CHANNEL_LABELS = {"marketplace": "Sàn TMĐT / marketplace", "other": "Kênh khác (MXH, hội chợ…) / other channels"}
_S = LedgerSummary.__table__.c  # type: ignore[attr-defined]


@dataclass
class ReportRow:
    group: dict[str, tuple[str, str]]  # dimension → (code, label)
    values: dict[str, float]  # money and counts are ints; only shares are floats

    def to_dict(self) -> dict[str, Any]:
        return {"group": {d: {"code": c, "label": label} for d, (c, label) in self.group.items()},
                "values": dict(self.values)}


@dataclass
class Report:
    """A table of figures by groups: the turnover report and the indicators share it (and its writers)."""

    kind: str  # "turnover" or "indicators"
    title: str
    period: Period
    dimensions: list[str]
    measures: list[tuple[str, str, str]]  # (key, Vietnamese, English); money measures end in "amount"/"cumulative"
    rows: list[ReportRow]
    total: ReportRow
    scheme: str = "vn2025"
    province: str | None = None
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def money(self, key: str) -> bool:
        return key in ("amount", "cumulative", "turnover", "reported", "difference") or key.endswith("_vnd")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "period": self.period.to_dict(),
                "dimensions": self.dimensions, "scheme": self.scheme, "province": self.province,
                "measures": [{"key": k, "label": vi, "label_en": en} for k, vi, en in self.measures],
                "rows": [r.to_dict() for r in self.rows], "total": self.total.to_dict(), "notes": self.notes,
                **self.extra}


def parse_dimensions(text: str | Sequence[str], *, scheme: str = "vn2025") -> list[str]:
    parts = [p.strip().lower().replace("_", "-") for p in (text.split(",") if isinstance(text, str) else text)]
    dims = [_ALIASES.get(p, p) for p in parts if p]
    for dim in dims:
        if dim not in DIMENSIONS:
            raise CatalogueValidationError("ledger.dimension_unknown", value=dim, allowed=", ".join(DIMENSIONS))
        if dim == "district" and scheme != "vn2004":
            raise CatalogueValidationError("ledger.dimension_scheme", value=dim)
    if scheme not in ("vn2004", "vn2025"):
        raise CatalogueValidationError("ledger.dimension_unknown", value=scheme, allowed="vn2004, vn2025")
    return list(dict.fromkeys(dims))


def time_key(dim: str, month: int) -> tuple[str, str]:
    year, m = divmod(month, 100)
    if dim == "month":
        return f"{year}-{m:02d}", f"{m:02d}/{year}"
    if dim == "quarter":
        q = (m - 1) // 3 + 1
        return f"{year}-Q{q}", f"Quý {q}/{year}"
    if dim == "half":
        h = 1 if m <= 6 else 2
        return f"{year}-H{h}", f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {year}"
    return str(year), f"Năm {year}"


def _time_end(dim: str, month: int) -> int:
    """The last month of the bucket ``month`` falls in."""
    year, m = divmod(month, 100)
    last = {"month": m, "quarter": ((m - 1) // 3 + 1) * 3, "half": 6 if m <= 6 else 12, "year": 12}[dim]
    return year * 100 + last


class Places:
    """Where entries' units fall: a :class:`Geography` of just the units the report meets (with
    their lineage, districts and provinces), read in a few small queries."""

    def __init__(self, session: Session, pairs: set[tuple[str | None, str | None]]) -> None:
        self.geo = Geography()
        self.parents: dict[tuple[str, str], str] = {}
        self._in: dict[tuple[str | None, str | None], bool] = {}
        olds = {o for o, _ in pairs if o}
        news = {n for _, n in pairs if n}
        lineage = _in_chunks(session, select(UnitLineage.old_code, UnitLineage.new_code,  # type: ignore[call-overload]
                                             UnitLineage.partly), UnitLineage.old_code, olds)
        news |= {new for _old, new, _p in lineage}
        lineage += _in_chunks(session, select(UnitLineage.old_code, UnitLineage.new_code,  # type: ignore[call-overload]
                                              UnitLineage.partly), UnitLineage.new_code, news)
        for old, new, _partly in sorted(set(lineage), key=lambda r: r[2]):
            self.geo.successor.setdefault(old, new)
            if old not in self.geo.predecessors[new]:
                self.geo.predecessors[new].append(old)
        olds |= {old for old, _new, _p in lineage}
        self._load(session, "vn2004", olds)
        self._load(session, "vn2025", news)

    def _load(self, session: Session, scheme: str, codes: set[str]) -> None:
        """Names and parents of ``codes`` and of their ancestors."""
        while codes:
            found = _in_chunks(session, select(AdminUnit.code, AdminUnit.name, AdminUnit.parent_code)  # type: ignore[call-overload]
                               .where(AdminUnit.scheme == scheme), AdminUnit.code, codes)
            codes = set()
            for code, name, parent in found:
                self.geo.names[(scheme, code)] = name
                if parent:
                    self.parents[(scheme, code)] = parent
                    if scheme == "vn2004" and len(code) == 5:
                        self.geo.parent[code] = parent
                    if (scheme, parent) not in self.geo.names:
                        codes.add(parent)

    @staticmethod
    def province_scheme(session: Session, code: str, scheme: str) -> str:
        for candidate in (scheme, "vn2004" if scheme == "vn2025" else "vn2025"):
            if len(code) == 2 and session.get(AdminUnit, (candidate, code)) is not None:
                return candidate
        raise CatalogueValidationError("ledger.province_unknown", value=code)

    def within(self, province: tuple[str, str], old: str | None, new: str | None) -> bool:
        """True when units (old, new) lie in ``province`` = (scheme, code)."""
        key = (old, new)
        hit = self._in.get(key)
        if hit is None:
            hit = self._in[key] = self._within(province, old, new)
        return hit

    def _within(self, province: tuple[str, str], old: str | None, new: str | None) -> bool:
        scheme, code = province
        if scheme == "vn2025":
            unit = self.geo.new_unit(new, old)
            return bool(unit) and self.parents.get(("vn2025", unit or "")) == code
        olds = [old] if old else self.geo.predecessors.get(new or "", [])
        return any(self.parents.get(("vn2004", self.geo.parent.get(o, ""))) == code for o in olds)


def _in_chunks(session: Session, query: Any, column: Any, values: set[str]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    ordered = sorted(values)
    for start in range(0, len(ordered), 500):
        out.extend(tuple(r) for r in session.execute(query.where(column.in_(ordered[start:start + 500]))))
    return out


def group_value(dim: str, row: dict[str, Any], places: Places | None, scheme: str) -> tuple[str, str]:
    if dim in TIME_DIMENSIONS:
        return time_key(dim, row["booked_month"])
    if dim == "platform":
        return row["platform"], platform_label(row["platform"])
    if dim == "channel-kind":
        return row["channel_kind"], CHANNEL_LABELS.get(row["channel_kind"], row["channel_kind"])
    if dim == "producer-kind":
        kind = row["producer_kind"]
        return (kind, PRODUCER_KIND_LABELS[ProducerKind(kind)][0]) if kind else (UNKNOWN, UNKNOWN_LABEL)
    if dim == "ocop-stars":
        stars = row["ocop_stars"]
        return (str(stars), f"{stars} sao") if stars else ("0", "Chưa có OCOP / not OCOP")
    assert places is not None
    kind = "district" if dim == "district" else f"commune:{scheme}"
    place = places.geo.place(kind, row["unit_vn2025"], row["unit_vn2004"])
    return place.code, place.label


_RAW = {"month": "booked_month", "quarter": "booked_month", "half": "booked_month", "year": "booked_month",
        "platform": "platform", "channel-kind": "channel_kind", "producer-kind": "producer_kind",
        "ocop-stars": "ocop_stars", "district": ("unit_vn2004", "unit_vn2025"),
        "commune": ("unit_vn2004", "unit_vn2025")}


def raw_columns(dims: Sequence[str], province: str | None) -> list[str]:
    names: list[str] = ["booked_month"]
    for dim in dims:
        raw = _RAW[dim]
        names.extend([raw] if isinstance(raw, str) else raw)
    if province:
        names.extend(("unit_vn2004", "unit_vn2025"))
    return list(dict.fromkeys(names))


def summed(session: Session, columns: Sequence[str], start: date | None, end: date) -> list[tuple[Any, ...]]:
    """(``columns``…, SUM(amount), SUM(quantity)) of the entries booked in the months [start, end],
    from the monthly summary; blank key parts are '' (and stars 0): see :func:`_unblank`."""
    cols = [_S[name] for name in columns]
    query = select(*cols, func.sum(_S.amount), func.sum(_S.quantity)).where(
        _S.booked_month <= end.year * 100 + end.month)
    if start is not None:
        query = query.where(_S.booked_month >= start.year * 100 + start.month)
    return [tuple(r) for r in session.execute(query.group_by(*cols))]


_BLANKABLE = frozenset({"unit_vn2004", "unit_vn2025", "producer_kind", "ocop_stars"})


def _unblank(columns: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    return {name: (value or None) if name in _BLANKABLE else value
            for name, value in zip(columns, row, strict=False)}


@dataclass(slots=True)
class _Series:
    """One combination of the report's non-time dimensions (its ``values``, in the order of the
    dimensions) and its turnover per local month since 1 January, for the year-to-date column."""

    values: tuple[tuple[str, str], ...]
    months: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))

    def ytd(self, upto: int) -> int:
        """The turnover from 1 January of ``upto``'s year to the end of month ``upto``."""
        return sum(v for m, v in self.months.items() if m // 100 == upto // 100 and m <= upto)


@dataclass(slots=True)
class _Group:
    """One row of the report: its dimension values (time and the others, in the order asked),
    its sums over the period, and the series its cumulative column is read from."""

    key: tuple[tuple[str, str], ...]
    series: _Series
    amount: int = 0
    quantity: int = 0


class _Grouping:
    """Summary rows (the raw columns, then the summed amount and quantity) folded into the groups
    of the report's dimensions; the mapping of raw values to groups is computed once per distinct
    raw value, not per row."""

    def __init__(self, *, dims: list[str], columns: list[str], places: Places | None, scheme: str,
                 where: tuple[str, str] | None, start_month: int) -> None:
        self.dims, self.columns, self.places, self.scheme, self.where = dims, columns, places, scheme, where
        self.start_month = start_month
        self.other_dims = [d for d in dims if d not in TIME_DIMENSIONS]
        self.other_cols = [i for i, name in enumerate(columns) if name != "booked_month"]
        self.amount_at = len(columns)  # then the quantity
        self.total = _Group((), _Series(()))
        self.groups: dict[tuple[tuple[str, str], ...], _Group] = {}
        self._series: dict[tuple[tuple[str, str], ...], _Series] = {}
        self._of_raw: dict[tuple[Any, ...], _Series | None] = {}  # None: outside the province
        self._of_month: dict[tuple[int, int], _Group] = {}  # (id of the series, month) → its group
        self._times: dict[int, dict[str, tuple[str, str]]] = {}

    def add(self, row: Sequence[Any]) -> None:
        raw_key = tuple([row[i] for i in self.other_cols])
        series = self._of_raw[raw_key] if raw_key in self._of_raw else self._series_of(raw_key, row)
        if series is None:
            return
        month, amount, quantity = row[0], int(row[self.amount_at] or 0), int(row[self.amount_at + 1] or 0)
        series.months[month] += amount
        self.total.series.months[month] += amount
        if month < self.start_month:
            return  # only in the year-to-date figures
        group = self._of_month.get((id(series), month))
        if group is None:
            group = self._of_month[(id(series), month)] = self._group_of(series, month)
        group.amount += amount
        group.quantity += quantity
        self.total.amount += amount
        self.total.quantity += quantity

    def _series_of(self, raw_key: tuple[Any, ...], row: Sequence[Any]) -> _Series | None:
        named = _unblank(self.columns, row)
        places, where = self.places, self.where
        inside = where is None or (places is not None and places.within(where, named.get("unit_vn2004"),
                                                                          named.get("unit_vn2025")))
        series = None
        if inside:
            values = tuple(group_value(d, named, places, self.scheme) for d in self.other_dims)
            series = self._series.get(values)
            if series is None:
                series = self._series[values] = _Series(values)
        self._of_raw[raw_key] = series
        return series

    def _group_of(self, series: _Series, month: int) -> _Group:
        """The group of ``series`` in the time bucket of ``month`` (once per series and month)."""
        times = self._times.get(month)
        if times is None:
            times = self._times[month] = {d: time_key(d, month) for d in TIME_DIMENSIONS}
        position = iter(series.values)
        key = tuple(times[d] if d in times else next(position) for d in self.dims)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(key, series)
        return group


def turnover(*, session: Session, period: Period, by: Sequence[str] | str = (), scheme: str = "vn2004",
             province: str | None = None) -> Report:
    """Turnover (whole VND) booked in ``period`` by ``by``, with totals and the year-to-date column."""
    dims = parse_dimensions(by, scheme=scheme)
    where = (Places.province_scheme(session, province, scheme), province) if province else None
    ytd_start = date((period.start or period.end).year, 1, 1) if period.start else None
    columns = raw_columns(dims, province)
    raw = summed(session, columns, ytd_start, period.end)
    places = None
    if province or {"district", "commune"} & set(dims):
        old, new = columns.index("unit_vn2004"), columns.index("unit_vn2025")
        places = Places(session, {(r[old] or None, r[new] or None) for r in raw})
    end_month = period.end.year * 100 + period.end.month
    grouping = _Grouping(dims=dims, columns=columns, places=places, scheme=scheme, where=where,
                         start_month=period.start.year * 100 + period.start.month if period.start else 0)
    for row in raw:
        grouping.add(row)
    finest = next((d for d in TIME_DIMENSIONS if d in dims), None)
    rows = []
    for group in sorted(grouping.groups.values(), key=_order_key):
        cells = dict(zip(dims, group.key, strict=True))
        upto = min(_time_end(finest, _month_of(cells[finest][0])), end_month) if finest else end_month
        rows.append(ReportRow(cells, {"amount": group.amount, "quantity": group.quantity,
                                      "cumulative": group.series.ytd(upto)}))
    total = grouping.total
    total_row = ReportRow({}, {"amount": total.amount, "quantity": total.quantity,
                               "cumulative": total.series.ytd(end_month)})
    report = Report("turnover", "Doanh thu thương mại điện tử / e-commerce turnover", period, dims,
                    [("amount", "Doanh thu (đồng)", "Turnover (VND)"), ("quantity", "Số lượng", "Quantity"),
                     ("cumulative", "Lũy kế từ đầu năm (đồng)", "Year to date (VND)")],
                    rows, total_row, scheme, province)
    report.extra["policy"] = policy_from_env().describe()
    if province:
        report.notes.append("Chỉ tính các khoản có địa bàn trong tỉnh đã chọn; khoản chưa rõ địa bàn không thuộc "
                            "tỉnh nào. / Entries without a unit belong to no province.")
    return report


def _month_of(code: str) -> int:
    year, rest = code[:4], code[5:]
    if not rest:
        return int(year) * 100 + 1
    if rest.startswith("Q"):
        return int(year) * 100 + (int(rest[1]) - 1) * 3 + 1
    if rest.startswith("H"):
        return int(year) * 100 + (1 if rest[1] == "1" else 7)
    return int(year) * 100 + int(rest)


def _order_key(group: _Group) -> tuple[Any, ...]:
    # units by code with split and unknown rows after them; months in order
    return tuple((code.startswith(("?", "split:")), code) for code, _ in group.key)


def groupings(by: Sequence[str] | str, *, scheme: str = "vn2004") -> list[list[str]]:
    """The groupings of a workbook: the one asked for, each of its dimensions alone, and the total."""
    dims = parse_dimensions(by, scheme=scheme)
    out = [dims]
    if len(dims) > 1:
        out.extend([d] for d in dims)
    if dims:
        out.append([])
    return out
