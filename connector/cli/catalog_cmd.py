"""``agri catalog``: the Excel template, the bulk catalogue import, and the export in the same layout."""

from __future__ import annotations

from pathlib import Path

import typer

from catalog.clock import local_time
from catalog.image_store import ImageStore
from catalog.importing import (
    MODES,
    ImportResult,
    check_report_path,
    export_catalogue,
    import_catalogue,
    terminal_progress,
    write_template,
)
from connector.cli.context import open_session
from connector.cli.output import ExitCode, JsonOption, emit_json, finish, lang, print_problems, reporting
from connector.console import console, err_console, table
from connector.settings import get_settings

catalog_app = typer.Typer(no_args_is_help=True)


@catalog_app.command("template")
def catalog_template(
    out: Path = typer.Argument(..., help="Tệp .xlsx sẽ tạo. The .xlsx file to write."),
    json_mode: bool = JsonOption,
) -> None:
    """Tạo tệp Excel mẫu để nhập danh mục. Write the Excel template for the catalogue import."""
    with reporting(json_mode), open_session() as session:
        write_template(out, session=session)
        if json_mode:
            emit_json(data={"path": str(out)})
        else:
            console.print(f"Đã tạo mẫu / template written: [bold]{out}[/]")


def _summary_rows(result: ImportResult) -> list[tuple[str, int, int, int, int]]:
    names = {"producers": "Hộ sản xuất / producers", "products": "Sản phẩm / products",
             "certifications": "Chứng nhận OCOP / certifications", "images": "Ảnh / images"}
    return [(names[k], c.created, c.updated, c.unchanged, c.rejected) for k, c in result.counts.items()]


def _print_result(result: ImportResult, report: Path | None) -> None:
    console.print(table(f"{result.path.name}" + (" (chạy thử / dry run)" if result.dry_run else ""),
                        ["", "Tạo mới / created", "Cập nhật / updated", "Không đổi / unchanged",
                         "Bị từ chối / rejected"], _summary_rows(result)))
    print_problems(result.problems, None, limit=30)
    if result.merge_candidates:
        console.print(f"[yellow]{len(result.merge_candidates)} chủ thể có thể trùng cần người kiểm tra "
                      f"(merge candidates held for review).[/]")
    if result.same_as is not None:
        when = local_time(result.same_as)
        console.print(f"Tệp này y hệt tệp đã nhập lúc {when} và danh mục chưa đổi từ đó, nên không cần đọc lại "
                      f"(--recheck để so lại từng dòng). Same file as the import of {when}, catalogue unchanged since.")
    if not result.changed and result.committed:
        console.print("Không có gì thay đổi. Nothing changed.")
    if report:
        console.print(f"Báo cáo / report: [bold]{report}[/]")


@catalog_app.command("import")
def catalog_import(
    file: Path = typer.Argument(..., help="Tệp .xlsx, .ods hoặc .csv. The catalogue file."),
    images: Path | None = typer.Option(None, "--images",
                                       help="Thư mục hoặc tệp .zip chứa ảnh. Folder or zip of photos."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chạy thử, không ghi gì. Check only, write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Ghi báo cáo .xlsx/.csv/.json. Write a report."),
    mode: str = typer.Option("keep-valid", "--mode", help="keep-valid (mặc định) hoặc all-or-nothing."),
    set_stock: bool = typer.Option(False, "--set-stock", help="Cập nhật cả tồn kho. Also overwrite stock."),
    recheck: bool = typer.Option(False, "--recheck", help="So lại từng dòng kể cả khi tệp y hệt lần nhập trước. "
                                 "Compare every row even when the same file was imported before."),
    json_mode: bool = JsonOption,
) -> None:
    """Nhập danh mục hộ sản xuất, sản phẩm, OCOP, ảnh từ Excel/CSV. Import the catalogue from Excel/CSV."""
    if mode not in MODES:
        err_console.print(f"--mode: {' | '.join(MODES)}")
        raise typer.Exit(int(ExitCode.USAGE))
    with reporting(json_mode), open_session() as session, terminal_progress(err_console) as progress:
        if report:
            check_report_path(report)  # a bad --report is said before the import, not after it
        result = import_catalogue(session=session, path=file, images=images, mode=mode, dry_run=dry_run,
                                  set_stock=set_stock, lang=lang(), progress=None if json_mode else progress,
                                  actor="cli", media=ImageStore(get_settings().media_dir), recheck=recheck)
    if report:
        with reporting(json_mode):
            result.write_report(report, lang=lang())
    if json_mode:
        errors = [p.to_dict(lang()) for p in result.errors]
        emit_json(data=result.to_dict(lang()), errors=errors, summary=result.summary(), ok=not errors)
    else:
        _print_result(result, report)
    finish(ExitCode.USAGE if result.unreadable else ExitCode.PARTIAL if result.errors else ExitCode.OK)


@catalog_app.command("export")
def catalog_export(
    out: Path = typer.Argument(..., help="Tệp .xlsx sẽ ghi. The .xlsx file to write."),
    producer: str | None = typer.Option(None, "--producer", help="Chỉ một chủ thể (mã). One producer only (code)."),
    json_mode: bool = JsonOption,
) -> None:
    """Xuất danh mục theo mẫu nhập để sửa trong Excel. Export the catalogue in the template's layout."""
    with reporting(json_mode), open_session() as session:
        counts = export_catalogue(session=session, out=out, producer_code=producer)
    if json_mode:
        emit_json(data={"path": str(out), **counts}, summary=counts)
    else:
        console.print(f"Đã xuất / exported {counts['producers']} chủ thể, {counts['products']} sản phẩm, "
                      f"{counts['certifications']} chứng nhận → [bold]{out}[/]")
