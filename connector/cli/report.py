"""``agri report``: turnover and indicators (table, CSV, Excel, JSON, chart); reported totals."""

from __future__ import annotations

from pathlib import Path

import typer

from catalog.clock import local_today
from catalog.errors import CatalogueValidationError
from catalog.money import parse_vnd
from catalog.periods import parse_period
from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, lang, reporting
from connector.console import console, print_report_table, table, thousands
from connector.ledger import (
    FORMATS,
    Report,
    add_reported_total,
    groupings,
    indicators,
    reported_totals,
    turnover,
    write_chart,
    write_csv,
    write_json,
    write_xlsx,
)

report_app = typer.Typer(no_args_is_help=True)
totals_app = typer.Typer(no_args_is_help=True)
report_app.add_typer(totals_app, name="totals",
                     help="Số liệu do sàn, bưu điện báo cáo, đối chiếu với sổ. Reported totals, reconciled.")

PERIOD_HELP = "2023, 2024-H1, 2024-Q3, 2024-05, 2023-01..2024-06 hoặc all."


def output_reports(reports: list[Report], fmt: str, out: Path | None, template: Path | None) -> None:
    """Write or print ``reports`` (the first is the full grouping) as ``fmt``."""
    file_fmt = fmt if fmt != "table" or out is None else out.suffix.lstrip(".").lower()
    if fmt not in FORMATS or file_fmt not in FORMATS:
        raise CatalogueValidationError("ledger.format_unknown", value=fmt, allowed=", ".join(FORMATS))
    if file_fmt in ("csv", "xlsx") and out is None:
        raise CatalogueValidationError("onboarding.out_needed", value=fmt)
    if out is not None:
        if file_fmt == "xlsx":
            write_xlsx(reports, out, template=template, lang=lang())
        elif file_fmt == "csv":
            write_csv(reports[0], out, lang=lang())
        else:
            write_json(reports[:1], out)
        console.print(f"Đã ghi / written: [bold]{out}[/]")
        return
    if file_fmt == "json":
        first = reports[0]
        emit_json(data=first.to_dict(), summary={"rows": len(first.rows), **first.total.values})
        return
    print_report_table(reports[0], lang=lang())


@report_app.command("turnover")
def report_turnover(
    period: str = typer.Option("all", "--period", help=PERIOD_HELP),
    by: str = typer.Option("", "--by", help="month, quarter, half, year, platform, channel-kind, district, commune, "
                                            "producer-kind, ocop-stars (cách nhau bởi dấu phẩy)."),
    scheme: str = typer.Option("vn2004", "--scheme", help="vn2004 (huyện, xã cũ) hoặc vn2025 (xã mới)."),
    province: str | None = typer.Option(None, "--province", help="Mã tỉnh (vd. 06 Bắc Kạn cũ, 19 Thái Nguyên)."),
    fmt: str = typer.Option("table", "--format", help="table, csv, xlsx hoặc json."),
    out: Path | None = typer.Option(None, "--out", help="Tệp ra (csv/xlsx/json). Output file."),
    chart: Path | None = typer.Option(None, "--chart", help="Biểu đồ doanh thu theo tháng và sàn (.png/.svg)."),
    template: Path | None = typer.Option(None, "--template", help="Mẫu bố cục Excel (.toml) của tỉnh."),
    json_flag: bool = JsonOption,
) -> None:
    """Doanh thu TMĐT theo kỳ, sàn, huyện/xã, loại chủ thể, hạng OCOP; có tổng và lũy kế.
    E-commerce turnover by period and dimension, with totals and the year-to-date column."""
    fmt = "json" if json_flag else fmt
    json_mode = fmt == "json" and out is None
    with reporting(json_mode):
        with open_session() as session:
            the_period = parse_period(period, today=local_today())
            reports = [turnover(session=session, period=the_period, by=dims, scheme=scheme, province=province)
                       for dims in (groupings(by, scheme=scheme) if fmt == "xlsx" or (
                           out is not None and out.suffix.lower() == ".xlsx") else [by])]
            monthly = turnover(session=session, period=the_period, by=["month", "platform"], scheme=scheme,
                               province=province) if chart else None
        output_reports(reports, fmt, out, template)
        if chart is not None and monthly is not None:
            if chart.suffix.lower() not in (".png", ".svg"):
                raise CatalogueValidationError("ledger.format_unknown", value=chart.suffix, allowed=".png, .svg")
            write_chart(monthly, chart)
            if not json_mode:
                console.print(f"Biểu đồ / chart: [bold]{chart}[/]")


