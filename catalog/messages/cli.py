"""Error codes of the settings and the command line: code -> (Vietnamese, English).

A setting is checked like any input: each ``AGRI_*`` value that cannot be used has its own code, says
which variable and what would work, and never shows a secret.
"""

CODES: dict[str, tuple[str, str]] = {
    "config.database_url_scheme": (
        "AGRI_DATABASE_URL='{value}' không phải địa chỉ cơ sở dữ liệu (thiếu phần đầu sqlite:/// hoặc "
        "postgresql+psycopg://). Có phải ý bạn là {suggestion}?",
        "AGRI_DATABASE_URL='{value}' is not a database URL (it lacks its sqlite:/// or postgresql+psycopg:// "
        "prefix). Did you mean {suggestion}?",
    ),
    "config.database_url_unsupported": (
        "AGRI_DATABASE_URL='{value}': loại cơ sở dữ liệu '{scheme}' không được hỗ trợ (chỉ SQLite và PostgreSQL). "
        "Có phải ý bạn là {suggestion}?",
        "AGRI_DATABASE_URL='{value}': database kind '{scheme}' is not supported (SQLite and PostgreSQL only). "
        "Did you mean {suggestion}?",
    ),
    "config.database_url_invalid": (
        "AGRI_DATABASE_URL='{value}' không đọc được ({detail}). Ví dụ đúng: sqlite:///agri.db hoặc "
        "postgresql+psycopg://nguoidung@may-chu/agri.",
        "AGRI_DATABASE_URL='{value}' cannot be read ({detail}). Examples: sqlite:///agri.db or "
        "postgresql+psycopg://user@host/agri.",
    ),
    "config.lang": (
        "AGRI_LANG='{value}' không được hỗ trợ: dùng vi (tiếng Việt) hoặc en (tiếng Anh); vi-VN, en-US cũng được.",
        "AGRI_LANG='{value}' is not supported: use vi (Vietnamese) or en (English); vi-VN and en-US work too.",
    ),
    "config.secret_key_malformed": (
        "AGRI_SECRET_KEY không phải một khóa (cần 44 ký tự base64 an toàn cho URL). Tạo khóa mới bằng "
        "`agri init --new-secret-key`.",
        "AGRI_SECRET_KEY is not a key (it must be 44 characters of URL-safe base64). Make one with "
        "`agri init --new-secret-key`.",
    ),
    "config.url": (
        "{name}='{value}' không phải địa chỉ http(s) dùng được ({detail}). Ví dụ: {example}.",
        "{name}='{value}' is not a usable http(s) address ({detail}). Example: {example}.",
    ),
    "config.trusted_proxies": (
        "AGRI_TRUSTED_PROXIES: '{value}' không phải địa chỉ, mạng hay tên máy (ví dụ 127.0.0.1,10.0.0.0/8).",
        "AGRI_TRUSTED_PROXIES: '{value}' is not an address, network or host name (e.g. 127.0.0.1,10.0.0.0/8).",
    ),
    "config.data_dir": (
        "AGRI_DATA_DIR='{value}' là một tệp, không phải thư mục; hãy chọn một thư mục.",
        "AGRI_DATA_DIR='{value}' is a file, not a folder; choose a folder.",
    ),
    "config.flag": (
        "{name}='{value}' phải là 1 hoặc 0 (true/false, yes/no).",
        "{name}='{value}' must be 1 or 0 (true/false, yes/no).",
    ),
    "config.setting_invalid": (
        "{name}='{value}' không dùng được: {detail}.",
        "{name}='{value}' cannot be used: {detail}.",
    ),
    "db.missing": (
        "Chưa có cơ sở dữ liệu tại {path}. Tạo nó bằng `agri init` (hoặc đặt AGRI_DATABASE_URL chỉ tới cơ sở "
        "dữ liệu đã có); chưa có tệp nào được tạo.",
        "There is no database at {path}. Create it with `agri init` (or point AGRI_DATABASE_URL at an existing "
        "one); no file was created.",
    ),
    "cli.unexpected": (
        "Lỗi không mong đợi ({detail}). Chạy lại với AGRI_DEBUG=1 để xem chi tiết kỹ thuật và gửi cho người quản trị.",
        "Unexpected error ({detail}). Run again with AGRI_DEBUG=1 to see the technical details, and send them to "
        "your administrator.",
    ),
    "ledger.period_already_closed": (
        "Kỳ {period} đã khóa sổ ngày {closed_on}; không có gì thay đổi.",
        "Period {period} was already closed on {closed_on}; nothing changed.",
    ),
    "serve.sandbox_port_in_use": (
        "Cổng {port} của sàn giả lập đang bị chương trình khác dùng (có thể một sàn giả lập đang chạy: khi đó bỏ "
        "--with-sandbox, ứng dụng web dùng nó qua AGRI_SANDBOX_URL={sandbox_url}). Hoặc chọn cổng khác bằng "
        "--sandbox-port và đặt AGRI_SANDBOX_URL theo cổng đó.",
        "The sandbox's port {port} is taken by another program (perhaps a sandbox already running: then leave out "
        "--with-sandbox, the web app uses it through AGRI_SANDBOX_URL={sandbox_url}). Or choose another port with "
        "--sandbox-port and set AGRI_SANDBOX_URL to match.",
    ),
    "accounts.base_url_required": (
        "Sàn {marketplace} làm việc qua API nên tài khoản cần --base-url (địa chỉ API sàn cấp cho gian hàng; sàn giả "
        "lập: {example}). Chưa có gì được lưu.",
        "Marketplace {marketplace} is reached through its API, so the account needs --base-url (the API address the "
        "marketplace gives the shop; the sandbox's: {example}). Nothing was saved.",
    ),
    "listings.bind_file_connected": (
        "Tài khoản {account} đã kết nối API: `agri sync` tự tìm sản phẩm đã đăng tay theo SKU và giữ chúng khớp "
        "danh mục. Gắn từ tệp sẽ đánh dấu chúng là gắn tay và bỏ các lần đẩy tồn kho/giá đang chờ, nên không làm. "
        "Chưa có gì thay đổi.",
        "Account {account} is connected through the marketplace's API: `agri sync` finds listings made by hand by "
        "their SKU and keeps them in step with the catalogue. Binding from a file would mark them manual and drop "
        "pending stock and price pushes, so it is refused. Nothing was changed.",
    ),
}
