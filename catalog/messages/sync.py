"""Error codes of the sync area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {
    "sync.category_unmapped": (
        "Ngành hàng của sản phẩm {sku} chưa được gắn với ngành hàng của sàn (agri categories map).",
        "The category of product {sku} is not mapped to a marketplace category (agri categories map).",
    ),
    "sync.field_missing": (
        "Sàn yêu cầu trường '{field}' nhưng sản phẩm chưa có.",
        "The marketplace requires '{field}', which the product lacks.",
    ),
    "sync.title_too_long": (
        "Tên sản phẩm dài {length} ký tự, sàn chỉ nhận tối đa {max}.",
        "The title is {length} characters long; the marketplace accepts at most {max}.",
    ),
    "sync.description_too_long": (
        "Mô tả dài {length} ký tự, sàn chỉ nhận tối đa {max}.",
        "The description is {length} characters long; the marketplace accepts at most {max}.",
    ),
    "sync.lease_held": (
        "Tài khoản {account} đang được đồng bộ bởi tiến trình khác ({holder}) đến {expires}; hãy thử lại sau.",
        "Account {account} is being synced by another process ({holder}) until {expires}; try again later.",
    ),
    "sync.lease_lost": (
        "Mất quyền đồng bộ tài khoản {account} (hết hạn hoặc bị tiến trình khác lấy).",
        "Lost the sync lease of account {account} (expired or taken by another process).",
    ),
    "sync.not_connected": (
        "Tài khoản {account} chưa có thông tin đăng nhập API nên không thể đồng bộ.",
        "Account {account} has no API credentials, so it cannot be synced.",
    ),
    "sync.credentials_missing": (
        "Thiếu thông tin đăng nhập cho sàn {marketplace}: {fields}.",
        "Missing credentials for {marketplace}: {fields}.",
    ),
    "sync.marketplace_unknown": (
        "Không có bộ kết nối cho sàn '{value}' (có: {allowed}).",
        "No adapter for marketplace '{value}' (available: {allowed}).",
    ),
    "sync.base_url_missing": (
        "Tài khoản {account} chưa có địa chỉ API (--base-url).",
        "Account {account} has no API address (--base-url).",
    ),
    "sync.account_exists": ("Đã có tài khoản tên '{value}'.", "An account named '{value}' already exists."),
    "sync.account_bound": (
        "Tài khoản {account} còn {count} sản phẩm đang gắn với sàn; dùng --force để xóa cả liên kết.",
        "Account {account} still has {count} bound listings; use --force to remove them too.",
    ),
    "sync.stale": (
        "Sản phẩm {sku} đã thay đổi trong lúc đồng bộ; đã lập lại kế hoạch với phiên bản mới.",
        "Product {sku} changed during the sync; it was re-planned with the new version.",
    ),
    "sync.duplicate_remote": (
        "Mã sản phẩm trên sàn {remote_id} đã gắn với sản phẩm khác của tài khoản này.",
        "Remote listing {remote_id} is already bound to another product of this account.",
    ),
    "sync.interrupted": (
        "Lần đồng bộ bị dừng giữa chừng; lần sau sẽ tiếp tục.",
        "The sync was interrupted; the next run resumes it.",
    ),
    "sync.report_format": (
        "Báo cáo chỉ ghi được dạng .csv, .xlsx hoặc .json, không phải '{value}'.",
        "Reports are written as .csv, .xlsx or .json, not '{value}'.",
    ),
    "sync.duration_invalid": (
        "Khoảng thời gian '{value}' không hợp lệ (ví dụ: 30s, 5m, 1h).",
        "Invalid interval '{value}' (e.g. 30s, 5m, 1h).",
    ),
}
