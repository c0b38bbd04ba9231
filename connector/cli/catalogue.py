"""``agri producers``, ``agri products``, ``agri units``: reading the catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from sqlmodel import Session, col, select

from catalog.admin_units import find_units
from catalog.clock import local_today
from catalog.image_store import ImageStore, variants_of
from catalog.money import format_vnd
from catalog.ocop import OcopCertification, stars_as_of
from catalog.phone import display_phone
from catalog.producers import Producer, list_producers
from catalog.products import Product, ProductStatus, get_product, list_products, product_images
from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, reporting
from connector.console import console, table
from connector.settings import get_settings

producers_app = typer.Typer(no_args_is_help=True)
products_app = typer.Typer(no_args_is_help=True)
units_app = typer.Typer(no_args_is_help=True)


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


@units_app.command("find")
def units_find(
    text: str = typer.Argument(..., help="Tên (mọi cách viết) hoặc mã. A name in any spelling, or a code."),
    scheme: str | None = typer.Option(None, "--scheme", help="vn2004 hoặc vn2025."),
    json_mode: bool = JsonOption,
) -> None:
    """Tìm đơn vị hành chính và các đơn vị cũ/mới tương ứng. Find units and their lineage."""
    with reporting(json_mode), open_session() as session:
        matches = find_units(session=session, text=text, scheme=scheme)
        data = [m.to_dict() for m in matches]
        if json_mode:
            emit_json(data=data, summary={"count": len(data)})
            return
        rows = []
        for m in matches:
            parent = m.parent.name if m.parent else ""
            links = m.successors or m.predecessors
            arrow = "→" if m.successors else "←"
            lineage = f"{arrow} " + ", ".join(f"{u.name} ({u.code})" for u in links) if links else ""
            if m.split:
                lineage += " [tách/split]"
            rows.append((m.unit.scheme, m.unit.code, m.unit.name, parent, lineage))
        console.print(table(f"Đơn vị hành chính: {text}", ["Hệ", "Mã", "Tên", "Thuộc", "Cũ → mới"], rows))
