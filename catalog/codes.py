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

from catalog.messages import adapters, cli, ledger, listings, orders, sync, web

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
    "file.unusable": ("Không đọc/ghi được tệp '{path}': {detail}. Hãy chọn tệp hoặc thư mục khác.",
                      "Cannot read or write '{path}': {detail}. Choose another file or folder."),
    "db.unavailable": ("Không kết nối được cơ sở dữ liệu: {detail}", "Cannot reach the database: {detail}"),
    "db.readonly": (
        "Cơ sở dữ liệu chỉ cho đọc, không ghi được gì ({detail}). Kiểm tra quyền ghi của tệp và thư mục chứa nó "
        "(hoặc tài khoản PostgreSQL); chưa có gì bị thay đổi.",
        "The database is read-only: nothing could be written ({detail}). Check write permission on the file and its "
        "folder (or the PostgreSQL role); nothing was changed.",
    ),
    "db.disk_full": (
        "Ổ đĩa đã đầy, cơ sở dữ liệu không ghi được ({detail}). Giải phóng chỗ trống rồi chạy lại; phần chưa ghi "
        "đã được hoàn tác.",
        "The disk is full: the database could not write ({detail}). Free some space and run again; what was not "
        "written was rolled back.",
    ),
    "db.locked": (
        "Cơ sở dữ liệu đang bị một tiến trình khác giữ quá lâu ({detail}). Chờ việc kia xong (một lần nhập, đồng "
        "bộ…) rồi chạy lại; chưa có gì bị thay đổi.",
        "The database is held by another process for too long ({detail}). Wait for that work (an import, a "
        "sync…) to finish and run again; nothing was changed.",
    ),
    "db.outdated": (
        "Cơ sở dữ liệu chưa được khởi tạo hoặc cần nâng cấp: hãy chạy `agri init`.",
        "The database is not initialised or needs an upgrade: run `agri init`.",
    ),
    "entity.not_found": ("Không tìm thấy {entity} '{key}'.", "{entity} '{key}' not found."),
    "conflict": ("Xung đột: {detail}", "Conflict: {detail}"),
    "usage.invalid": ("Cách dùng không đúng: {detail}", "Invalid usage: {detail}"),
    "usage.no_such_option": (
        "Lệnh `{command}` không có tùy chọn {option}.{suggestion} Xem `{command} --help`.",
        "`{command}` has no option {option}.{suggestion} See `{command} --help`.",
    ),
    "usage.no_such_command": (
        "`{command}` không có lệnh '{name}'. Xem `{command} --help`.",
        "`{command}` has no command '{name}'. See `{command} --help`.",
    ),
    "usage.missing": (
        "Lệnh `{command}` còn thiếu {name}. Xem `{command} --help`.",
        "`{command}` is missing {name}. See `{command} --help`.",
    ),
    "usage.bad_value": (
        "Giá trị của {name} không dùng được ({detail}). Xem `{command} --help`.",
        "The value of {name} cannot be used ({detail}). See `{command} --help`.",
    ),
    "usage.other": ("Cách dùng `{command}` không đúng: {detail}. Xem `{command} --help`.",
                    "Invalid use of `{command}`: {detail}. See `{command} --help`."),
    "file.unreadable": ("Không đọc được tệp {path}: {detail}", "Cannot read file {path}: {detail}"),
}

