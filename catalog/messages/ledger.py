"""Error codes of the ledger area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {
    "ledger.account_unusable": (
        "Tài khoản '{account}' chưa gắn với hộ sản xuất nên không ghi được doanh thu.",
        "Account '{account}' has no producer, so its sales cannot be recorded.",
    ),
    "ledger.policy_invalid": (
        "Chính sách tính doanh thu không hợp lệ (AGRI_LEDGER_COUNTED='{counted}', AGRI_LEDGER_BASIS='{basis}'); "
        "trạng thái được phép: {allowed}; cơ sở: net hoặc gmv.",
        "Invalid counting policy (AGRI_LEDGER_COUNTED='{counted}', AGRI_LEDGER_BASIS='{basis}'); "
        "allowed statuses: {allowed}; basis: net or gmv.",
    ),
    "ledger.period_closed": (
        "Kỳ {period} đã khóa sổ ngày {closed_at}.",
        "Period {period} was closed on {closed_at}.",
    ),
    "ledger.period_overlaps": (
        "Kỳ {period} chồng lên kỳ đã khóa {other}.",
        "Period {period} overlaps the closed period {other}.",
    ),
    "ledger.period_open_ended": (
        "Không khóa được kỳ '{period}': cần một kỳ có ngày bắt đầu (năm, quý, tháng, nửa năm).",
        "Cannot close '{period}': a period needs a start (a year, quarter, month or half).",
    ),
    "ledger.period_not_over": (
        "Kỳ {period} chưa kết thúc (đến hết ngày {end}); chỉ khóa được kỳ đã qua.",
        "Period {period} is not over yet (it ends on {end}); only past periods can be closed.",
    ),
    "ledger.sale_duplicate": (
        "Số chứng từ '{reference}' (nguồn '{source}') xuất hiện hai lần trong tệp; chỉ ghi dòng đầu.",
        "The reference '{reference}' (source '{source}') appears twice in the file; only the first row counts.",
    ),
    "ledger.sale_changed": (
        "Khoản bán nguồn '{source}', số chứng từ '{reference}' đã được ghi với nội dung khác (hộ, sản phẩm, kênh, "
        "số lượng, số tiền hoặc ngày). Sổ đã chốt không tự sửa: hãy dùng số chứng từ khác, hoặc ghi điều chỉnh.",
        "The sale with source '{source}' and reference '{reference}' is recorded with other content (producer, "
        "product, channel, quantity, amount or day). The ledger is not changed silently: use another reference, "
        "or record an adjustment.",
    ),
    "ledger.dimension_unknown": (
        "Không có chiều báo cáo '{value}'. Các chiều: {allowed}.",
        "Unknown report dimension '{value}'. Dimensions: {allowed}.",
    ),
    "ledger.dimension_scheme": (
        "Chiều '{value}' chỉ dùng với địa giới cũ (--scheme vn2004).",
        "Dimension '{value}' exists only in the old scheme (--scheme vn2004).",
    ),
    "ledger.province_unknown": ("Không có tỉnh mã '{value}'.", "No province with code '{value}'."),
    "ledger.format_unknown": (
        "Không hỗ trợ định dạng '{value}'. Định dạng: {allowed}.",
        "Unsupported format '{value}'. Formats: {allowed}.",
    ),
    "ledger.template_invalid": (
        "Tệp mẫu báo cáo {path} không dùng được: {detail}",
        "The report template {path} cannot be used: {detail}",
    ),
}
