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
    "adapters.sandbox_unreachable": (
        "Không kết nối được tới sàn giả lập ở {url} ({detail}): hãy chạy 'agri sandbox' rồi thử lại.",
        "Cannot reach the sandbox at {url} ({detail}): start 'agri sandbox' and try again.",
    ),
    "adapters.sandbox_account": (
        "Tài khoản '{account}' chưa kết nối với sàn giả lập (không có địa chỉ API); "
        "tài khoản do 'agri demo' tạo thì có.",
        "Account '{account}' is not connected to the sandbox (no API address); the accounts 'agri demo' makes are.",
    ),
    "adapters.unreachable": (
        "Sàn {marketplace} không trả lời ({attempts} lần thử liền không có trả lời, {silent} giây im lặng; lần cuối: "
        "{where}). Đã dừng tài khoản '{account}' ở lần chạy này; lần chạy sau sẽ thử lại. Kiểm tra mạng hoặc "
        "địa chỉ API của tài khoản.",
        "Marketplace {marketplace} does not answer ({attempts} attempts in a row without an answer, {silent} s of "
        "silence; last: {where}). Account '{account}' was stopped for this run; the next run tries again. Check the "
        "network or the account's API address.",
    ),
    "adapters.not_attempted": (
        "Chưa gửi: sàn {marketplace} không trả lời.",
        "Not sent: marketplace {marketplace} does not answer.",
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
        "Chuỗi lỗi giả lập '{value}' không hợp lệ ở '{part}'; viết ví dụ như: {example}",
        "Fault spec '{value}' is invalid at '{part}'; write it like: {example}",
    ),
    "adapters.sandbox_marketplace": (
        "Sàn giả lập không có sàn '{value}' (có: {allowed}).",
        "The sandbox has no marketplace '{value}' (available: {allowed}).",
    ),
    "adapters.port_in_use": (
        "Cổng {port} trên {host} đang có chương trình khác dùng (có thể 'agri sandbox' hoặc 'agri serve' "
        "đang chạy): hãy dừng chương trình đó hoặc chọn cổng khác bằng --port.",
        "Port {port} on {host} is already in use (perhaps 'agri sandbox' or 'agri serve' is running): "
        "stop that program or choose another port with --port.",
    ),
    "adapters.listen_host": (
        "Không nghe được trên địa chỉ '{host}': máy này không có địa chỉ đó (dùng 127.0.0.1 hoặc 0.0.0.0).",
        "Cannot listen on '{host}': this machine has no such address (use 127.0.0.1 or 0.0.0.0).",
    ),
    "adapters.listen_failed": (
        "Không mở được cổng {port} trên {host}: {detail}",
        "Cannot open port {port} on {host}: {detail}",
    ),
    "adapters.sandbox_state_invalid": (
        "Tệp trạng thái sàn giả lập '{path}' không đọc được ({detail}); tệp được giữ nguyên. "
        "Hãy chọn tệp khác bằng --state hoặc đổi tên tệp này.",
        "The sandbox state file '{path}' cannot be read ({detail}); it was left untouched. "
        "Choose another file with --state or rename this one.",
    ),
    "adapters.sandbox_start_failed": (
        "Không khởi động được sàn giả lập: {detail}",
        "The sandbox could not start: {detail}",
    ),
}
