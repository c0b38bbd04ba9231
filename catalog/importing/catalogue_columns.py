"""The columns of the catalogue workbook: sheets "Hộ sản xuất", "Sản phẩm", "Chứng nhận OCOP".

Each sheet declares its columns as :class:`~catalog.importing.table.ColumnSpec`; the template,
the export and the import all read these lists, so a header written by one is understood by the
others.  A single sheet with producer and product columns side by side (one row per product)
uses :data:`COMBINED_COLUMNS`.  A bad phone never costs its row (``soft``): the producer is
kept without it, with a warning, in this import and in the register's.
"""

from __future__ import annotations

import re
from decimal import Decimal

from catalog.errors import CatalogueValidationError
from catalog.importing import convert as cv
from catalog.importing.cells import Cell, cell_text
from catalog.importing.table import ColumnSpec
from catalog.measures import NET_UNITS, normalize_unit

PRODUCER_SHEET = "Hộ sản xuất"
PRODUCT_SHEET = "Sản phẩm"
OCOP_SHEET = "Chứng nhận OCOP"
SHEET_ALIASES = {
    "producers": (PRODUCER_SHEET, "Chủ thể", "Hộ", "HTX", "Producers", "Nhà sản xuất", "Cơ sở"),
    "products": (PRODUCT_SHEET, "Products", "Danh mục sản phẩm", "Hàng hóa", "Danh mục"),
    "certifications": (OCOP_SHEET, "OCOP", "Chứng nhận", "Certifications"),
}

_QTY = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([^\d\s].*)?$")
_DAYS = re.compile(r"^\s*(\d+)\s*(ngay|ngày|thang|tháng|nam|năm|days?|months?|years?)?\s*$", re.IGNORECASE)
_PERIOD_DAYS = {"ngay": 1, "ngày": 1, "day": 1, "days": 1, "thang": 30, "tháng": 30, "month": 30,
                "months": 30, "nam": 365, "năm": 365, "year": 365, "years": 365}


def net_quantity(value: Cell) -> tuple[Decimal, str | None]:
    """"500 g", "1,5 kg", "330ml" or a bare number → (quantity, unit or None)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cv.decimal()(value), None
    match = _QTY.match(cell_text(value))
    if not match:
        raise CatalogueValidationError("number.invalid", value=value)
    qty = cv.decimal()(match.group(1))
    if match.group(2) is None:
        return qty, None
    return qty, net_unit(match.group(2))


def net_unit(value: Cell) -> str:
    unit = normalize_unit(cell_text(value))
    if unit not in NET_UNITS:
        raise CatalogueValidationError("unit.unknown", value=value, allowed=", ".join(NET_UNITS))
    return unit


def weight_grams(value: Cell) -> int:
    """Grams: 500, "500 g", "0,5 kg"."""
    qty, unit = net_quantity(value)
    grams = qty * 1000 if unit in ("kg", "lít") else qty
    if grams != grams.to_integral_value():
        raise CatalogueValidationError("number.not_integer", value=value)
    return int(grams)


def shelf_life(value: Cell) -> int:
    """Days: 365, "12 tháng", "2 năm"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(cv.integer()(value))
    match = _DAYS.match(cell_text(value))
    if not match:
        raise CatalogueValidationError("number.invalid", value=value)
    return int(match.group(1)) * _PERIOD_DAYS.get((match.group(2) or "ngay").lower(), 1)


PRODUCT_STATUS = cv.choice({"dang ban": "active", "active": "active", "ban": "active", "con hang": "active",
                            "nhap": "draft", "draft": "draft", "ngung ban": "archived", "ngung": "archived",
                            "archived": "archived", "luu tru": "archived"}, "status.unknown")
CERT_STATUS = cv.choice({"con hieu luc": "active", "hieu luc": "active", "active": "active",
                         "het han": "expired", "expired": "expired", "thu hoi": "withdrawn",
                         "withdrawn": "withdrawn"}, "status.unknown")


def _spec(field: str, header: str, *aliases: str, en: str = "", comment: str = "", **kw: object) -> ColumnSpec:
    return ColumnSpec(field=field, header=header, aliases=aliases, header_en=en, comment=comment, **kw)  # type: ignore[arg-type]


PRODUCER_CODE = _spec("producer_code", "Mã chủ thể", "Mã hộ", "Mã HTX", "Mã THT", "Mã tổ hợp tác", "Mã cơ sở", "Mã NSX",
                      "producer code",
                      "producer", en="Producer code", convert=cv.code(),
                      comment="Mã riêng của hộ/HTX (tùy chọn). Để trống thì hệ thống tự cấp theo mã xã.")
