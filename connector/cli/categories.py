"""``agri categories``: the OCOP taxonomy and its mapping to each marketplace's categories.

The sync engine blocks a listing whose category has no mapping on that marketplace, and listing
packs show the mapped category path, so a support worker maps each OCOP category once per
marketplace: one by one (``map``) or from a two-column file (``map-file``).
"""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session, select

from catalog.categories import Category, CategoryMapping, leaf_categories, resolve_category, set_category_mapping
from catalog.errors import CatalogueValidationError
from catalog.importing import cell_text, open_book
from catalog.text import fold, nfc
from connector.cli.context import open_session
from connector.cli.output import ExitCode, JsonOption, emit_json, finish, reporting
from connector.console import console, table

categories_app = typer.Typer(no_args_is_help=True)


@categories_app.command("list")
def categories_list(
    marketplace: str | None = typer.Option(None, "--marketplace", "-m",
                                           help="Hiện mã ngành hàng trên sàn này. Show this marketplace's ids."),
    json_mode: bool = JsonOption,
) -> None:
    """Liệt kê ngành hàng OCOP (và mã trên sàn). List the OCOP categories (and their marketplace ids)."""
    with reporting(json_mode), open_session() as session:
        leaves = leaf_categories(session=session)
        mapped: dict[str, CategoryMapping] = {}
        if marketplace:
            marketplace = _known_marketplace(session, marketplace)
            query = select(CategoryMapping).where(CategoryMapping.marketplace == marketplace)
            mapped = {m.category_code: m for m in session.exec(query)}
        data = [{"code": c.code, "name": c.name, "name_en": c.name_en,
                 "remote_id": mapped[c.code].remote_id if c.code in mapped else None,
                 "remote_path": mapped[c.code].remote_path if c.code in mapped else None} for c in leaves]
        summary = {"count": len(data), "mapped": sum(1 for d in data if d["remote_id"])}
        if json_mode:
            emit_json(data=data, summary=summary)
            return
        headers = ["Mã", "Ngành hàng", "Category"] + ([f"Mã trên {marketplace}", "Đường dẫn"] if marketplace else [])
        rows = [[d["code"], d["name"], d["name_en"], *([d["remote_id"] or "—", d["remote_path"] or ""]
                                                       if marketplace else [])] for d in data]
        console.print(table(f"Ngành hàng OCOP ({len(rows)})", headers, rows))
        if marketplace and summary["mapped"] < summary["count"]:
            console.print(f"{summary['count'] - summary['mapped']} ngành hàng chưa gắn mã trên {marketplace}: "
                          "sản phẩm thuộc các ngành này sẽ bị chặn khi đồng bộ.")


@categories_app.command("map")
def categories_map(
    marketplace: str = typer.Argument(..., help="Sàn (voso, postmart, generic…). Marketplace."),
    category: str = typer.Argument(..., help="Mã hoặc tên ngành hàng OCOP, ví dụ 1.3.2. OCOP category."),
    remote_id: str = typer.Argument(..., help="Mã ngành hàng trên sàn. The marketplace's category id."),
    path: str | None = typer.Option(None, "--path", help="Đường dẫn ngành hàng trên sàn, cho gói đăng bán. "
                                                        "The marketplace's category path, for listing packs."),
    json_mode: bool = JsonOption,
) -> None:
    """Gắn một ngành hàng OCOP với ngành hàng trên sàn. Map one OCOP category to a marketplace category."""
    with reporting(json_mode), open_session() as session:
        marketplace = _known_marketplace(session, marketplace)
        found = resolve_category(session=session, value=category)
        if not remote_id.strip():
            raise CatalogueValidationError("value.required", column="remote_id")
        mapping = set_category_mapping(session=session, category_code=found.code, marketplace=marketplace,
                                       remote_id=nfc(remote_id.strip()), remote_path=nfc(path) if path else None)
        session.commit()
        data = mapping.model_dump(exclude={"id"})
        if json_mode:
            emit_json(data=data)
            return
        console.print(f"Đã gắn {found.code} {found.name} → {marketplace} {mapping.remote_id}")


@categories_app.command("map-file")
def categories_map_file(
    marketplace: str = typer.Argument(..., help="Sàn. Marketplace."),
    file: Path = typer.Argument(..., help="Tệp .csv hoặc .xlsx: ngành hàng OCOP, mã trên sàn[, đường dẫn]. "
                                "CSV or .xlsx: category, remote id[, path]."),
    json_mode: bool = JsonOption,
) -> None:
    """Gắn nhiều ngành hàng từ tệp CSV (dòng lỗi được báo, dòng đúng vẫn lưu).
    Map categories from a CSV file (bad rows are reported, good ones kept)."""
    with reporting(json_mode), open_session() as session:
        marketplace = _known_marketplace(session, marketplace)
        errors: list[dict[str, object]] = []
        saved = rows = 0
        # read as the importers read (encoding, delimiter, .xlsx, a photo or a damaged file refused clearly)
        with open_book(file) as book:
            for name in book.sheet_names:
                for number, row in enumerate(book.sheet(name).rows, start=1):
                    cells = [nfc(cell_text(c)).strip() for c in row]
                    if not any(cells) or (number == 1 and fold(cells[0]) in {"category", "nganh hang"}):
                        continue
                    rows += 1
                    try:
                        if len(cells) < 2 or not cells[1]:
                            raise CatalogueValidationError("value.required", column="remote_id")
                        found: Category = resolve_category(session=session, value=cells[0])
                        set_category_mapping(session=session, category_code=found.code, marketplace=marketplace,
                                             remote_id=cells[1], remote_path=cells[2] if len(cells) > 2 and cells[2]
                                             else None)
                        saved += 1
                    except CatalogueValidationError as error:
                        errors.append(error.located(sheet=name, row=number, column=None).to_dict())
        if rows == 0:
            raise CatalogueValidationError("import.sheet_empty", sheet=file.name)
        session.commit()
        summary = {"saved": saved, "errors": len(errors)}
        if json_mode:
            emit_json(data=None, errors=errors, summary=summary, ok=not errors)
        else:
            console.print(f"Đã gắn {saved} ngành hàng trên {marketplace}.")
            for problem in errors:
                console.print(f"[red]dòng {problem.get('row')}[/]: {problem['message']}")
        finish(ExitCode.PARTIAL if errors else ExitCode.OK)


def _known_marketplace(session: Session, marketplace: str) -> str:
    """``marketplace`` when some adapter, layout file, account or mapping knows it (a typo would
    save a mapping that nothing ever uses); ``listings.marketplace_unknown`` otherwise."""
    from adapters.registry import adapter_keys
    from connector.accounts import MarketplaceAccount
    from connector.listings import layout_names

    key = marketplace.strip().lower()
    known = set(adapter_keys()) | set(layout_names())
    known |= set(session.exec(select(MarketplaceAccount.marketplace).distinct()))
    known |= set(session.exec(select(CategoryMapping.marketplace).distinct()))
    if key not in known:
        raise CatalogueValidationError("listings.marketplace_unknown", value=marketplace,
                                       allowed=", ".join(sorted(known)))
    return key
