"""Error codes of the adapters area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {
    "adapters.unknown": (
        "Không có bộ kết nối sàn '{value}' (có: {allowed}).",
        "No marketplace adapter '{value}' (available: {allowed}).",
    ),
    "adapters.load_failed": (
        "Không nạp được bộ kết nối sàn '{value}': {detail}",
        "Cannot load marketplace adapter '{value}': {detail}",
    ),
    "adapters.credentials_missing": (
        "Tài khoản '{account}' trên sàn {marketplace} thiếu thông tin đăng nhập: {fields}.",
        "Account '{account}' on {marketplace} lacks credentials: {fields}.",
    ),
    "adapters.timeout": (
        "Sàn {marketplace} không trả lời kịp ({method} {path}).",
        "Marketplace {marketplace} timed out ({method} {path}).",
    ),
    "adapters.connection": (
        "Mất kết nối tới sàn {marketplace} ({method} {path}): {detail}",
        "Connection to marketplace {marketplace} failed ({method} {path}): {detail}",
    ),
    "adapters.http_status": (
        "Sàn {marketplace} trả lỗi {status} ({method} {path}): {detail}",
        "Marketplace {marketplace} answered {status} ({method} {path}): {detail}",
    ),
    "adapters.bad_response": (
        "Sàn {marketplace} trả về dữ liệu không đọc được ({method} {path}): {detail}",
        "Marketplace {marketplace} sent an unreadable response ({method} {path}): {detail}",
    ),
    "adapters.deadline": (
        "Hết thời gian chờ sàn {marketplace} sau {attempts} lần thử: {detail}",
        "Gave up on marketplace {marketplace} after {attempts} attempts: {detail}",
    ),
    "adapters.window_too_long": (
        "Khoảng thời gian lấy đơn trên sàn {marketplace} dài quá {max_days} ngày.",
        "The order window on {marketplace} is longer than {max_days} days.",
    ),
    "adapters.upload_unsupported": (
        "Sàn {marketplace} nhận ảnh qua địa chỉ URL, không tải ảnh lên.",
        "Marketplace {marketplace} takes images by URL, not by upload.",
    ),
    "adapters.profile_invalid": (
        "Tệp hồ sơ sàn {file} sai ở khóa '{key}': {reason}",
        "Marketplace profile {file} is wrong at key '{key}': {reason}",
    ),
    "adapters.profile_unknown": (
        "Không có hồ sơ sàn '{value}' (có: {allowed}).",
        "No marketplace profile '{value}' (available: {allowed}).",
    ),
    "adapters.profile_missing": (
        "Tài khoản '{account}' dùng sàn chung (generic) nhưng chưa chọn hồ sơ sàn.",
        "Account '{account}' uses the generic adapter but names no profile.",
    ),
    "adapters.operation_unsupported": (
        "Hồ sơ sàn '{profile}' không có thao tác '{operation}'.",
        "Marketplace profile '{profile}' has no '{operation}' operation.",
    ),
    "adapters.sandbox_fault_spec": (
        "Chuỗi lỗi giả lập '{value}' không hợp lệ: {reason}",
        "Fault spec '{value}' is invalid: {reason}",
    ),
    "adapters.sandbox_marketplace": (
        "Sàn giả lập không có sàn '{value}' (có: {allowed}).",
        "The sandbox has no marketplace '{value}' (available: {allowed}).",
    ),
    "adapters.sandbox_start_failed": (
        "Không khởi động được sàn giả lập: {detail}",
        "The sandbox could not start: {detail}",
    ),
}