PRODUCER_COLUMNS: list[ColumnSpec] = [
    PRODUCER_CODE,
    _spec("producer_name", "Tên chủ thể", "Tên hộ", "Tên HTX", "Tên cơ sở", "Hộ sản xuất", "Chủ thể",
          "Tên hộ sản xuất", "Tên chủ thể OCOP", "producer name", en="Producer name", convert=cv.text(200),
          comment="Tên hộ gia đình, hộ kinh doanh, HTX, tổ hợp tác hoặc doanh nghiệp."),
    _spec("kind", "Loại chủ thể", "Loại hình", "Loại hình chủ thể", "kind", en="Producer kind",
          convert=cv.producer_kind,
          comment="Hộ gia đình, Hộ kinh doanh, Hợp tác xã, Tổ hợp tác hoặc Doanh nghiệp."),
    _spec("representative", "Người đại diện", "Chủ hộ", "Đại diện", "Giám đốc", "representative",
          en="Representative", convert=cv.text(200), comment="Chủ hộ hoặc người đại diện theo pháp luật."),
    _spec("phone", "Số điện thoại", "Điện thoại", "SĐT", "ĐT", "Số ĐT", "Di động", "SĐT liên hệ",
          "Điện thoại liên hệ", "phone", en="Phone", convert=cv.phone, soft="import.phone_dropped",
          comment="Số di động 10 số, ví dụ 0912 345 678 (thiếu số 0 đầu vẫn đọc được)."),
    _spec("registration_code", "Mã số thuế", "MST", "Mã số doanh nghiệp", "Số ĐKKD", "Mã số HTX", "tax code",
          en="Registration or tax code", convert=cv.text(40), comment="Mã số thuế hoặc số đăng ký kinh doanh."),
    _spec("address", "Địa chỉ", "Thôn/bản", "Thôn", "Bản", "address", en="Address", convert=cv.text(300),
          comment="Thôn/bản và các chi tiết khác của địa chỉ."),
    _spec("commune", "Xã/phường", "Xã", "Phường", "Xã mới", "Xã/phường (2025)", "Mã xã", "Đơn vị hành chính",
          "commune", "ward", en="Commune or ward", convert=cv.text(100),
          comment="Xã/phường hiện nay (sau 1/7/2025) — tên hoặc mã. Ghi xã cũ cũng được: hệ thống tự đổi."),
    _spec("commune_old", "Xã cũ (trước 2025)", "Xã cũ", "Mã xã cũ", "old commune", en="Old commune",
          convert=cv.text(100), comment="Xã/phường/thị trấn trước ngày 1/7/2025 (tên hoặc mã) — nên ghi."),
    _spec("district_old", "Huyện (cũ)", "Huyện", "Huyện/thành phố", "Huyện cũ", "district", en="Old district",
          convert=cv.text(100), comment="Huyện cũ, dùng khi tên xã trùng với xã ở nơi khác."),
    _spec("province", "Tỉnh", "Tỉnh/thành phố", "province", en="Province", convert=cv.text(100),
          comment="Tỉnh (mặc định Thái Nguyên / Bắc Kạn cũ)."),
]

PRODUCT_OWN_COLUMNS: list[ColumnSpec] = [
    _spec("sku", "Mã SKU", "SKU", "Mã sản phẩm", "Mã SP", "Mã hàng", "Mã hàng hóa", "product code", "item code",
          en="SKU", convert=cv.sku, required=True, cache=False,
          comment="Mã sản phẩm của chủ thể: chữ không dấu, số, dấu - . _ (ví dụ MIEN-500). Không trùng nhau."),
    _spec("name", "Tên sản phẩm", "Tên SP", "Tên hàng", "Tên hàng hóa", "Tên mặt hàng", "Sản phẩm", "name",
          "product name", en="Product name", convert=cv.text(255), required=True, cache=False,
          comment="Tên đầy đủ như in trên bao bì."),
    _spec("description", "Mô tả", "Mô tả sản phẩm", "Thông tin sản phẩm", "description", en="Description",
          convert=cv.text(5000), cache=False, comment="Mô tả ngắn: nguồn gốc, thành phần, cách dùng."),
    _spec("category", "Ngành hàng OCOP", "Ngành hàng", "Nhóm sản phẩm", "Nhóm ngành", "Danh mục", "Phân nhóm",
          "Mã ngành hàng", "category", en="OCOP category", convert=cv.text(120),
          comment="Nhóm sản phẩm OCOP: mã (ví dụ 1.3.2) hoặc tên (ví dụ Chế biến từ gạo, ngũ cốc)."),
    _spec("unit", "Đơn vị tính", "ĐVT", "Đơn vị", "unit", en="Unit", convert=cv.unit,
          comment="kg, gói, hộp, chai, túi, lọ…"),
    _spec("net_qty", "Khối lượng tịnh", "Quy cách", "Định lượng", "Trọng lượng tịnh", "net quantity",
          en="Net quantity", convert=net_quantity, comment="Lượng trong một đơn vị bán, ví dụ 500 g, 1 kg, 500 ml."),
    _spec("net_unit", "Đơn vị khối lượng", "ĐV khối lượng", "net unit", en="Net unit", convert=net_unit,
          comment="g, kg, ml hoặc lít (nếu cột khối lượng tịnh chỉ ghi số)."),
    _spec("price", "Giá bán (đ)", "Giá", "Giá bán", "Đơn giá", "Giá bán lẻ", "Giá niêm yết", "price",
          en="Price (VND)", convert=cv.unit_price(), required=True,
          comment="Giá bán lẻ, đồng, số nguyên: 125000, 125.000 đ, 125k hoặc 125.000 đ/hộp đều được."),
    _spec("stock", "Tồn kho", "Số lượng", "Số lượng tồn", "SL tồn", "SL", "stock", "quantity", en="Stock",
          convert=cv.integer(), comment="Số đơn vị đang có. Chỉ dùng khi tạo mới sản phẩm (hoặc --set-stock)."),
    _spec("weight_g", "Khối lượng đóng gói (g)", "Cân nặng", "Trọng lượng", "Khối lượng cả bì", "weight",
          en="Shipping weight (g)", convert=weight_grams, comment="Khối lượng cả bao bì để tính phí vận chuyển, gam."),
    _spec("length_mm", "Dài (mm)", "Chiều dài", "length", en="Length (mm)", convert=cv.integer(),
          comment="Kích thước gói hàng, mi-li-mét."),
    _spec("width_mm", "Rộng (mm)", "Chiều rộng", "width", en="Width (mm)", convert=cv.integer(),
          comment="Kích thước gói hàng, mi-li-mét."),
    _spec("height_mm", "Cao (mm)", "Chiều cao", "height", en="Height (mm)", convert=cv.integer(),
          comment="Kích thước gói hàng, mi-li-mét."),
    _spec("barcode", "Mã vạch", "Mã vạch GTIN", "GTIN", "EAN", "barcode", en="Barcode", convert=cv.gtin,
          cache=False, comment="Mã vạch GTIN/EAN 8, 12, 13 hoặc 14 số (nếu có)."),
    _spec("shelf_life_days", "Hạn sử dụng (ngày)", "Hạn sử dụng", "HSD", "Hạn dùng", "shelf life",
          en="Shelf life (days)", convert=shelf_life, comment="Số ngày, hoặc ghi 12 tháng, 2 năm."),
    _spec("status", "Trạng thái", "status", en="Status", convert=PRODUCT_STATUS,
          comment="Đang bán, Nháp hoặc Ngừng bán."),
    _spec("images", "Ảnh", "Hình ảnh", "Ảnh sản phẩm", "Tên ảnh", "Link ảnh", "images", "image", "photo",
          en="Images", convert=cv.split_list, cache=False,
          comment="Tên tệp ảnh trong thư mục ảnh (cách nhau bởi dấu ;) hoặc đường link http(s). "
                  "Để trống: tìm SKU.jpg, SKU_2.jpg…"),
]

