"""The error-code registry: one stable dotted code per kind of problem, with its message in
Vietnamese (the default) and English.

Imports, the CLI, the web app and its JSON API all render messages from here, so a support
worker sees the same words everywhere.  Messages are ``str.format`` templates over the error's
parameters; a missing parameter renders as ``?`` rather than failing.

Each area keeps its own section below; codes are never renamed once released (scripts match on
them).  ``docs/ERRORS.md`` lists them and a test keeps it in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# code: (Vietnamese, English)
_GENERAL: dict[str, tuple[str, str]] = {
    "internal.error": ("Lỗi không mong đợi: {detail}", "Unexpected error: {detail}"),
    "config.invalid": ("Cấu hình không hợp lệ: {detail}", "Invalid configuration: {detail}"),
    "config.secret_key_missing": (
        "Chưa đặt khóa bí mật AGRI_SECRET_KEY nên không thể lưu thông tin đăng nhập sàn.",
        "AGRI_SECRET_KEY is not set, so marketplace credentials cannot be stored.",
    ),
    "config.secret_key_invalid": (
        "Khóa AGRI_SECRET_KEY không đúng hoặc đã đổi: không giải mã được thông tin đăng nhập.",
        "AGRI_SECRET_KEY is wrong or has changed: stored credentials cannot be decrypted.",
    ),
    "db.unavailable": ("Không kết nối được cơ sở dữ liệu: {detail}", "Cannot reach the database: {detail}"),
    "db.outdated": (
        "Cơ sở dữ liệu chưa được khởi tạo hoặc cần nâng cấp: hãy chạy `agri init`.",
        "The database is not initialised or needs an upgrade: run `agri init`.",
    ),
    "entity.not_found": ("Không tìm thấy {entity} '{key}'.", "{entity} '{key}' not found."),
    "conflict": ("Xung đột: {detail}", "Conflict: {detail}"),
    "usage.invalid": ("Cách dùng không đúng: {detail}", "Invalid usage: {detail}"),
    "file.unreadable": ("Không đọc được tệp {path}: {detail}", "Cannot read file {path}: {detail}"),
}

_VALUES: dict[str, tuple[str, str]] = {
    "value.invalid": ("Giá trị không hợp lệ: '{value}'.", "Invalid value: '{value}'."),
    "value.required": ("Thiếu giá trị bắt buộc.", "A required value is missing."),
    "text.too_long": ("Quá dài: tối đa {max} ký tự.", "Too long: at most {max} characters."),
    "price.invalid": ("Giá '{value}' không đọc được thành số tiền (đồng).", "Price '{value}' is not an amount in đồng."),
    "price.fraction": (
        "Giá '{value}' có phần lẻ của đồng; tiền Việt Nam không có số lẻ.",
        "Price '{value}' has a fraction of a đồng; VND has no minor unit.",
    ),
    "price.negative": ("Giá '{value}' là số âm.", "Price '{value}' is negative."),
    "price.absurd": (
        "Giá '{value}' lớn bất thường (trên {max} đ); hãy kiểm tra lại.",
        "Price '{value}' is implausibly large (over {max} đ); please check it.",
    ),
    "number.invalid": ("'{value}' không phải là số.", "'{value}' is not a number."),
    "number.not_integer": ("'{value}' phải là số nguyên.", "'{value}' must be a whole number."),
    "number.negative": ("'{value}' không được âm.", "'{value}' must not be negative."),
    "phone.invalid": ("Số điện thoại '{value}' không hợp lệ.", "Phone number '{value}' is not valid."),
    "date.invalid": (
        "Ngày '{value}' không hợp lệ (dùng dạng ngày/tháng/năm, ví dụ 29/12/2021).",
        "Date '{value}' is not valid (use dd/mm/yyyy, e.g. 29/12/2021).",
    ),
    "gtin.invalid": ("Mã vạch '{value}' sai số kiểm tra.", "Barcode '{value}' has a wrong check digit."),
    "unit.unknown": (
        "Đơn vị tính '{value}' không được hỗ trợ (dùng: {allowed}).",
        "Unknown unit '{value}' (use one of: {allowed}).",
    ),
    "stars.invalid": ("Hạng sao OCOP phải từ 3 đến 5, không phải '{value}'.", "OCOP stars must be 3 to 5, not '{value}'."),
    "producer_kind.unknown": (
        "Loại chủ thể '{value}' không hợp lệ (dùng: {allowed}).",
        "Unknown producer kind '{value}' (use one of: {allowed}).",
    ),
    "status.unknown": ("Trạng thái '{value}' không hợp lệ.", "Unknown status '{value}'."),
    "category.unknown": ("Không có ngành hàng '{value}'.", "Unknown category '{value}'."),
    "admin_unit.unknown": (
        "Không tìm thấy đơn vị hành chính '{value}' (tên gần giống: {closest}).",
        "Administrative unit '{value}' not found (closest names: {closest}).",
    ),
    "admin_unit.ambiguous": (
        "'{value}' khớp nhiều đơn vị hành chính: {candidates}.",
        "'{value}' matches several administrative units: {candidates}.",
    ),
    "sku.duplicate": ("Mã SKU '{value}' đã có cho chủ thể này.", "SKU '{value}' already exists for this producer."),
    "sku.invalid": ("Mã SKU '{value}' không hợp lệ.", "SKU '{value}' is not valid."),
    "producer.code_duplicate": ("Mã chủ thể '{value}' đã tồn tại.", "Producer code '{value}' already exists."),
    "product.ref_invalid": (
        "'{value}' không đúng dạng MÃ_CHỦ_THỂ/SKU.",
        "'{value}' is not of the form PRODUCER/SKU.",
    ),
}

_IMPORT: dict[str, tuple[str, str]] = {
    "import.file_type": (
        "Không nhận dạng được loại tệp '{path}' (dùng .xlsx, .ods hoặc .csv).",
        "Unsupported file type '{path}' (use .xlsx, .ods or .csv).",
    ),
    "import.file_is_xls": (
        "Tệp '{path}' là tệp Excel cũ (.xls) được đổi tên; hãy mở bằng Excel và lưu lại dạng .xlsx.",
        "'{path}' is an old Excel .xls file renamed; open it in Excel and save it as .xlsx.",
    ),
    "import.file_corrupt": ("Tệp '{path}' bị hỏng hoặc không đúng định dạng: {detail}",
                            "File '{path}' is damaged or not in its format: {detail}"),
    "import.file_encrypted": ("Tệp '{path}' có mật khẩu; hãy bỏ mật khẩu rồi tải lên lại.",
                              "'{path}' is password-protected; remove the password and upload it again."),
    "import.zip_bomb": (
        "Tệp nén '{path}' quá lớn khi giải nén ({detail}); đã từ chối.",
        "Archive '{path}' expands to too much data ({detail}); refused.",
    ),
    "import.no_sheets": (
        "Không tìm thấy trang nào có cột nhận dạng được (cần ví dụ: {columns}).",
        "No sheet has recognisable columns (expected e.g. {columns}).",
    ),
    "import.sheet_empty": ("Trang '{sheet}' không có dữ liệu.", "Sheet '{sheet}' has no data."),
    "import.header_missing": (
        "Trang '{sheet}': không tìm thấy dòng tiêu đề có cột bắt buộc {columns}.",
        "Sheet '{sheet}': no header row with the required columns {columns}.",
    ),
    "import.column_unknown": ("Cột '{column}' không nhận dạng được nên được bỏ qua.",
                              "Column '{column}' is not recognised and was ignored."),
    "import.column_duplicate": ("Cột '{column}' lặp lại ý nghĩa của cột '{other}'; chỉ dùng cột đầu.",
                                "Column '{column}' repeats column '{other}'; only the first is used."),
    "import.nul_byte": ("Dòng có ký tự NUL (tệp bị hỏng?); cả dòng bị bỏ qua.",
                        "The row contains a NUL character (damaged file?); the row was skipped."),
    "import.bad_bytes": ("Có byte không đọc được theo bảng mã {encoding}; hãy kiểm tra lại chữ.",
                         "Some bytes are not valid {encoding}; check the text."),
    "import.legacy_text": ("Chữ mã {encoding} cũ đã được chuyển sang Unicode: '{converted}'.",
                           "Legacy {encoding} text converted to Unicode: '{converted}'."),
    "import.sku_repeated": ("SKU '{value}' lặp lại trong tệp (đã có ở dòng {first_row}).",
                            "SKU '{value}' appears twice in the file (first at row {first_row})."),
    "import.producer_repeated": ("Chủ thể '{value}' lặp lại trong tệp với thông tin khác (dòng {first_row}).",
                                 "Producer '{value}' appears twice with different details (row {first_row})."),
    "import.producer_unknown": ("Không có chủ thể '{value}' trong tệp hoặc cơ sở dữ liệu.",
                                "No producer '{value}' in the file or the database."),
    "import.producer_needed": ("Dòng sản phẩm không ghi chủ thể (mã, số điện thoại hoặc tên).",
                               "The product row names no producer (code, phone or name)."),
    "import.merge_candidate": (
        "Chủ thể '{value}' có cùng số điện thoại với {candidates} nhưng khác tên; chưa nhập, "
        "cần người kiểm tra (sửa mã chủ thể hoặc tên cho đúng).",
        "Producer '{value}' shares a phone with {candidates} under another name; not imported, "
        "a person must decide (fix the producer code or name).",
    ),
    "import.producer_rejected": ("Chủ thể của dòng này bị lỗi ở dòng {first_row}; dòng chưa được nhập.",
                                 "This row's producer has an error at row {first_row}; the row was not imported."),
    "import.product_unknown": ("Không có sản phẩm '{value}' trong tệp hoặc cơ sở dữ liệu.",
                               "No product '{value}' in the file or the database."),
    "import.decision_missing": ("Thiếu số hoặc ngày quyết định công nhận OCOP.",
                                "The OCOP decision number or date is missing."),
    "import.valid_until_early": ("Ngày hết hiệu lực {value} trước ngày quyết định.",
                                 "Expiry date {value} is before the decision date."),
    "import.image_missing": ("Không tìm thấy ảnh '{value}' trong thư mục/tệp nén ảnh.",
                             "Image '{value}' not found in the images folder or archive."),
    "import.image_invalid": ("Ảnh '{value}' không dùng được: {detail}", "Image '{value}' cannot be used: {detail}"),
    "import.image_unsafe_path": ("Tệp '{value}' trong tệp nén có đường dẫn không an toàn; đã bỏ qua.",
                                 "Archive entry '{value}' has an unsafe path; ignored."),
    "import.image_url": ("Không tải được ảnh từ '{value}': {detail}", "Cannot fetch image '{value}': {detail}"),
    "import.images_unavailable": ("Không dùng được ảnh: {detail}", "Images cannot be used: {detail}"),
    "import.too_many_images": ("Quá {max} ảnh cho một sản phẩm; các ảnh sau bị bỏ qua.",
                               "More than {max} images for one product; the rest were ignored."),
    "import.all_or_nothing": (
        "Chế độ 'tất cả hoặc không': có {count} dòng lỗi nên không nhập dòng nào.",
        "All-or-nothing mode: {count} rows have errors, so nothing was imported.",
    ),
    "import.mode_unknown": ("Chế độ '{value}' không hợp lệ (dùng keep-valid hoặc all-or-nothing).",
                            "Unknown mode '{value}' (use keep-valid or all-or-nothing)."),
}
_IMAGES: dict[str, tuple[str, str]] = {}
_MARKET: dict[str, tuple[str, str]] = {
    "market.error": ("Lỗi từ sàn {marketplace}: {detail}", "Marketplace {marketplace} error: {detail}"),
    "market.retriable": ("Sàn {marketplace} tạm thời lỗi: {detail}", "Marketplace {marketplace} failed temporarily: {detail}"),
    "market.rate_limited": (
        "Sàn {marketplace} yêu cầu gửi chậm lại.",
        "Marketplace {marketplace} asked us to slow down.",
    ),
    "market.fatal": ("Sàn {marketplace} từ chối: {detail}", "Marketplace {marketplace} refused: {detail}"),
    "market.auth": (
        "Sàn {marketplace} không chấp nhận thông tin đăng nhập.",
        "Marketplace {marketplace} did not accept the credentials.",
    ),
    "market.auth_expired": ("Phiên đăng nhập sàn {marketplace} đã hết hạn.", "The {marketplace} session expired."),
    "market.rejected": ("Sàn {marketplace} từ chối sản phẩm: {detail}", "Marketplace {marketplace} rejected the listing: {detail}"),
    "market.not_found": ("Sàn {marketplace} không còn bản ghi '{key}'.", "Marketplace {marketplace} has no record '{key}'."),
    "market.skippable": ("Bỏ qua một bản ghi từ sàn {marketplace}: {detail}", "Skipped one record from {marketplace}: {detail}"),
}
_SYNC: dict[str, tuple[str, str]] = {}
_ONBOARDING: dict[str, tuple[str, str]] = {}
_LEDGER: dict[str, tuple[str, str]] = {
    "ledger.error": ("Lỗi sổ bán hàng: {detail}", "Ledger error: {detail}"),
}
_WEB: dict[str, tuple[str, str]] = {}

CODES: dict[str, tuple[str, str]] = {
    **_GENERAL, **_VALUES, **_IMPORT, **_IMAGES, **_MARKET, **_SYNC, **_ONBOARDING, **_LEDGER, **_WEB,
}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: str, lang: str, params: Mapping[str, Any]) -> str:
    """The message for ``code`` in ``lang`` (``vi`` or ``en``), filled from ``params``."""
    vi, en = CODES.get(code, CODES["internal.error"] if code not in CODES else CODES[code])
    if code not in CODES:
        params = {"detail": code, **params}
    template = en if lang == "en" else vi
    try:
        return template.format_map(_Lenient(params))
    except (ValueError, IndexError, KeyError):
        return template
