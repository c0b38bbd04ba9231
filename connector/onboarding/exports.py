"""Files the register writes: the empty template, the funnel (counts only) and a team's own list.

Households' names and phones are personal data (Decree 13/2023/NĐ-CP).  Province-level outputs
(the funnel) hold counts, never people.  The one output that lists people, a team member's own
households, carries ``-du-lieu-ca-nhan`` in its file name and a notice in its first rows, is
written in the template's layout (the team edits it and imports it again: nothing changes unless
edited) and leaves an audit entry.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlmodel import Session, col

from catalog.admin_units import AdminUnit
from catalog.audit import record_change
from catalog.clock import local_today
from catalog.errors import CatalogueValidationError, NotFoundError
from catalog.importing import Cell, ColumnSpec, check_out, escape_formula, writing
from catalog.phone import display_phone
from catalog.producers import Producer
from connector.accounts import AccountStatus, MarketplaceAccount
from connector.onboarding.columns import REGISTER_COLUMNS, REGISTER_SHEET
from connector.onboarding.funnel import FunnelReport
from connector.onboarding.models import Registration, TeamMember, TrainingRecord
from connector.onboarding.platforms import PLATFORMS, STATUS_LABELS

PERSONAL_SUFFIX = "-du-lieu-ca-nhan"
PERSONAL_NOTICE = ("DỮ LIỆU CÁ NHÂN — chỉ dùng cho thành viên tổ công nghệ số quản lý danh sách này "
                   "(Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân). Không chia sẻ, không đăng lên mạng. / "
                   "PERSONAL DATA — for the team that owns this list only (Decree 13/2023/ND-CP).")
TEMPLATE_FIELDS = ("producer_code", "producer_name", "representative", "phone", "address", "commune",
                   "commune_old", "district_old", "registered_on", "member_name", "member_phone", "training_date",
                   "training_topic", "platform", "shop", "opened_on", "status")
TEMPLATE_COLUMNS: list[ColumnSpec] = [next(s for s in REGISTER_COLUMNS if s.field == f) for f in TEMPLATE_FIELDS]
_LISTS = {"ds_san": [label for label, _ in PLATFORMS.values()], "ds_trang_thai": list(STATUS_LABELS.values())}
DIMENSION_HEADERS = {"commune": "Xã/phường", "district": "Huyện (cũ)", "team-member": "Thành viên tổ",
                     "month": "Tháng đăng ký"}
FORMATS = ("table", "csv", "xlsx", "json")


def personal_path(out: Path) -> Path:
    """``out`` with ``-du-lieu-ca-nhan`` before its suffix, unless it says so already."""
    return out if PERSONAL_SUFFIX in out.stem else out.with_name(f"{out.stem}{PERSONAL_SUFFIX}{out.suffix}")


def _book(out: Path) -> xlsxwriter.Workbook:
    out.parent.mkdir(parents=True, exist_ok=True)
    return xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False,
                                          "default_date_format": "dd/mm/yyyy"})


def _write(sheet: Any, r: int, c: int, value: Cell, quoted: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, date):
        sheet.write_datetime(r, c, value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(r, c, value)
    else:
        text = str(value)
        sheet.write_string(r, c, text, quoted if text.startswith(("=", "+", "-", "@")) else None)


def _register_sheet(book: xlsxwriter.Workbook, rows: Sequence[Sequence[Cell]], notice: Sequence[str] = ()) -> None:
    sheet = book.add_worksheet(REGISTER_SHEET)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    warning = book.add_format({"bold": True, "font_color": "#9C0006"})
    quoted = book.add_format({"quote_prefix": True})
    for r, line in enumerate(notice):
        sheet.write_string(r, 0, line, warning)
    top = len(notice) + (1 if notice else 0)
    lists = book.add_worksheet("Danh sách")
    for c, (name, values) in enumerate(_LISTS.items()):
        lists.write_string(0, c, name)
        lists.write_column(1, c, values)
    lists.hide()
    for c, spec in enumerate(TEMPLATE_COLUMNS):
        sheet.write_string(top, c, spec.header, header)
        if spec.comment:
            sheet.write_comment(top, c, spec.comment, {"x_scale": 2, "y_scale": 1.5})
        sheet.set_column(c, c, max(12, min(30, len(spec.header) + 4)))
        if spec.field in ("platform", "status"):
            letter, values = ("A", _LISTS["ds_san"]) if spec.field == "platform" else ("B", _LISTS["ds_trang_thai"])
            source = f"='Danh sách'!${letter}$2:${letter}${len(values) + 1}"
            sheet.data_validation(top + 1, c, top + 20000, c, {"validate": "list", "source": source,
                                                               "error_type": "warning", "ignore_blank": True})
    sheet.freeze_panes(top + 1, 0)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            _write(sheet, r, c, value, quoted)


def write_template(out: Path) -> Path:
    """The empty register workbook, with one fictitious example household."""
    example: dict[str, Cell] = {
        "producer_name": "Hoàng Văn Mẫu", "representative": "Hoàng Văn Mẫu", "phone": "0912 000 111",
        "address": "Thôn Nà Làng", "commune": "Xã Côn Minh", "commune_old": "Xã Quang Phong",
        "district_old": "Huyện Na Rì", "member_name": "Lý Thị Ví Dụ", "member_phone": "0987 000 222",
        "training_date": date(2024, 3, 12), "training_topic": "Kỹ năng bán hàng trên sàn TMĐT",
        "platform": "Voso.vn", "shop": "0912 000 111", "opened_on": date(2024, 3, 15), "status": "Đang hoạt động",
    }
    check_out(out)
    with writing(out):
        book = _book(out)
        _register_sheet(book, [[example.get(s.field) for s in TEMPLATE_COLUMNS]])
        book.close()
    return out


# --- the funnel: counts only --------------------------------------------------------------------

def funnel_table(report: FunnelReport, *, lang: str = "vi") -> tuple[list[str], list[list[Any]]]:
    """Headers and rows (the total last): dimensions, then each step's count and conversion."""
    headers = [DIMENSION_HEADERS[d] if lang == "vi" else d for d in report.dimensions]
    for step in report.steps:
        label = step.label if lang == "vi" else step.label_en
        headers.append(label)
        if step.base:
            headers.append(f"{label} (%)")
    rows = []
    for row in [*report.rows, report.total]:
        line: list[Any] = [row.group[d][1] for d in report.dimensions] if row.group else \
            ["Tổng / total", *[""] * (len(report.dimensions) - 1)]
        for step in report.steps:
            line.append(row.counts.get(step.key, 0))
            if step.base:
                rate = row.rate(step)
                line.append(None if rate is None else round(rate * 100, 1))
        rows.append(line)
    return headers, rows


