"""Listing packs: what a support worker needs to list one account's products by hand.

``build_pack`` writes into ``out``:

* ``<account>-pack.xlsx``: one row per listing, in the layout file's columns (title cut to the
  layout's length, plain-text description, price and stock after the channel's rules, weight,
  unit, category path from the category mapping, OCOP stars and decision, image file names),
  each row marked new / changed (with what changed) / unchanged since the last pack, or
  "removed" for a product packed before that is no longer on sale (archived, draft), and an
  empty URL column the worker fills in for :func:`connector.listings.bind.bind_from_pack`;
* ``<account>-images.zip``: the rows' images prepared in the layout's image profile (no
  metadata, so no GPS), named ``SKU_1.jpg``, ``SKU_2.jpg``…

``only_changed`` leaves the unchanged rows (and their images) out.  Each written row's values
are kept as the account's :class:`~connector.listings.models.PackSnapshot`; the session is
flushed, the caller commits.

    result = build_pack(session=session, account=account, out=Path("pack"))
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlmodel import Session, col, select

from catalog.categories import Category, CategoryMapping
from catalog.clock import local_today, utcnow
from catalog.codes import render
from catalog.errors import AgriConnectorError, CatalogueValidationError
from catalog.image_store import ImageStore
from catalog.images import ImageProfile, profile_named
from catalog.ocop import CertificationStatus, OcopCertification, default_valid_until
from catalog.producers import Producer
from catalog.products import Product, ProductStatus, product_images
from connector.accounts import MarketplaceAccount
from connector.listings.layouts import SellerLayout, load_layout
from connector.listings.models import PackSnapshot
from connector.listings.rows import (
    STATUS_WORDS,
    PackImage,
    RowStatus,
    compare,
    describe_changes,
    fingerprint,
    row_values,
)
from connector.settings import get_settings
from connector.sync import Binding, ChannelRules

Progress = Callable[[str, int, int | None], None]


@dataclass
class PackRow:
    product_id: int
    ref: str
    values: dict[str, Any]
    images: list[PackImage]
    status: RowStatus
    changed_fields: list[str]
    changes: str = ""
    url: str | None = None


@dataclass
class PackResult:
    account: str
    marketplace: str
    rows: list[PackRow]
    spreadsheet: Path
    images_zip: Path
    only_changed: bool
    problems: list[dict[str, Any]] = field(default_factory=list)  # {"ref", "code", "message"}

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in RowStatus}
        for row in self.rows:
            out[row.status.value] += 1
        return out

    @property
    def written(self) -> list[PackRow]:
        return [r for r in self.rows if not (self.only_changed and r.status is RowStatus.unchanged)]

    def summary(self) -> dict[str, Any]:
        return {"account": self.account, "marketplace": self.marketplace, "only_changed": self.only_changed,
                **self.counts(), "rows_written": len(self.written),
                "images": sum(len(r.images) for r in self.written), "problems": len(self.problems),
                "spreadsheet": str(self.spreadsheet), "images_zip": str(self.images_zip)}


def make_folder(out: Path) -> None:
    """Create ``out`` (and its parents) for writing, or refuse clearly (a file there, no permission)."""
    if out.exists() and not out.is_dir():
        raise CatalogueValidationError("listings.out_not_folder", path=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogueValidationError("listings.out_unwritable", path=str(out),
                                       detail=exc.strerror or type(exc).__name__) from exc


def build_pack(*, session: Session, account: MarketplaceAccount, out: Path, rules: ChannelRules | None = None,
               only_changed: bool = False, media_root: Path | None = None, today: date | None = None,
               lang: str = "vi", progress: Progress | None = None) -> PackResult:
    """Write the pack of ``account`` into the folder ``out``; see the module docstring.

    ``progress(stage, done, total)`` is called after each product (images are prepared on the
    first pack and read from the media store's cache afterwards)."""
    layout = load_layout(account.marketplace)
    rules = rules or ChannelRules.of(account)
    profile = profile_named(layout.image_profile)
    store = ImageStore(media_root or get_settings().media_dir)
    day = today or local_today()
    make_folder(out)
    result = PackResult(account=account.name, marketplace=account.marketplace, rows=[],
                        spreadsheet=out / f"{account.name}-pack.xlsx", images_zip=out / f"{account.name}-images.zip",
                        only_changed=only_changed)
    prepared: dict[str, Path] = {}
    try:
        _collect_rows(session, account, layout, rules, store, profile, day, result, prepared, lang, progress)
    finally:
        store.close()
    bound = {b.product_id: b.remote_url or b.remote_id for b in session.exec(
        select(Binding).where(Binding.account_id == account.id, col(Binding.remote_id).is_not(None)))}
    for row in result.rows:
        row.url = bound.get(row.product_id)
    _write_spreadsheet(result, layout, account, day)
    _write_zip(result, prepared)
    _save_snapshots(session, account, result)
    return result


def _collect_rows(session: Session, account: MarketplaceAccount, layout: SellerLayout, rules: ChannelRules,
                  store: ImageStore, profile: ImageProfile, day: date, result: PackResult,
                  prepared: dict[str, Path], lang: str, progress: Progress | None) -> None:
    producer = session.get(Producer, account.producer_id)
    assert producer is not None
    products = list(session.exec(select(Product).where(
        Product.producer_id == account.producer_id, Product.status == ProductStatus.active).order_by(col(Product.sku))))
    mappings = {m.category_code: m for m in session.exec(
        select(CategoryMapping).where(CategoryMapping.marketplace == account.marketplace))}
    snapshots = {s.product_id: s for s in session.exec(
        select(PackSnapshot).where(PackSnapshot.account_id == account.id))}
    for done, product in enumerate(products, start=1):
        assert product.id is not None
        ref = f"{producer.code}/{product.sku}"
        mapping = mappings.get(product.category_code or "")
        if product.category_code and mapping is None and product.category_code not in rules.category_overrides:
            result.problems.append(_problem(ref, "listings.category_unmapped", lang, category=product.category_code,
                                            marketplace=account.marketplace,
                                            name=_category_name(session, product.category_code)))
        stars, decision = _ocop(session, product, day)
        images = _images(session, product, store, profile, prepared, result, ref, lang)
        values = row_values(product=product, ref=ref, layout=layout, rules=rules,
                            category_path=(mapping.remote_path or mapping.remote_id) if mapping else None,
                            category_id=mapping.remote_id if mapping else None, stars=stars, decision=decision,
                            images=images)
        previous = snapshots.get(product.id)
        status, fields = compare(previous.values if previous else None, values)
        changes = describe_changes(layout, previous.values, values, fields) if previous else ""
        result.rows.append(PackRow(product.id, ref, values, images, status, fields, changes))
        if not images:
            result.problems.append(_problem(ref, "listings.no_images", lang))
        if progress is not None:
            progress(account.name, done, len(products))
    _removed_rows(session, producer, snapshots, {p.id for p in products}, result)


def _removed_rows(session: Session, producer: Producer, snapshots: dict[int, PackSnapshot], active: set[int | None],
                  result: PackResult) -> None:
    """Rows for the products a previous pack listed that are off sale now (archived, back to draft)."""
    for product_id, snapshot in sorted(snapshots.items()):
        if product_id in active:
            continue
        product = session.get(Product, product_id)
        status = product.status.value if product else "deleted"
        result.rows.append(PackRow(product_id, f"{producer.code}/{snapshot.values.get('sku')}", dict(snapshot.values),
                                   [], RowStatus.removed, [], f"ngừng bán ({status})"))


def _problem(ref: str, code: str, lang: str, **params: Any) -> dict[str, Any]:
    return {"ref": ref, "code": code, "message": render(code, lang, params)}


def _category_name(session: Session, code: str) -> str:
    category = session.get(Category, code)
    return category.name if category else code


def _ocop(session: Session, product: Product, day: date) -> tuple[int | None, str | None]:
    """The stars in force on ``day`` and the decision that granted them (``"2616/QĐ-UBND ngày 29/12/2021"``)."""
    certs = session.exec(select(OcopCertification).where(OcopCertification.product_id == product.id)).all()
    valid = [c for c in certs if c.status != CertificationStatus.withdrawn and c.decision_date <= day
             < (c.valid_until or default_valid_until(c.decision_date))]
    if not valid:
        return None, None
    best = max(valid, key=lambda c: (c.stars, c.decision_date))
    when = best.decision_date.strftime("%d/%m/%Y")
    return best.stars, f"{best.decision_no} ngày {when}" if best.decision_no else f"ngày {when}"


def _images(session: Session, product: Product, store: ImageStore, profile: ImageProfile,
            prepared: dict[str, Path], result: PackResult, ref: str, lang: str) -> list[PackImage]:
    out: list[PackImage] = []
    for image in product_images(session=session, product=product)[:profile.max_count]:
        try:
            variant = store.prepared_for(image.sha256, profile)
        except AgriConnectorError as error:
            result.problems.append({"ref": ref, "code": error.code, "message": error.message(lang)})
            continue
        name = f"{product.sku}_{len(out) + 1}.{variant.extension}"
        # the variant's file in the store, not its bytes: a large pack is zipped one image at a time
        prepared[name] = store.find_prepared(variant.sha256, variant.extension) or store.write_prepared(variant)
        out.append(PackImage(name=name, sha256=variant.sha256))
    return out


def _cell(row: PackRow, field_name: str) -> Any:
    if field_name == "status":
        return STATUS_WORDS[row.status]
    if field_name == "changes":
        return row.changes
    if field_name == "url":
        return row.url
    if field_name == "images":
        return ", ".join(image.name for image in row.images)
    return row.values.get(field_name)


def _write_spreadsheet(result: PackResult, layout: SellerLayout, account: MarketplaceAccount, day: date) -> None:
    book = xlsxwriter.Workbook(str(result.spreadsheet), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "top"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        money = book.add_format({"num_format": "#,##0", "valign": "top"})
        marks = {RowStatus.new: book.add_format({"bg_color": "#E2EFDA", "valign": "top"}),
                 RowStatus.changed: book.add_format({"bg_color": "#FFF2CC", "valign": "top"}),
                 RowStatus.unchanged: book.add_format({"valign": "top"}),
                 RowStatus.removed: book.add_format({"bg_color": "#F8CBAD", "valign": "top"})}
        sheet = book.add_worksheet(layout.pack_sheet)
        for c, column in enumerate(layout.pack_columns):
            sheet.write_string(0, c, column.header, header)
            sheet.set_column(c, c, column.width)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(result.written, start=1):
            for c, column in enumerate(layout.pack_columns):
                value = _cell(row, column.field)
                if value is None or value == "":
                    continue
                style = marks[row.status] if column.field in ("status", "changes") else (
                    money if column.field == "price" else wrap)
                if isinstance(value, int):
                    sheet.write_number(r, c, value, style)
                else:
                    sheet.write_string(r, c, str(value), style)
        about = book.add_worksheet("Thong tin")
        lines = [("Tài khoản / account", account.name), ("Sàn / marketplace", layout.label),
                 ("Trang người bán / seller centre", layout.seller_centre or ""),
                 ("Ngày lập / made on", day.strftime("%d/%m/%Y")),
                 ("Tệp ảnh / images", result.images_zip.name),
                 *((f"{STATUS_WORDS[s]} / {s.value}", str(n)) for s, n in
                   ((RowStatus(k), v) for k, v in result.counts().items()))]
        for r, (label, value) in enumerate(lines):
            about.write_string(r, 0, label, header)
            about.write_string(r, 1, value)
        about.set_column(0, 1, 36)
    finally:
        book.close()


def _write_zip(result: PackResult, prepared: dict[str, Path]) -> None:
    with zipfile.ZipFile(result.images_zip, "w", compression=zipfile.ZIP_STORED) as archive:
        for row in result.written:
            for image in row.images:
                archive.write(prepared[image.name], arcname=image.name)


def _save_snapshots(session: Session, account: MarketplaceAccount, result: PackResult) -> None:
    assert account.id is not None
    existing = {s.product_id: s for s in session.exec(
        select(PackSnapshot).where(PackSnapshot.account_id == account.id))}
    now = utcnow()
    for row in result.written:
        if row.status is RowStatus.unchanged:
            continue
        if row.status is RowStatus.removed:  # said once; packed again as new if it comes back
            session.delete(existing[row.product_id])
            continue
        snapshot = existing.get(row.product_id) or PackSnapshot(account_id=account.id, product_id=row.product_id,
                                                                fingerprint="")
        snapshot.values, snapshot.fingerprint, snapshot.packed_at = row.values, fingerprint(row.values), now
        session.add(snapshot)
    session.flush()
