"""The few operations the pages need that are compositions of the catalogue and register services.

* :func:`add_product_photo` stores a phone photo in the image store and appends it to a product
  (content version bumped, as the importer does when a product's photo set changes).
* :func:`register_household` writes the field form's one row in the register's own layout and
  runs it through :func:`connector.onboarding.importer.import_register`, so a household typed on
  a phone is matched, deduplicated and held for merge exactly as a row of a team's file.
* :func:`province_counts` and :func:`province_workbook` aggregate without personal data.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import func
from sqlmodel import Session, col, select

from catalog.clock import local_today, utcnow
from catalog.errors import CatalogueValidationError
from catalog.image_store import ImageStore
from catalog.images import DEFAULT_PROFILE, open_image
from catalog.producers import Producer
from catalog.products import Product, ProductImage, product_images
from connector.accounts import MarketplaceAccount, platform_of_columns
from connector.onboarding import (
    REGISTER_COLUMNS,
    REGISTER_SHEET,
    FunnelReport,
    RegisterImport,
    TrainingRecord,
    funnel_table,
    import_register,
    load_geography,
    platform_label,
)

MAX_PHOTOS = 9


def add_product_photo(*, session: Session, store: ImageStore, product: Product, data: bytes) -> ProductImage:
    """Append a photo to ``product``; refuses what is not an image (``image.*`` codes)."""
    with open_image(data) as img:
        width, height, fmt = img.width, img.height, img.format or "?"
    if width * height > DEFAULT_PROFILE.max_pixels:  # it could never be prepared: refuse it before it takes a slot
        raise CatalogueValidationError("image.too_many_pixels", pixels=width * height,
                                       max=DEFAULT_PROFILE.max_pixels)
    existing = product_images(session=session, product=product)
    if len(existing) >= MAX_PHOTOS:
        raise CatalogueValidationError("import.too_many_images", max=MAX_PHOTOS)
    sha, _ext = store.put_original(data)
    assert product.id is not None
    image = ProductImage(product_id=product.id, position=max((i.position for i in existing), default=0) + 1,
                         sha256=sha, size_bytes=len(data), width=width, height=height, format=fmt[:8])
    product.content_version += 1
    product.updated_at = utcnow()
    session.add_all([image, product])
    session.flush()
    return image


def photo_url(*, store: ImageStore, sha256: str, media_prefix: str) -> str | None:
    """The URL of a prepared (GPS-free, resized) variant of a stored original, made on first use."""
    try:
        prepared = store.prepared_for(sha256, DEFAULT_PROFILE)
    except CatalogueValidationError:
        return None
    return f"{media_prefix}/{prepared.sha256}.{prepared.extension}"


@dataclass
class FieldEntry:
    """One household as the field form takes it; training and account are optional."""

    name: str
    phone: str
    commune: str
    village: str = ""
    member_name: str = ""
    member_phone: str = ""
    training_date: date | None = None
    training_topic: str = ""
    platform: str = ""
    shop: str = ""
    opened_on: date | None = None

    def cells(self) -> dict[str, str]:
        out = {"producer_name": self.name, "phone": self.phone, "commune": self.commune, "address": self.village,
               "member_name": self.member_name, "member_phone": self.member_phone,
               "training_date": self.training_date.strftime("%d/%m/%Y") if self.training_date else "",
               "training_topic": self.training_topic if self.training_date else "",
               "platform": self.platform, "shop": self.shop if self.platform else "",
               "opened_on": self.opened_on.strftime("%d/%m/%Y") if self.opened_on and self.platform else ""}
        out["registered_on"] = local_today().strftime("%d/%m/%Y")
        return out


def register_household(*, session: Session, entry: FieldEntry, actor: str, lang: str = "vi") -> RegisterImport:
    """Run the field form's row through the register import (same matching, same merge candidates).

    The import is flushed, not committed: the request's session commits it when the page is done."""
    if not entry.name.strip() or not entry.phone.strip():
        raise CatalogueValidationError("value.required", column="phone" if entry.name.strip() else "name")
    cells = entry.cells()
    specs = [s for s in REGISTER_COLUMNS if s.field in cells]
    with tempfile.TemporaryDirectory(prefix="agri-field-") as tmp:
        path = Path(tmp) / f"{REGISTER_SHEET} (web).csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([s.header for s in specs])
            writer.writerow([cells[s.field] for s in specs])
        return import_register(session=session, paths=[path], lang=lang, actor=actor, commit=False)


