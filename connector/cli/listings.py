"""``agri listings``: listing packs, manual binding and seller-centre order exports for the
marketplaces a support worker reaches by hand (voso.vn, postmart.vn)."""

from __future__ import annotations

from pathlib import Path

import typer

from catalog.errors import ConfigurationError
from catalog.importing import check_report_path, terminal_progress
from catalog.products import get_product
from connector.accounts import get_account
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
from connector.console import console, err_console, table
from connector.listings import (
    STATUS_WORDS,
    RowStatus,
    bind_from_pack,
    bind_manually,
    build_pack,
    import_order_export,
    unbind_manually,
)

listings_app = typer.Typer(no_args_is_help=True)


@listings_app.command("pack")
def listings_pack(
    account: str = typer.Argument(..., help="Tên tài khoản sàn. Account name."),
    out: Path = typer.Option(..., "--out", help="Thư mục ghi gói. Folder to write the pack into."),
    only_changed: bool = typer.Option(False, "--only-changed",
                                      help="Chỉ sản phẩm mới hoặc đã đổi. Only new or changed listings."),
    json_mode: bool = JsonOption,
) -> None:
    """Lập gói đăng bán (bảng tính + ảnh đã chuẩn bị) để nhập tay vào trang người bán.
    Write a listing pack (spreadsheet + prepared images) for a seller centre."""
    with reporting(json_mode), open_session() as session, terminal_progress(err_console) as progress:
        result = build_pack(session=session, account=get_account(session=session, name=account), out=out,
                            only_changed=only_changed, lang=lang(), progress=None if json_mode else progress)
    if json_mode:
        rows = [{"ref": r.ref, "status": r.status.value, "changed": r.changed_fields, "changes": r.changes,
                 "price": r.values["price"], "stock": r.values["stock"], "images": [i.name for i in r.images]}
                for r in result.written]
        emit_json(data={"rows": rows, "problems": result.problems}, summary=result.summary())
        return
    shown = [(r.ref, r.values["title"], r.values["price"], r.values["stock"], STATUS_WORDS[r.status], r.changes)
             for r in result.written]
    console.print(table(f"Gói đăng bán / listing pack — {result.account}",
                        ["Sản phẩm", "Tên", "Giá", "Tồn", "Tình trạng", "Thay đổi"], shown))
    counts = result.counts()
    console.print(" · ".join(f"{STATUS_WORDS[RowStatus(k)]} / {k}: {v}" for k, v in counts.items()))
    for problem in result.problems:
        console.print(f"[yellow]{problem['ref']}[/]: {problem['message']}")
    if not result.rows:  # an empty pack is no error, but a new user needs to know why it is empty
        console.print("[yellow]Chủ thể của tài khoản này chưa có sản phẩm nào: hãy nhập danh mục trước "
                      "('agri catalog import'). The account's producer has no products yet.[/]")
    elif not result.written:
        console.print("Không có sản phẩm mới hay thay đổi từ gói trước. Nothing new or changed since the last pack.")
    console.print(f"Đã ghi / written: [bold]{result.spreadsheet}[/], [bold]{result.images_zip}[/]")


@listings_app.command("bind")
def listings_bind(
    account: str = typer.Argument(..., help="Tên tài khoản sàn. Account name."),
    product: str = typer.Argument(..., help="Sản phẩm CHỦ-THỂ/SKU. Product as PRODUCER/SKU."),
    listing: str = typer.Argument(..., help="Đường dẫn hoặc mã sản phẩm trên sàn. Listing URL or id."),
    json_mode: bool = JsonOption,
) -> None:
    """Ghi nhận sản phẩm đã đăng tay trên sàn (đường dẫn hoặc mã). Record a listing made by hand."""
    with reporting(json_mode), open_session() as session:
        outcome = bind_manually(session=session, account=get_account(session=session, name=account),
                                product=get_product(session=session, ref=product), listing=listing)
    if json_mode:
        emit_json(data=outcome.to_dict(), summary={"action": outcome.action})
        return
    console.print(f"{outcome.ref} → {outcome.remote_id} ({outcome.url or '-'}): {outcome.action}")


