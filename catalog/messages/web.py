"""Error codes of the web area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {
    "web.login_failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "web.login_throttled": (
        "Đăng nhập sai quá nhiều lần. Hãy chờ {seconds} giây rồi thử lại.",
        "Too many failed logins. Wait {seconds} seconds, then try again.",
    ),
    "web.login_required": ("Cần đăng nhập.", "Please log in."),
    "web.forbidden": ("Bạn không có quyền làm việc này.", "You are not allowed to do this."),
    "web.csrf": (
        "Phiên làm việc của biểu mẫu đã hết hạn. Hãy tải lại trang và gửi lại.",
        "The form has expired. Reload the page and send it again.",
    ),
    "web.code_invalid": (
        "Mã dùng một lần không đúng, đã dùng hoặc đã hết hạn.",
        "The one-time code is wrong, already used or expired.",
    ),
    "web.password_weak": (
        "Mật khẩu cần ít nhất {min} ký tự.",
        "The password needs at least {min} characters.",
    ),
    "web.username_taken": ("Tên đăng nhập '{value}' đã có người dùng.", "User name '{value}' is already taken."),
    "web.role_unknown": ("Vai trò '{value}' không có; chọn một trong: {allowed}.",
                         "Unknown role '{value}'; use one of: {allowed}."),
    "web.role_needs_producer": ("Tài khoản hộ/HTX phải gắn với một chủ thể (mã).",
                                "A producer login must name its producer (code)."),
    "web.role_needs_communes": ("Cán bộ hỗ trợ phải có ít nhất một xã/phường (mã vn2025).",
                                "Support staff need at least one commune/ward (vn2025 code)."),
    "web.commune_unknown": ("Không có xã/phường mã '{value}' (vn2025).",
                            "No commune/ward with code '{value}' (vn2025)."),
    "web.upload_missing": ("Chưa chọn tệp để tải lên.", "No file was chosen."),
    "web.upload_too_large": ("Tệp quá lớn: tối đa {max_mb} MB.", "The file is too large: at most {max_mb} MB."),
    "web.upload_expired": ("Tệp đã tải lên không còn; hãy tải lại.", "The uploaded file is gone; upload it again."),
    "scope.outside_area": (
        "Việc này chạm tới hộ/HTX ngoài xã/phường bạn phụ trách (hoặc chuyển một hộ ra/vào địa bàn của bạn); "
        "không có gì được ghi. Hãy bỏ các dòng đó, hoặc nhờ quản trị viên.",
        "This touches producers outside your communes (or moves one into or out of your area); nothing was "
        "written. Leave those rows out, or ask an administrator.",
    ),
    "web.unexpected": (
        "Đã có lỗi ngoài dự kiến; việc vừa làm chưa được lưu. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị viên "
        "mã sự cố {incident}.",
        "Something unexpected went wrong; what you just did was not saved. Try again; if it happens again, give "
        "the administrator the incident code {incident}.",
    ),
    "web.feature_missing": ("Chức năng '{value}' chưa được cài đặt.", "The '{value}' feature is not installed."),
}