def funnel_cells(report: FunnelReport, *, lang: str = "vi") -> tuple[list[str], list[list[str]]]:
    """For a terminal: each step's count and conversion in one cell (``12 (40%)``)."""
    headers = [DIMENSION_HEADERS[d] if lang == "vi" else d for d in report.dimensions]
    headers += [s.label if lang == "vi" else s.label_en for s in report.steps]
    rows = []
    for row in [*report.rows, report.total]:
        line = [row.group[d][1] for d in report.dimensions] if row.group else \
            ["Tổng / total", *[""] * (len(report.dimensions) - 1)]
        for step in report.steps:
            rate = row.rate(step)
            line.append(f"{row.counts.get(step.key, 0)}" + (f" ({rate:.0%})" if rate is not None else ""))
        rows.append(line)
    return headers, rows


def write_funnel(report: FunnelReport, out: Path, fmt: str, *, lang: str = "vi") -> Path:
    if fmt not in ("csv", "xlsx", "json"):
        raise CatalogueValidationError("onboarding.format_unknown", value=fmt, allowed=", ".join(FORMATS))
    with writing(out):
        return _write_funnel(report, out, fmt, lang)


def _write_funnel(report: FunnelReport, out: Path, fmt: str, lang: str) -> Path:
    if fmt == "json":
        out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        return out
    headers, rows = funnel_table(report, lang=lang)
    title = f"Phễu đăng ký hộ — kỳ {report.period.label} (số hộ, không có dữ liệu cá nhân)"
    if fmt == "csv":
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            writer.writerows([[escape_formula(v) if isinstance(v, str) else v for v in r] for r in rows])
        return out
    book = _book(out)
    sheet = book.add_worksheet("Phễu")
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, title, bold)
    sheet.write_row(2, 0, headers, book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True}))
    for r, line in enumerate(rows, start=3):
        for c, value in enumerate(line):
            _write(sheet, r, c, value, None)
    sheet.set_column(0, len(report.dimensions) - 1 if report.dimensions else 0, 36)
    book.close()
    return out