@listings_app.command("bind-file")
def listings_bind_file(
    account: str = typer.Argument(..., help="Tên tài khoản sàn. Account name."),
    pack: Path = typer.Argument(..., help="Bảng tính của gói, đã điền cột đường dẫn. The pack spreadsheet."),
    report: Path | None = typer.Option(None, "--report", help="Ghi báo cáo .xlsx/.csv/.json. Write a report."),
    json_mode: bool = JsonOption,
) -> None:
    """Gắn liên kết hàng loạt từ bảng tính của gói đã điền đường dẫn (chỉ gian hàng không kết nối API).
    Bind from a filled-in pack (shops without an API connection only)."""
    with reporting(json_mode), open_session() as session:
        if report:
            check_report_path(report)  # a bad --report is said before the binding, not after it
        shop = get_account(session=session, name=account)
        if shop.connected:  # the sync keeps its listings: binding by hand would drop its pending pushes
            raise ConfigurationError("listings.bind_file_connected", account=shop.name)
        result = bind_from_pack(session=session, account=shop, path=pack, lang=lang())
    with reporting(json_mode):
        written = result.write_report(report, lang=lang()) if report else None
    if json_mode:
        emit_import_json(result, written)
    else:
        counts = result.counts["bindings"]
        console.print(f"Tạo mới / created: {counts.created} · cập nhật / updated: {counts.updated} · "
                      f"không đổi / unchanged: {counts.unchanged} · lỗi / rejected: {counts.rejected} · "
                      f"chưa có đường dẫn / no address yet: {result.skipped}")
        print_problems(result.problems, written)
    finish(ExitCode.USAGE if result.unreadable else ExitCode.PARTIAL if result.errors else ExitCode.OK)


@listings_app.command("orders-import")
def listings_orders_import(
    account: str = typer.Argument(..., help="Tên tài khoản sàn. Account name."),
    file: Path = typer.Argument(..., help="Tệp đơn hàng tải từ trang người bán. The seller centre's order export."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chạy thử, không ghi gì. Check only, write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Ghi báo cáo .xlsx/.csv/.json. Write a report."),
    json_mode: bool = JsonOption,
) -> None:
    """Nhập tệp đơn hàng xuất từ trang người bán (an toàn khi nhập lại). Import a seller-centre order export."""
    with reporting(json_mode), open_session() as session:
        if report:
            check_report_path(report)  # a bad --report is said before the import, not after it
        result = import_order_export(session=session, account=get_account(session=session, name=account), path=file,
                                     dry_run=dry_run, recorded_by="cli", lang=lang())
    result.committed = not dry_run
    with reporting(json_mode):
        written = result.write_report(report, lang=lang()) if report else None
    if json_mode:
        emit_import_json(result, written)
    else:
        summary = result.summary()
        counts = result.counts["orders"]
        console.print(f"Đơn / orders: mới / new {counts.created} · cập nhật / updated {counts.updated} · "
                      f"không đổi / unchanged {counts.unchanged} · lỗi / rejected {counts.rejected}"
                      + (" (chạy thử / dry run)" if dry_run else ""))
        console.print(f"Sổ bán / ledger: bán / sales {summary.get('sales', 0)} · "
                      f"đảo / reversals {summary.get('reversals', 0)} · "
                      f"kho / stock movements {summary.get('stock_movements', 0)}")
        print_problems(result.problems, written)
    finish(ExitCode.USAGE if result.unreadable else ExitCode.PARTIAL if result.errors else ExitCode.OK)


@listings_app.command("sandbox-export")
def listings_sandbox_export(
    account: str = typer.Argument(..., help="Tài khoản nối với sandbox. An account connected to the sandbox."),
    out: Path = typer.Argument(..., help="Tệp .xlsx sẽ ghi. The .xlsx file to write."),
    days: int = typer.Option(60, "--days", min=1, help="Số ngày gần nhất (theo đồng hồ sandbox). Days back."),
    json_mode: bool = JsonOption,
) -> None:
    """Sandbox: tạo tệp đơn hàng như trang người bán cho tải về. Sandbox: write a seller-centre order export."""
    from connector.sandbox import export_sandbox_orders

    with reporting(json_mode), open_session() as session:
        made = export_sandbox_orders(account=get_account(session=session, name=account), out=out, days=days)
    if json_mode:
        emit_json(data=made, summary={"orders": made.orders, "lines": made.lines})
        return
    console.print(f"Đã ghi / written: [bold]{made.path}[/] — {made.orders} đơn / orders, {made.lines} dòng / lines")


@listings_app.command("unbind")
def listings_unbind(
    account: str = typer.Argument(..., help="Tên tài khoản sàn. Account name."),
    product: str = typer.Argument(..., help="Sản phẩm CHỦ-THỂ/SKU. Product as PRODUCER/SKU."),
    json_mode: bool = JsonOption,
) -> None:
    """Ghi nhận đã gỡ sản phẩm khỏi sàn (đăng tay). Record that a listing was taken down by hand."""
    with reporting(json_mode), open_session() as session:
        outcome = unbind_manually(session=session, account=get_account(session=session, name=account),
                                  product=get_product(session=session, ref=product))
    if json_mode:
        emit_json(data=outcome.to_dict(), summary={"action": outcome.action})
        return
    console.print(f"{outcome.ref} ({outcome.remote_id}): {outcome.action}")
