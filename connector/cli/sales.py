"""``agri sales``: sales on channels without an API, from Excel or CSV."""

from __future__ import annotations

from pathlib import Path

import typer

from catalog.importing import check_report_path
from connector.cli.context import open_session
from connector.cli.output import (
    ExitCode,
    JsonOption,
    emit_import_json,
    emit_json,
    finish,
    lang,
    print_problems,
    reporting,
)
from connector.console import console
from connector.ledger import import_sales, write_sales_template

sales_app = typer.Typer(no_args_is_help=True)


@sales_app.command("template")
def sales_template(
    out: Path = typer.Argument(Path("mau-ban-hang.xlsx"), help="Tệp .xlsx sẽ tạo. The .xlsx file to write."),
    json_mode: bool = JsonOption,
) -> None:
    """Tạo tệp mẫu ghi bán hàng qua Facebook, Zalo, hội chợ… Write the sales-file template."""
    with reporting(json_mode):
        write_sales_template(out)
    if json_mode:
        emit_json(data={"path": str(out)})
    else:
        console.print(f"Đã tạo mẫu / template written: [bold]{out}[/]")


@sales_app.command("import")
def sales_import(
    file: Path = typer.Argument(..., help="Tệp .xlsx, .ods hoặc .csv. The sales file."),
    recorded_by: str | None = typer.Option(None, "--recorded-by",
                                           help="Người ghi (khi tệp không có cột). Who recorded."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chạy thử, không ghi gì. Check only, write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Ghi báo cáo .xlsx/.csv/.json. Write a report."),
    json_mode: bool = JsonOption,
) -> None:
    """Ghi các khoản bán qua kênh không có API vào sổ (trùng nguồn + số chứng từ bị từ chối).
    Record sales from channels without an API (a duplicate source + reference is refused)."""
    with reporting(json_mode):
        if report is not None:
            check_report_path(report)  # refused before the import runs, not after
        with open_session() as session:
            result = import_sales(session=session, path=file, recorded_by=recorded_by, dry_run=dry_run,
                                  lang=lang())
        written = result.write_report(report, lang=lang()) if report else None
    counts = result.counts.get("sales")
    summary = {**result.summary(), "amount": result.amount}
    if json_mode:
        emit_import_json(result, written, summary=summary)
    else:
        amount = f"{result.amount:,}".replace(",", ".")
        console.print(f"Đã ghi / recorded: {counts.created if counts else 0} khoản, {amount} đ"
                      + (" (chạy thử / dry run)" if dry_run else ""))
        print_problems(result.problems, written)
    unreadable = bool(result.file_errors) and result.rows_read == 0
    finish(ExitCode.USAGE if unreadable else ExitCode.PARTIAL if result.errors else ExitCode.OK)
