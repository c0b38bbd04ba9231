"""``agri catalog``, ``agri producers``, ``agri products``: the catalogue from the command line.

``agri catalog`` moves the whole catalogue in and out of the Excel layout (template, import,
export); ``agri producers`` and ``agri products`` read it one noun at a time, and ``agri producers
merge | keep-both | candidates`` let a person decide on possible duplicate households.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from sqlmodel import Session, col, select

from catalog.clock import local_time, local_today
from catalog.identity import reason_text
from catalog.image_store import ImageStore, variants_of
from catalog.importing import (
    MODES,
    ImportResult,
    check_report_path,
    export_catalogue,
    import_catalogue,
    terminal_progress,
    write_template,
)
from catalog.money import format_vnd
from catalog.ocop import OcopCertification, stars_as_of
from catalog.phone import display_phone
from catalog.producers import Producer, list_producers
from catalog.products import Product, ProductStatus, get_product, list_products, product_images
from connector.cli.context import open_session
from connector.cli.output import ExitCode, JsonOption, emit_json, finish, lang, print_problems, reporting
from connector.console import console, err_console, table
from connector.onboarding import CandidateStatus, MergeCandidate, keep_both, merge_producers
from connector.settings import get_settings

catalog_app = typer.Typer(no_args_is_help=True)
producers_app = typer.Typer(no_args_is_help=True)
products_app = typer.Typer(no_args_is_help=True)


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


def _stars_by_product(session: Session, product_ids: list[int], day: date) -> dict[int, int | None]:
    certs: dict[int, list[OcopCertification]] = {}
    if product_ids:
        query = select(OcopCertification).where(col(OcopCertification.product_id).in_(product_ids))
        for cert in session.exec(query):
            certs.setdefault(cert.product_id, []).append(cert)
    return {pid: stars_as_of(certs.get(pid, []), day) for pid in product_ids}


def product_public(product: Product, producer: Producer, stars: int | None) -> dict[str, Any]:
    data = product.model_dump(exclude={"producer_id", "name_key", "created_at", "updated_at"})
    return {"ref": f"{producer.code}/{product.sku}", "producer_code": producer.code, **data, "stars": stars}


@producers_app.command("list")
def producers_list(
    search: str | None = typer.Option(None, "--search", "-s", help="Tên, không cần dấu. Name, accents optional."),
    ward: str | None = typer.Option(None, "--ward", help="Mã xã/phường vn2025. vn2025 ward code."),
    limit: int | None = typer.Option(None, "--limit"),
    json_mode: bool = JsonOption,
) -> None:
    """Liệt kê chủ thể. List producers."""
    with reporting(json_mode), open_session() as session:
        producers = list_producers(session=session, search=search, unit_vn2025=ward, limit=limit)
        data = [p.model_dump(exclude={"name_key"}) for p in producers]
        if json_mode:
            emit_json(data=data, summary={"count": len(data)})
            return
        rows = [(p.code, p.name, p.kind.value, display_phone(p.phone) if p.phone else "", p.unit_vn2025 or "",
                 p.unit_vn2004 or "") for p in producers]
        console.print(table(f"Chủ thể ({len(rows)})", ["Mã", "Tên", "Loại", "Điện thoại", "vn2025", "vn2004"], rows))


@products_app.command("list")
def products_list(
    producer: str | None = typer.Option(None, "--producer", "-p", help="Mã chủ thể. Producer code."),
    status: ProductStatus | None = typer.Option(None, "--status"),
    category: str | None = typer.Option(
        None, "--category", help="Mã ngành hàng OCOP, ví dụ 1.3. Category code prefix."),
    search: str | None = typer.Option(None, "--search", "-s", help="Tên, không cần dấu. Name, accents optional."),
    limit: int | None = typer.Option(None, "--limit"),
    json_mode: bool = JsonOption,
) -> None:
    """Liệt kê sản phẩm. List products."""
    with reporting(json_mode), open_session() as session:
        pairs = list_products(session=session, producer_code=producer, status=status, category_code=category,
                              search=search, limit=limit)
        stars = _stars_by_product(session, [p.id for p, _ in pairs if p.id is not None], local_today())
        data = [product_public(p, pr, stars.get(p.id or 0)) for p, pr in pairs]
        if json_mode:
            emit_json(data=data, summary={"count": len(data), "total_stock": sum(p.stock for p, _ in pairs)})
            return
        rows = [(d["ref"], d["name"], format_vnd(d["price"]), d["unit"], d["stock"], "★" * (d["stars"] or 0),
                 d["status"]) for d in data]
        console.print(table(f"Sản phẩm ({len(rows)})", ["Mã", "Tên", "Giá", "ĐVT", "Tồn", "OCOP", "Trạng thái"], rows))


@products_app.command("show")
def products_show(
    ref: str = typer.Argument(..., help="MÃ_CHỦ_THỂ/SKU. PRODUCER/SKU."),
    json_mode: bool = JsonOption,
) -> None:
    """Chi tiết một sản phẩm: giá, tồn kho, OCOP, ảnh. Show one product."""
    with reporting(json_mode), open_session() as session:
        product = get_product(session=session, ref=ref)
        producer = session.get(Producer, product.producer_id)
        assert producer is not None
        assert product.id is not None
        certs = list(session.exec(select(OcopCertification).where(OcopCertification.product_id == product.id)))
        images = product_images(session=session, product=product)
        data = product_public(product, producer, stars_as_of(certs, local_today()))
        data["producer_name"] = producer.name
        data["certifications"] = [c.model_dump(exclude={"product_id"}) for c in certs]
        store = ImageStore(get_settings().media_dir)
        try:
            variants = {i.sha256: variants_of(store, i.sha256) for i in images}
        finally:
            store.close()
        data["images"] = [
            {**i.model_dump(exclude={"product_id"}),
             "variants": [{"profile": v.profile_name, "sha256": v.sha256, "format": v.format,
                           "width": v.width, "height": v.height, "bytes": v.byte_count} for v in variants[i.sha256]]}
            for i in images]
        if json_mode:
            emit_json(data=data)
            return
        facts = [("Mã", data["ref"]), ("Tên", product.name), ("Chủ thể", producer.name),
                 ("Giá", format_vnd(product.price)), ("Tồn kho", f"{product.stock} {product.unit}"),
                 ("Ngành hàng", product.category_code or ""), ("Trạng thái", product.status.value),
                 ("OCOP", "★" * (data["stars"] or 0) or "—"),
                 ("Phiên bản", f"nội dung {product.content_version}, tồn kho {product.stock_version}")]
        console.print(table(None, ["", ""], facts))
        if certs:
            console.print(table("Chứng nhận OCOP", ["Sao", "Quyết định", "Ngày", "Hiệu lực đến", "Trạng thái"],
                                [(c.stars, c.decision_no, c.decision_date, c.valid_until, c.status.value)
                                 for c in certs]))
        if images:
            console.print(table("Ảnh", ["#", "SHA-256", "Kích thước", "Định dạng", "Bản đã chuẩn bị"],
                                [(i.position, i.sha256[:16], f"{i.width}×{i.height}", i.format,
                                  ", ".join(f"{v.profile_name} {v.width}×{v.height} {v.byte_count:,} B"
                                            for v in variants[i.sha256]) or "—") for i in images]))


@producers_app.command("merge")
def producers_merge(
    keep: str = typer.Argument(..., help="Mã chủ thể giữ lại. Code of the producer that stays."),
    absorb: str = typer.Argument(..., help="Mã chủ thể gộp vào (sẽ bị xóa). Code of the one merged into it."),
    json_mode: bool = JsonOption,
) -> None:
    """Gộp hai chủ thể là một hộ: chuyển tập huấn, tài khoản, sản phẩm, bán hàng sang A. Merge B into A."""
    with reporting(json_mode), open_session() as session:
        result = merge_producers(session=session, keep_code=keep, absorb_code=absorb, actor="cli")
    data = {"survivor": result.survivor, "absorbed": result.absorbed, "moved": result.moved,
            "folded": result.folded, "filled": result.filled}
    if json_mode:
        emit_json(data=data, summary={"moved": sum(result.moved.values())})
        return
    console.print(f"Đã gộp / merged [bold]{result.absorbed}[/] → [bold]{result.survivor}[/]")
    rows = [(t, n, result.folded.get(t, 0)) for t, n in sorted(result.moved.items())]
    if rows:
        console.print(table(None, ["Bảng / table", "Đã chuyển / moved", "Trùng, bỏ / duplicates dropped"], rows))


@producers_app.command("keep-both")
def producers_keep_both(
    a: str = typer.Argument(..., help="Mã chủ thể thứ nhất. First producer code."),
    b: str = typer.Argument(..., help="Mã chủ thể thứ hai. Second producer code."),
    json_mode: bool = JsonOption,
) -> None:
    """Ghi nhận hai chủ thể là hai hộ khác nhau. Record that two producers are two households."""
    with reporting(json_mode), open_session() as session:
        closed = keep_both(session=session, a_code=a, b_code=b, actor="cli")
    if json_mode:
        emit_json(data={"a": a, "b": b, "closed": closed})
    else:
        console.print(f"Đã ghi nhận {a} và {b} là hai hộ / kept as two households.")


@producers_app.command("candidates")
def producers_candidates(
    status: CandidateStatus = typer.Option(CandidateStatus.open, "--status", help="open, merged hoặc kept."),
    json_mode: bool = JsonOption,
) -> None:
    """Các cặp hộ có thể trùng, kèm lý do. Possible duplicates held for a person, with their reason."""
    words = lang()
    with reporting(json_mode), open_session() as session:
        rows = list(session.exec(select(MergeCandidate).where(col(MergeCandidate.status) == status)
                                 .order_by(col(MergeCandidate.id))))
        ids = {i for c in rows for i in (c.producer_a_id, c.producer_b_id) if i is not None}
        producers = {p.id: p for p in session.exec(select(Producer).where(col(Producer.id).in_(ids)))}
        data: list[dict[str, Any]] = []
        for c in rows:
            a, b = producers.get(c.producer_a_id), producers.get(c.producer_b_id)
            data.append({"id": c.id, "a": a.code if a else None, "a_name": a.name if a else None,
                         "b": b.code if b else None, "b_name": b.name if b else (c.incoming or {}).get("name"),
                         "reason": c.reason, "reason_text": reason_text(c.reason, words),
                         "status": c.status, "source": c.source, "decided_by": c.decided_by})
    if json_mode:
        emit_json(data=data, summary={"count": len(data)})
        return
    headers = ["#", "A", "Tên A", "B", "Tên B", "Lý do", "Nguồn"]
    console.print(table(f"Cặp cần xem xét / candidates ({len(data)})", headers,
                        [(d["id"], d["a"], d["a_name"], d["b"], d["b_name"], d["reason_text"], d["source"])
                         for d in data]))
    if data and status is CandidateStatus.open:
        console.print("`agri producers merge A B` (một hộ / one household) hoặc `agri producers keep-both A B`.")