_VALUES: dict[str, tuple[str, str]] = {
    "value.invalid": ("Giá trị không hợp lệ: '{value}'.", "Invalid value: '{value}'."),
    "value.required": ("Thiếu giá trị bắt buộc.", "A required value is missing."),
    "text.too_long": ("Quá dài: tối đa {max} ký tự.", "Too long: at most {max} characters."),
    "number.too_large": ("'{value}' quá lớn: tối đa {max}.", "'{value}' is too large: at most {max}."),
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
    "price.unit_mismatch": (
        "Giá '{value}' ghi cho mỗi {price_unit} nhưng cột đơn vị tính ghi '{unit}'; hãy sửa cho khớp.",
        "Price '{value}' is per {price_unit} but the unit column says '{unit}'; make them agree.",
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
    "import.file_not_table": (
        "Tệp '{path}' là tệp {kind}, không phải bảng tính; hãy chọn tệp .xlsx, .ods hoặc .csv.",
        "'{path}' is a {kind} file, not a spreadsheet; choose an .xlsx, .ods or .csv file.",
    ),
    "import.out_type": (
        "Tệp '{path}' phải có đuôi {allowed}.",
        "'{path}' must end in {allowed}.",
    ),
    "import.out_unwritable": (
        "Không ghi được tệp '{path}' ({detail}).",
        "Cannot write '{path}' ({detail}).",
    ),
    "import.report_type": (
        "Báo cáo chỉ ghi được dạng .xlsx, .csv hoặc .json, không phải '{path}'.",
        "A report is written as .xlsx, .csv or .json, not '{path}'.",
    ),
    "import.report_unwritable": (
        "Không ghi được báo cáo vào '{path}' ({detail}).",
        "Cannot write the report to '{path}' ({detail}).",
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
    "import.column_maybe": ("Cột '{column}' không nhận dạng được nên được bỏ qua; có phải là {candidates}? "
                            "Hãy đổi tiêu đề cho rõ.",
                            "Column '{column}' is not recognised and was ignored; is it {candidates}? "
                            "Rename the header to say so."),
    "import.column_ambiguous": ("Cột '{column}' có thể là {candidates}; không rõ nên được bỏ qua. "
                                "Hãy đổi tiêu đề cho rõ.",
                                "Column '{column}' could be {candidates}; it is unclear, so it was ignored. "
                                "Rename the header to say which."),
    "import.column_guessed": ("Cột '{column}' được hiểu là cột '{header}'.",
                              "Column '{column}' is read as column '{header}'."),
    "import.phone_dropped": (
        "Số điện thoại '{value}' không hợp lệ nên được để trống; các thông tin khác của dòng vẫn được nhập.",
        "Phone number '{value}' is not valid and was left empty; the rest of the row was imported.",
    ),
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
_IMAGES: dict[str, tuple[str, str]] = {
    "image.invalid": ("Ảnh không dùng được.", "The image cannot be used."),
    "image.empty": ("Tệp ảnh rỗng (0 byte).", "The image file is empty (0 bytes)."),
    "image.not_image": (
        "Tệp không phải là ảnh (nhận: JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC), dù tên tệp là gì.",
        "The file is not an image (accepted: JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC), whatever its name.",
    ),
    "image.truncated": (
        "Ảnh bị thiếu phần cuối (tải lên chưa xong?); hãy tải lại ảnh gốc.",
        "The image is cut short (an unfinished upload?); upload the original again.",
    ),
    "image.corrupt": ("Ảnh bị hỏng, không đọc được: {detail}", "The image is damaged and cannot be read: {detail}"),
    "image.too_many_pixels": (
        "Ảnh có quá nhiều điểm ảnh ({pixels}, tối đa {max}); đã từ chối trước khi giải mã. Hãy thu nhỏ ảnh "
        "(ví dụ 4000×3000) hoặc chụp lại ở độ phân giải thấp hơn rồi tải lên lại.",
        "The image has too many pixels ({pixels}, at most {max}); refused before decoding. Shrink it (to "
        "4000×3000, say) or take it again at a lower resolution, then upload it again.",
    ),
    "image.too_small": (
        "Ảnh quá nhỏ ({width}×{height} px): cạnh dài cần ít nhất {min} px.",
        "The image is too small ({width}×{height} px): the long side needs at least {min} px.",
    ),
    "image.heic_unsupported": (
        "Ảnh HEIC (iPhone) cần gói pillow-heif: cài bằng `pip install 'agri-connector[heic]'`, "
        "hoặc đặt iPhone chụp ảnh dạng JPEG (Cài đặt › Camera › Định dạng › Tương thích nhất).",
        "HEIC (iPhone) images need pillow-heif: install it with `pip install 'agri-connector[heic]'`, "
        "or set the iPhone to JPEG (Settings › Camera › Formats › Most Compatible).",
    ),
    "image.mode_unsupported": (
        "Không chuyển được hệ màu {mode} của ảnh sang sRGB.",
        "The image's colour mode {mode} cannot be converted to sRGB.",
    ),
    "image.too_large_after_encoding": (
        "Không nén được ảnh xuống {max_bytes} byte (nhỏ nhất đạt {bytes} byte).",
        "The image cannot be compressed to {max_bytes} bytes (the smallest was {bytes} bytes).",
    ),
    "image.profile_unknown": (
        "Không có hồ sơ ảnh '{value}' (có: {allowed}).",
        "No image profile '{value}' (known: {allowed}).",
    ),
    "image.profile_invalid": ("Hồ sơ ảnh '{value}' sai: {detail}", "Image profile '{value}' is invalid: {detail}"),
    "image.not_found": ("Không có ảnh '{key}' trong kho ảnh.", "No image '{key}' in the media store."),
    "image.url_invalid": (
        "Địa chỉ ảnh '{value}' không hợp lệ (cần http:// hoặc https://): {detail}",
        "Image URL '{value}' is not valid (http:// or https:// needed): {detail}",
    ),
    "image.url_unresolvable": (
        "Không tìm thấy máy chủ của địa chỉ ảnh '{value}'.", "The host of image URL '{value}' cannot be resolved.",
    ),
    "image.url_refused": (
        "Không tải ảnh từ '{value}': địa chỉ {address} là mạng nội bộ hoặc đặc biệt.",
        "Refused to fetch '{value}': address {address} is internal or special-purpose.",
    ),
    "image.fetch_failed": ("Không tải được ảnh từ '{value}': {detail}", "Cannot fetch image '{value}': {detail}"),
    "image.fetch_status": (
        "Máy chủ trả lỗi HTTP {status} cho ảnh '{value}'.", "The server answered HTTP {status} for image '{value}'.",
    ),
    "image.fetch_too_large": (
        "Ảnh ở '{value}' lớn hơn {max_bytes} byte; đã dừng tải.",
        "The image at '{value}' is larger than {max_bytes} bytes; download stopped.",
    ),
    "image.fetch_not_image": (
        "Địa chỉ '{value}' không trả về ảnh (kiểu nội dung '{content_type}').",
        "'{value}' did not return an image (content type '{content_type}').",
    ),
    "image.fetch_redirects": (
        "Địa chỉ ảnh '{value}' chuyển hướng quá nhiều lần.", "Image URL '{value}' redirects too many times.",
    ),
}
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
_ONBOARDING: dict[str, tuple[str, str]] = {
    "onboarding.catalogue_file": (
        "Trang '{sheet}' là danh mục sản phẩm (có cột Mã SKU và Giá bán), không phải danh sách hộ: "
        "đã bỏ qua; hãy nhập bằng 'agri catalog import'.",
        "Sheet '{sheet}' is a product catalogue (SKU and price columns), not a household register: "
        "skipped; import it with 'agri catalog import'.",
    ),
    "onboarding.platform_unknown": ("Sàn '{value}' không được hỗ trợ (dùng: {allowed}).",
                                    "Unknown platform '{value}' (use one of: {allowed})."),
    "onboarding.status_unknown": ("Trạng thái tài khoản '{value}' không hợp lệ (dùng: {allowed}).",
                                  "Unknown account status '{value}' (use one of: {allowed})."),
    "onboarding.account_without_platform": (
        "Có thông tin tài khoản sàn (mã gian hàng, ngày mở, trạng thái) nhưng thiếu tên sàn.",
        "Account details (shop id, opened date, status) are given without a platform."),
    "onboarding.training_without_date": ("Có nội dung tập huấn nhưng thiếu ngày tập huấn.",
                                         "A training topic is given without a training date."),
    "onboarding.household_needed": ("Dòng không ghi tên hộ, số điện thoại hoặc mã hộ.",
                                    "The row names no household (name, phone or code)."),
    "onboarding.member_phone_needed": ("Có tên thành viên tổ '{value}' nhưng thiếu số điện thoại của thành viên.",
                                       "Team member '{value}' is given without a phone number."),
    "onboarding.member_name_differs": (
        "Thành viên tổ số {value} đã có tên '{existing}'; tên '{name}' trong tệp không được dùng.",
        "Team member {value} is already recorded as '{existing}'; the name '{name}' was not used."),
    "onboarding.unit_missing": (
        "Không ghi xã/phường: hộ được tính vào dòng 'chưa rõ địa bàn' trong báo cáo.",
        "No commune given: the household counts under 'unknown unit' in reports."),
    "onboarding.merged": ("Hộ '{value}' trùng với hộ đã có {existing} (theo {by}); đã gộp, không tạo mới.",
                          "Household '{value}' is the existing {existing} (by {by}); merged, not duplicated."),
    "onboarding.merge_candidate": (
        "Hộ '{value}' có thể là {candidates}: đã ghi thành hộ riêng {household} "
        "và đưa vào danh sách cần xem xét; dùng `agri producers merge` hoặc `agri producers keep-both`.",
        "Household '{value}' may be {candidates}: recorded as {household} and "
        "held for review; use `agri producers merge` or `agri producers keep-both`."),
    "onboarding.account_changed": ("Tài khoản {value} đã cập nhật: {changes}.", "Account {value} updated: {changes}."),
    "onboarding.member_unknown": ("Không tìm thấy thành viên tổ '{value}'.", "No team member '{value}'."),
    "period.out_of_range": (
        "Kỳ '{value}' nằm ngoài các năm {first}–{last}.",
        "The period '{value}' is outside the years {first}–{last}.",
    ),
    "onboarding.period_invalid": (
        "Kỳ báo cáo '{value}' không hợp lệ (dùng 2024, 2024-06, 2024-Q2, 2024-H1, 2024-01..2024-06 hoặc all).",
        "Invalid period '{value}' (use 2024, 2024-06, 2024-Q2, 2024-H1, 2024-01..2024-06 or all)."),
    "onboarding.dimension_unknown": ("Chiều thống kê '{value}' không hợp lệ (dùng: {allowed}).",
                                     "Unknown dimension '{value}' (use: {allowed})."),
    "onboarding.format_unknown": ("Định dạng '{value}' không hợp lệ (dùng: {allowed}).",
                                  "Unknown format '{value}' (use: {allowed})."),
    "onboarding.out_needed": ("Định dạng {value} cần tệp ra: thêm --out TỆP.",
                              "Format {value} needs an output file: add --out FILE."),
    "producers.merge_same": ("Không thể gộp chủ thể '{value}' với chính nó.", "Cannot merge producer '{value}' into itself."),
    "producers.merge_sku_conflict": (
        "Không gộp được: cả '{a}' và '{b}' đều có sản phẩm mã SKU {skus}. Hãy đổi SKU của một bên trước.",
        "Cannot merge: both '{a}' and '{b}' have products with SKU {skus}. Rename one side's SKU first."),
    "producers.merge_conflict": (
        "Không gộp được: bảng {table} có bản ghi của '{a}' và '{b}' trùng nhau ({columns}).",
        "Cannot merge: table {table} holds clashing rows of '{a}' and '{b}' ({columns})."),
}
_LEDGER: dict[str, tuple[str, str]] = {
    "ledger.error": ("Lỗi sổ bán hàng: {detail}", "Ledger error: {detail}"),
}
_WEB: dict[str, tuple[str, str]] = {}

CODES: dict[str, tuple[str, str]] = {
    **_GENERAL, **_VALUES, **_IMPORT, **_IMAGES, **_MARKET, **_SYNC, **_ONBOARDING, **_LEDGER, **_WEB,
    **adapters.CODES, **sync.CODES, **orders.CODES, **ledger.CODES, **listings.CODES, **web.CODES,
    **cli.CODES,
}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


# What ``entity`` names in "entity.not_found", as a support worker says it (Vietnamese, English).
ENTITY_NAMES: dict[str, tuple[str, str]] = {
    "account": ("tài khoản sàn", "marketplace account"),
    "binding": ("liên kết sản phẩm với sàn", "listing binding"),
    "commune": ("xã/phường", "commune"),
    "listing": ("sản phẩm trên sàn", "listing"),
    "merge_candidate": ("cặp chờ gộp", "merge candidate"),
    "producer": ("chủ thể", "producer"),
    "product": ("sản phẩm", "product"),
    "sync_run": ("lần đồng bộ", "sync run"),
    "user": ("người dùng", "user"),
}


def render(code: str, lang: str, params: Mapping[str, Any]) -> str:
    """The message for ``code`` in ``lang`` (``vi`` or ``en``), filled from ``params``."""
    vi, en = CODES.get(code, CODES["internal.error"] if code not in CODES else CODES[code])
    if code not in CODES:
        params = {"detail": code, **params}
    if "entity" in params and params["entity"] in ENTITY_NAMES:
        params = {**params, "entity": ENTITY_NAMES[params["entity"]][1 if lang == "en" else 0]}
    template = en if lang == "en" else vi
    try:
        return template.format_map(_Lenient(params))
    except (ValueError, IndexError, KeyError):
        return template