# --- a team member's own list: personal data ----------------------------------------------------

def member_by_phone(*, session: Session, phone: str) -> TeamMember:
    from connector.onboarding.columns import fast_phone

    try:
        e164 = fast_phone(phone)
    except CatalogueValidationError:
        raise NotFoundError("onboarding.member_unknown", value=phone) from None
    query = select(TeamMember).where(col(TeamMember.phone) == e164)
    member: TeamMember | None = session.execute(query).scalars().first()
    if member is None:
        raise NotFoundError("onboarding.member_unknown", value=phone)
    return member


def _member_rows(session: Session, member: TeamMember) -> list[list[Cell]]:
    reg = Registration.__table__.c  # type: ignore[attr-defined]
    registered = dict(session.execute(select(reg.producer_id, reg.registered_on).where(
        reg.team_member_id == member.id)).all())
    ids = list(registered)
    producers = list(session.execute(select(Producer).where(col(Producer.id).in_(ids))).scalars())
    codes = {c for p in producers for c in (p.unit_vn2025, p.unit_vn2004) if c}
    units = {(u.scheme, u.code): u.name
             for u in session.execute(select(AdminUnit).where(col(AdminUnit.code).in_(codes))).scalars()}
    trainings: dict[int, list[TrainingRecord]] = defaultdict(list)
    for t in session.execute(select(TrainingRecord).where(col(TrainingRecord.producer_id).in_(ids))).scalars():
        trainings[t.producer_id].append(t)
    accounts: dict[int, list[MarketplaceAccount]] = defaultdict(list)
    for a in session.execute(select(MarketplaceAccount).where(col(MarketplaceAccount.producer_id).in_(ids))).scalars():
        accounts[a.producer_id].append(a)
    rows: list[list[Cell]] = []
    for p in sorted(producers, key=lambda x: x.code):
        assert p.id is not None
        base: dict[str, Cell] = {
            "producer_code": p.code, "producer_name": p.name, "representative": p.representative,
            "phone": display_phone(p.phone) if p.phone else None, "address": p.address,
            "commune": units.get(("vn2025", p.unit_vn2025 or "")),
            "commune_old": units.get(("vn2004", p.unit_vn2004 or "")),
            "registered_on": registered[p.id], "member_name": member.name,
            "member_phone": display_phone(member.phone) if member.phone else None}
        extra = max(len(trainings[p.id]), len(accounts[p.id]), 1)
        for i in range(extra):
            row = dict(base)
            if i < len(trainings[p.id]):
                row |= {"training_date": trainings[p.id][i].day, "training_topic": trainings[p.id][i].topic}
            if i < len(accounts[p.id]):
                a = accounts[p.id][i]
                row |= {"platform": PLATFORMS.get(a.marketplace, (a.marketplace,))[0], "opened_on": a.opened_on,
                        "shop": a.shop_id or (display_phone(a.login_phone) if a.login_phone else None),
                        "status": STATUS_LABELS[AccountStatus(a.status)]}
            rows.append([row.get(s.field) for s in TEMPLATE_COLUMNS])
    return rows


def export_member_households(*, session: Session, phone: str, out: Path, actor: str) -> tuple[Path, int]:
    """A team member's own households in the template's layout; returns the file written and the count."""
    check_out(out)
    member = member_by_phone(session=session, phone=phone)
    path = personal_path(out)
    rows = _member_rows(session, member)
    with writing(path):
        book = _book(path)
        _register_sheet(book, rows, notice=[PERSONAL_NOTICE, f"Thành viên tổ: {member.name} — xuất ngày "
                                                             f"{local_today():%d/%m/%Y}"])
        book.close()
    households = len({r[0] for r in rows})
    record_change(session=session, actor=actor, entity="personal_data_export", entity_id=str(member.id),
                  action="export", after={"file": path.name, "households": households})
    return path, households