@report_app.command("indicators")
def report_indicators(
    period: str = typer.Option("all", "--period", help=PERIOD_HELP),
    by: str = typer.Option("", "--by", help="platform."),
    platforms: str = typer.Option("", "--platforms",
                                  help="Chỉ tính các sàn này, vd. voso,postmart. Only these platforms."),
    fmt: str = typer.Option("table", "--format", help="table, csv, xlsx hoặc json."),
    out: Path | None = typer.Option(None, "--out", help="Tệp ra (csv/xlsx/json). Output file."),
    template: Path | None = typer.Option(None, "--template", help="Mẫu bố cục Excel (.toml) của tỉnh."),
    json_flag: bool = JsonOption,
) -> None:
    """Chỉ tiêu: hộ có tài khoản, đã tập huấn, sản phẩm đang bán (OCOP), giao dịch, tỷ lệ, doanh thu.
    The province's indicators (formulas in the README); --platforms restricts both sides of the share."""
    fmt = "json" if json_flag else fmt
    json_mode = fmt == "json" and out is None
    with reporting(json_mode):
        with open_session() as session:
            report = indicators(session=session, period=parse_period(period, today=local_today()), by=by,
                                platforms=platforms)
        output_reports([report], fmt, out, template)


@totals_app.command("add")
def totals_add(
    period: str = typer.Option(..., "--period", help=PERIOD_HELP),
    reporter: str = typer.Option(..., "--reporter", help="Đơn vị báo cáo (vd. Bưu điện tỉnh, Voso). Who reported."),
    amount: str = typer.Option(..., "--amount", help="Doanh thu báo cáo (vd. 16.000.000.000, 16 tỷ…)."),
    platform: str | None = typer.Option(None, "--platform", help="Sàn mà số liệu thuộc về, nếu có."),
    transactions: int | None = typer.Option(None, "--transactions", help="Số giao dịch báo cáo."),
    note: str | None = typer.Option(None, "--note", help="Ghi chú, số công văn…"),
    recorded_by: str | None = typer.Option(None, "--recorded-by", help="Người nhập."),
    json_mode: bool = JsonOption,
) -> None:
    """Nhập số liệu do sàn hoặc bưu điện báo cáo. Enter a total reported by a platform or VNPost."""
    with reporting(json_mode), open_session() as session:
        from connector.onboarding import parse_platform

        row = add_reported_total(session=session, period=parse_period(period, today=local_today()), reporter=reporter,
                                 amount=parse_vnd(amount, max_value=10**15), transactions=transactions, note=note,
                                 platform=parse_platform(platform) if platform else None, recorded_by=recorded_by)
        data = next(r.to_dict() for r in reported_totals(session=session) if r.reported.id == row.id)
    if json_mode:
        emit_json(data=data)
    else:
        console.print(f"Đã ghi / recorded: {data['reporter']} {data['period']}: {thousands(data['reported'])} đ; "
                      f"sổ / ledger {thousands(data['ledger'])} đ; "
                      f"chênh lệch / difference {thousands(data['difference'])} đ")


@totals_app.command("list")
def totals_list(
    period: str = typer.Option("all", "--period", help=PERIOD_HELP),
    json_mode: bool = JsonOption,
) -> None:
    """Số liệu báo cáo bên cạnh số của sổ, với chênh lệch. Reported totals beside the ledger's, with the difference."""
    with reporting(json_mode), open_session() as session:
        data = [r.to_dict() for r in reported_totals(session=session, period=parse_period(period, today=local_today()))]
    if json_mode:
        emit_json(data=data, summary={"count": len(data)})
        return
    console.print(table("Đối chiếu số liệu / reported vs ledger",
                        ["Kỳ", "Đơn vị báo cáo", "Sàn", "Báo cáo (đ)", "Sổ (đ)", "Chênh lệch (đ)", "GD báo cáo",
                         "GD sổ", "Ghi chú"],
                        [(d["period"], d["reporter"], d["platform"] or "—", thousands(d["reported"]),
                          thousands(d["ledger"]), thousands(d["difference"]), d["reported_transactions"],
                          d["ledger_transactions"], d["note"])
                         for d in data]))