@dataclass
class ProvinceCounts:
    producers: int = 0
    products: int = 0
    accounts: int = 0
    trainings: int = 0
    products_by_district: list[tuple[str, int]] = field(default_factory=list)
    accounts_by_platform: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"producers": self.producers, "products": self.products, "accounts": self.accounts,
                "trainings": self.trainings,
                "products_by_district": [{"district": d, "products": n} for d, n in self.products_by_district],
                "accounts_by_platform": [{"platform": p, "accounts": n} for p, n in self.accounts_by_platform]}


def _count(session: Session, model: Any) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def province_counts(*, session: Session) -> ProvinceCounts:
    """Counts of producers, products, accounts, trainings; products by old district (vn2004)."""
    out = ProvinceCounts(producers=_count(session, Producer), products=_count(session, Product),
                         accounts=_count(session, MarketplaceAccount), trainings=_count(session, TrainingRecord))
    geo = load_geography(session=session)
    by_district: Counter[str] = Counter()
    rows = session.exec(select(Producer.unit_vn2025, Producer.unit_vn2004, func.count(col(Product.id)))
                        .join(Product, col(Product.producer_id) == col(Producer.id))
                        .group_by(col(Producer.unit_vn2025), col(Producer.unit_vn2004)))
    for new, old, n in rows:
        by_district[geo.place("district", new, old).label] += int(n)
    out.products_by_district = sorted(by_district.items(), key=lambda kv: (-kv[1], kv[0]))
    platforms: Counter[str] = Counter()
    for marketplace, profile, n in session.exec(
            select(MarketplaceAccount.marketplace, MarketplaceAccount.profile, func.count())
            .group_by(col(MarketplaceAccount.marketplace), col(MarketplaceAccount.profile))):
        platforms[platform_label(platform_of_columns(marketplace, profile))] += int(n)
    out.accounts_by_platform = sorted(platforms.items(), key=lambda kv: -kv[1])
    return out


def province_workbook(out: Path, *, counts: ProvinceCounts, funnel: FunnelReport, lang: str = "vi",
                      turnover: list[tuple[str, list[Any]]] | None = None) -> Path:
    """The dashboard as one .xlsx: indicators, the funnel, products by district, turnover when present."""
    vi = lang != "en"
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
    sheet = book.add_worksheet("Chỉ tiêu" if vi else "Indicators")
    sheet.write_string(0, 0, ("Số liệu tổng hợp, không có dữ liệu cá nhân" if vi
                              else "Aggregate counts, no personal data"), bold)
    rows = [("Hộ sản xuất / chủ thể" if vi else "Producers", counts.producers),
            ("Sản phẩm" if vi else "Products", counts.products),
            ("Tài khoản sàn" if vi else "Marketplace accounts", counts.accounts),
            ("Lượt tập huấn" if vi else "Trainings", counts.trainings)]
    for r, (label, value) in enumerate(rows, start=2):
        sheet.write_string(r, 0, label)
        sheet.write_number(r, 1, value)
    sheet.set_column(0, 0, 40)
    sheet = book.add_worksheet("Sản phẩm theo huyện" if vi else "Products by district")
    sheet.write_row(0, 0, ["Huyện (cũ)" if vi else "District (old)", "Sản phẩm" if vi else "Products"], head)
    for r, (district, n) in enumerate(counts.products_by_district, start=1):
        sheet.write_string(r, 0, district)
        sheet.write_number(r, 1, n)
    sheet.set_column(0, 0, 50)
    headers, table = funnel_table(funnel, lang=lang)
    sheet = book.add_worksheet("Phễu" if vi else "Funnel")
    sheet.write_string(0, 0, f"{'Kỳ' if vi else 'Period'}: {funnel.period.label}", bold)
    sheet.write_row(2, 0, headers, head)
    for r, line in enumerate(table, start=3):
        for c, value in enumerate(line):
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, str(value))
    sheet.set_column(0, max(len(funnel.dimensions) - 1, 0), 36)
    for title, lines in turnover or []:
        sheet = book.add_worksheet(title[:31])
        for r, line in enumerate(lines):
            for c, value in enumerate(line):
                if isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, str(value))
    book.close()
    return out
