"""``agri ledger``: close a period, list the adjustments that landed after a close."""

from __future__ import annotations

import typer

from catalog.clock import LOCAL_TZ, as_utc, local_today
from catalog.codes import render
from catalog.periods import parse_period
from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, lang, reporting
from connector.console import console, table
from connector.ledger import adjustments, close_period, closed_periods

ledger_app = typer.Typer(no_args_is_help=True)


@ledger_app.command("close")
def ledger_close(
    period: str = typer.Argument(..., help="Kỳ đã qua: 2024, 2024-H1, 2024-Q3, 2024-05. A past period."),
    closed_by: str | None = typer.Option(None, "--by", help="Người khóa sổ. Who closes it."),
    json_mode: bool = JsonOption,
) -> None:
    """Khóa sổ một kỳ: báo cáo của kỳ không đổi nữa; sửa sau đó thành điều chỉnh ở kỳ mở.
    Freeze a period: its report never changes; later corrections become adjustments."""
    with reporting(json_mode), open_session() as session:
        chosen = parse_period(period, today=local_today())
        # closing twice is what the person wanted: done, and said so (exit 0), not an error
        row = next((c for c in closed_periods(session=session) if (c.start, c.end) == (chosen.start, chosen.end)),
                   None)
        already = row is not None
        if row is None:
            row = close_period(session=session, period=chosen, today=local_today(), closed_by=closed_by)
    data = {"label": row.label, "start": row.start, "end": row.end, "entries": row.entries, "total": row.total,
            "closed_by": row.closed_by, "closed_at": row.closed_at, "already_closed": already}
    closed_on = as_utc(row.closed_at).astimezone(LOCAL_TZ).date().isoformat()  # the local day, not UTC's
    notice = render("ledger.period_already_closed", lang(), {"period": row.label, "closed_on": closed_on}) \
        if already else None
    if json_mode:
        emit_json(data=data, summary={"notice": notice} if notice else None)
    elif notice:
        console.print(notice)
    else:
        total = f"{data['total']:,}".replace(",", ".")
        console.print(f"Đã khóa sổ / closed {data['label']} ({data['start']} → {data['end']}): "
                      f"{data['entries']} bút toán, {total} đ")


@ledger_app.command("closed")
def ledger_closed(json_mode: bool = JsonOption) -> None:
    """Các kỳ đã khóa sổ. Closed periods."""
    with reporting(json_mode), open_session() as session:
        data = [{"label": c.label, "start": c.start, "end": c.end, "entries": c.entries, "total": c.total,
                 "closed_by": c.closed_by, "closed_at": c.closed_at} for c in closed_periods(session=session)]
    if json_mode:
        emit_json(data=data, summary={"count": len(data)})
        return
    console.print(table("Kỳ đã khóa / closed periods", ["Kỳ", "Từ", "Đến", "Bút toán", "Tổng (đ)", "Người khóa"],
                        [(d["label"], d["start"], d["end"], d["entries"], f"{d['total']:,}".replace(",", "."),
                          d["closed_by"]) for d in data]))


@ledger_app.command("adjustments")
def ledger_adjustments(
    period: str = typer.Option("all", "--period", help="Kỳ ghi điều chỉnh. Where they were booked."),
    json_mode: bool = JsonOption,
) -> None:
    """Các điều chỉnh cho kỳ đã khóa (ghi vào kỳ mở kế tiếp). Corrections of closed periods."""
    with reporting(json_mode), open_session() as session:
        data = adjustments(session=session, period=parse_period(period, today=local_today()))
    if json_mode:
        emit_json(data=data, summary={"count": len(data), "amount": sum(d["amount"] for d in data)})
        return
    console.print(table(f"Điều chỉnh / adjustments ({len(data)})",
                        ["#", "Loại", "Điều chỉnh kỳ", "Phát sinh", "Ghi vào ngày", "Sàn", "Đơn/chứng từ", "Số tiền"],
                        [(d["id"], d["kind"], d["adjusts"], d["occurred_at"], d["booked_on"], d["platform_label"],
                          d["order_id"] or d["reference"], f"{d['amount']:,}".replace(",", ".")) for d in data]))