_CERT_DETAIL: list[ColumnSpec] = [
    _spec("stars", "Hạng sao OCOP", "Số sao", "Hạng sao", "Sao", "Xếp hạng OCOP", "OCOP", "stars",
          en="OCOP stars", convert=cv.stars, comment="3, 4 hoặc 5."),
    _spec("decision_no", "Số quyết định", "Quyết định", "Số QĐ", "Quyết định công nhận", "decision",
          en="Decision no.", convert=cv.decision_no, comment="Ví dụ 2616/QĐ-UBND."),
    _spec("decision_date", "Ngày quyết định", "Ngày QĐ", "Ngày công nhận", "Ngày cấp", "decision date",
          en="Decision date", convert=cv.excel_date, comment="Ngày ký quyết định, dạng ngày/tháng/năm."),
    _spec("issuing_level", "Cấp công nhận", "Cấp", "Cấp quyết định", "issuing level", en="Issuing level",
          convert=cv.text(40), comment="Huyện, Tỉnh hoặc Trung ương."),
    _spec("valid_until", "Hiệu lực đến", "Hết hạn", "Ngày hết hạn", "valid until", en="Valid until",
          convert=cv.excel_date, comment="Để trống: 36 tháng kể từ ngày quyết định."),
    _spec("score", "Điểm đánh giá", "Điểm", "score", en="Score", convert=cv.integer(maximum=100),
          comment="Tổng điểm 0–100 (nếu có)."),
]
CERT_COLUMNS: list[ColumnSpec] = [
    PRODUCER_CODE,
    _spec("sku", "Mã SKU", "SKU", "Mã sản phẩm", "Mã SP", "Mã hàng", en="SKU", convert=cv.sku, required=True,
          comment="Mã SKU của sản phẩm ở trang Sản phẩm."),
    *[ColumnSpec(s.field, s.header, s.aliases, s.convert, s.field in ("stars", "decision_date"), s.cache,
                 s.comment, s.header_en) for s in _CERT_DETAIL],
    _spec("cert_status", "Tình trạng", "Tình trạng chứng nhận", "certificate status", en="Certificate status",
          convert=CERT_STATUS, comment="Còn hiệu lực, Hết hạn hoặc Thu hồi."),
]
# What the template's product sheet shows; the import reads every product sheet with COMBINED_COLUMNS,
# so a product row may carry its producer's details (single-sheet files) or only a reference.
PRODUCT_COLUMNS: list[ColumnSpec] = [PRODUCER_CODE, PRODUCER_COLUMNS[1], *PRODUCT_OWN_COLUMNS]
COMBINED_COLUMNS: list[ColumnSpec] = [*PRODUCER_COLUMNS, *PRODUCT_OWN_COLUMNS, *_CERT_DETAIL]
