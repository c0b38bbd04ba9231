"""The province dashboard: indicators, the onboarding funnel, products by district, turnover by period ×
platform × district; all counts, no personal data; Excel export."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from sqlmodel import Session
from starlette.background import BackgroundTask

from catalog.clock import local_today
from catalog.money import format_vnd
from catalog.periods import Period, parse_period
from connector.funnel import FUNNEL_STEPS
from connector.ledger import indicators, report_cells, reported_totals, turnover
from connector.onboarding import FunnelReport, build_funnel
from connector.users import Role
from connector.web.deps import UserPage
from connector.web.services import province_counts, province_workbook

router = APIRouter()
READERS = (Role.province, Role.admin)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bars(items: list[tuple[str, int]], *, width: int = 240, limit: int = 12, money: bool = False,
         keep_order: bool = False) -> list[dict[str, Any]]:
    """Rows of a horizontal bar chart drawn in SVG on the server (no script needed); largest first
    unless ``keep_order`` (months stay in calendar order)."""
    top = (items if keep_order else sorted(items, key=lambda kv: -kv[1]))[:limit]
    peak = max((n for _, n in top), default=0) or 1
    return [{"label": label, "text": format_vnd(n) if money else str(n), "width": max(2, round(width * n / peak)),
             "y": i * 26} for i, (label, n) in enumerate(top)]


@dataclass
class LedgerView:
    """The ledger's reports for the dashboard, as plain tables (headers, rows, which cells are money)."""

    turnover: tuple[list[str], list[list[Any]], list[list[str | None]]]
    indicators: tuple[list[str], list[list[Any]], list[list[str | None]]]
    by_platform: list[tuple[str, int]]
    by_district: list[tuple[str, int]]
    by_month: list[tuple[str, int]]
    reported: list[dict[str, Any]]

    def sheets(self, lang: str) -> list[tuple[str, list[list[Any]]]]:
        vi = lang == "vi"
        reported_head = (["Kỳ", "Người báo cáo", "Kênh", "Báo cáo (đ)", "Sổ bán hàng (đ)", "Chênh lệch (đ)"] if vi
                         else ["Period", "Reporter", "Platform", "Reported (VND)", "Ledger (VND)", "Difference (VND)"])
        reported = [[r["period"], r["reporter"], r["platform"] or "", r["reported"], r["ledger"], r["difference"]]
                    for r in self.reported]
        return [("Doanh thu" if vi else "Turnover", [self.turnover[0], *self.turnover[1]]),
                ("Chỉ tiêu TMĐT" if vi else "E-commerce indicators", [self.indicators[0], *self.indicators[1]]),
                ("Báo cáo và sổ" if vi else "Reported vs ledger", [reported_head, *reported])]


def ledger_view(session: Session, period: Period, lang: str) -> LedgerView:
    """Turnover by platform × district (vn2004), indicators, reported totals."""
    table = turnover(session=session, period=period, by=["platform", "district"], scheme="vn2004")
    platforms = turnover(session=session, period=period, by=["platform"], scheme="vn2004")
    districts = turnover(session=session, period=period, by=["district"], scheme="vn2004")
    months = turnover(session=session, period=period, by=["month"], scheme="vn2004")
    figures = indicators(session=session, period=period)
    return LedgerView(
        turnover=report_cells(table, lang=lang), indicators=report_cells(figures, lang=lang),
        by_platform=[(r.group["platform"][1], int(r.values.get("amount", 0))) for r in platforms.rows],
        by_district=[(r.group["district"][1], int(r.values.get("amount", 0))) for r in districts.rows],
        by_month=[(r.group["month"][1], int(r.values.get("amount", 0))) for r in months.rows],
        reported=[r.to_dict() for r in reported_totals(session=session, period=period)])


def _data(ctx: UserPage, period_text: str) -> tuple[Period, FunnelReport, Any, LedgerView]:
    period = parse_period(period_text or "all", today=local_today())
    funnel = build_funnel(session=ctx.session, period=period, sources=FUNNEL_STEPS, dimensions=["district"],
                          scheme="vn2004")
    return period, funnel, province_counts(session=ctx.session), ledger_view(ctx.session, period, ctx.lang)


@router.get("/province", response_class=HTMLResponse)
def province(ctx: UserPage, period: str = "all") -> HTMLResponse:
    ctx.require(*READERS)
    chosen, funnel, counts, ledger = _data(ctx, period)
    steps = [s for s in funnel.steps if not s.detail]
    funnel_bars = bars([(s.label if ctx.lang == "vi" else s.label_en, funnel.total.counts.get(s.key, 0))
                        for s in steps])
    return ctx.render("province.html", period=chosen, period_text=period, funnel=funnel, steps=steps,
                      counts=counts, ledger=ledger, format_vnd=format_vnd,
                      turnover_bars=bars(ledger.by_platform, money=True),
                      month_bars=bars(ledger.by_month, money=True, keep_order=True, limit=24),
                      turnover_district_bars=bars(ledger.by_district, money=True),
                      district_bars=bars(counts.products_by_district), platform_bars=bars(counts.accounts_by_platform),
                      funnel_bars=funnel_bars)


@router.get("/province/export.xlsx")
def province_export(ctx: UserPage, period: str = "all") -> FileResponse:
    ctx.require(*READERS)
    chosen, funnel, counts, ledger = _data(ctx, period)
    extra = ledger.sheets(ctx.lang)
    out = Path(tempfile.mkdtemp(prefix="agri-province-")) / "bao-cao.xlsx"
    province_workbook(out, counts=counts, funnel=funnel, lang=ctx.lang, turnover=extra)
    name = f"bao-cao-tinh-{chosen.label.split(' ')[0].replace('/', '-') or 'all'}.xlsx"
    return FileResponse(out, media_type=XLSX, filename=name,
                        background=BackgroundTask(shutil.rmtree, out.parent, ignore_errors=True))
