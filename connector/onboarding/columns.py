"""The columns of a team's register file, declared for the catalogue importer's header matcher.

One row is one household, optionally with one training and one marketplace account; a household
with two accounts or two trainings takes two rows (its details repeated, or only its phone or
code).  The household columns are the catalogue's producer columns under the words the teams
use ("Tên hộ", "Chủ hộ", "Thôn/bản"), so a header understood by one import is understood by both.
A phone that is not a valid number (the household's or the team member's) is left empty with a
warning, as in the catalogue: the household, its training and its account are kept.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from catalog.errors import CatalogueValidationError
from catalog.importing import PRODUCER_COLUMNS, Cell, ColumnSpec, cell_text
from catalog.importing import convert as cv
from catalog.phone import normalize_phone
from connector.onboarding.platforms import parse_account_status, parse_platforms

REGISTER_SHEET = "Danh sách hộ"
# 3-digit prefixes where every 10-digit number is a valid mobile (checked against phonenumbers by a test)
FAST_PREFIXES = frozenset({
    "030", "031", "032", "033", "034", "035", "036", "037", "038", "039", "051", "056", "058", "059", "070",
    "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "087", "088", "090", "091", "092",
    "093", "094", "095", "096", "097", "098",
})
_SEPARATORS = str.maketrans("", "", " .-")


def fast_phone(value: Cell) -> str:
    """Exactly :func:`catalog.phone.normalize_phone` (E.164), without phonenumbers for common mobiles.

    A file holds one or two phones per row; phonenumbers costs ~20 µs per number, which is most
    of a 150,000-row import, so the common ``0912 345 678`` shapes are done with string slices.
    """
    if type(value) is str:
        digits = value.translate(_SEPARATORS)
        if digits.isascii() and digits.isdigit():
            if len(digits) == 10 and digits[:3] in FAST_PREFIXES:
                return "+84" + digits[1:]
            if len(digits) == 9 and "0" + digits[:2] in FAST_PREFIXES:
                return "+84" + digits
    return normalize_phone(value)


_shop_id = cv.text(80)


def shop_ref(value: Cell) -> tuple[str, str]:
    """A shop id, or the phone used as the login: ``("login_phone", "+84…")`` or ``("shop_id", "…")``."""
    text = (value if type(value) is str else cell_text(value)).strip()
    digits = text.translate(_SEPARATORS)
    if len(digits) == 10 and digits[:3] in FAST_PREFIXES and digits.isdigit() and digits.isascii():
        return ("login_phone", "+84" + digits[1:])  # what the lines below make of a common mobile
    digits = digits.removeprefix("+")
    if digits.isdigit() and 9 <= len(digits) <= 12:
        try:
            return ("login_phone", fast_phone(text))
        except CatalogueValidationError:
            pass  # a number that is not a phone is a shop id
    return ("shop_id", _shop_id(text))


def _spec(field: str, header: str, *aliases: str, en: str = "", comment: str = "", **kw: Any) -> ColumnSpec:
    return ColumnSpec(field=field, header=header, aliases=aliases, header_en=en, comment=comment, **kw)


_CATALOGUE = {spec.field: spec for spec in PRODUCER_COLUMNS}


def _household(field: str, header: str, *aliases: str, comment: str | None = None, **kw: Any) -> ColumnSpec:
    """A catalogue producer column under the register's header, with its aliases kept."""
    spec = _CATALOGUE[field]
    return replace(spec, header=header, aliases=(spec.header, *aliases, *spec.aliases),
                   comment=comment if comment is not None else spec.comment, **kw)


HOUSEHOLD_COLUMNS: list[ColumnSpec] = [
    _household("producer_code", "Mã hộ", "Mã hộ gia đình", "Mã số hộ", cache=False,  # one code per household
               comment="Mã riêng của hộ nếu đã có (tùy chọn). Để trống thì hệ thống tự cấp theo mã xã."),
    _household("producer_name", "Tên hộ", "Họ và tên chủ hộ", "Họ tên chủ hộ", "Hộ gia đình", "Tên hộ gia đình",
               "household", cache=False, comment="Tên hộ (thường là họ tên chủ hộ)."),
    _household("representative", "Người đại diện", "Người đăng ký", cache=False),
    replace(_CATALOGUE["phone"], convert=fast_phone, cache=False,
            comment="Số điện thoại của hộ, 10 số (ví dụ 0912 345 678). Dùng để nhận ra hộ đã có."),
    _household("address", "Thôn/bản", "Thôn, bản", "Thôn/tổ", "Tổ dân phố", "Địa chỉ chi tiết",
               comment="Thôn/bản hoặc tổ dân phố."),
    _household("commune", "Xã/phường", "Xã/phường/thị trấn",
               comment="Xã/phường: tên hoặc mã, theo đơn vị mới (2025) hoặc cũ — hệ thống tự nhận ra."),
    _household("commune_old", "Xã cũ (trước 2025)",
               comment="Xã/phường/thị trấn trước 1/7/2025, nếu cột trên ghi xã mới. Nên ghi để báo cáo theo huyện cũ."),
    _household("district_old", "Huyện (cũ)", comment="Huyện/thành phố trước 1/7/2025."),
]

REGISTER_OWN_COLUMNS: list[ColumnSpec] = [
    _spec("registered_on", "Ngày đăng ký", "Ngày lập danh sách", "Ngày khảo sát", "Ngày vào danh sách",
          "registration date", en="Registration date", convert=cv.excel_date,
          comment="Ngày tổ ghi nhận hộ (tùy chọn; để trống thì lấy ngày tập huấn hoặc ngày mở tài khoản)."),
    _spec("member_name", "Thành viên tổ CNS", "Thành viên tổ công nghệ số", "Thành viên tổ", "Tổ viên",
          "Người hỗ trợ", "Cán bộ hỗ trợ", "Họ tên thành viên tổ", "Người hướng dẫn", "team member",
          en="Team member", convert=cv.text(200), comment="Họ tên thành viên Tổ công nghệ số cộng đồng đã hỗ trợ hộ."),
    _spec("member_phone", "SĐT thành viên tổ", "Điện thoại thành viên tổ", "SĐT tổ viên", "SĐT người hỗ trợ",
          "Số điện thoại thành viên tổ", "team member phone", en="Team member phone", convert=fast_phone,
          soft="import.phone_dropped",
          comment="Số điện thoại của thành viên tổ (dùng để nhận ra thành viên)."),
    _spec("training_date", "Ngày tập huấn", "Ngày học", "Ngày đào tạo", "Ngày bồi dưỡng", "training date",
          en="Training date", convert=cv.excel_date, comment="Ngày hộ tham gia tập huấn, dạng ngày/tháng/năm."),
    _spec("training_topic", "Nội dung tập huấn", "Chuyên đề", "Chuyên đề tập huấn", "Nội dung đào tạo",
          "Chủ đề tập huấn", "Lớp tập huấn", "training topic", en="Training topic", convert=cv.text(200),
          comment="Ví dụ: Kỹ năng bán hàng trên sàn TMĐT, Thanh toán số. Để trống: 'Tập huấn kỹ năng số'."),
    _spec("platform", "Sàn TMĐT", "Sàn", "Sàn thương mại điện tử", "Tên sàn", "Nền tảng", "Kênh bán",
          "platform", "marketplace", en="Platform", convert=parse_platforms,
          comment="voso, postmart, shopee, lazada, tiktok, sendo, tiki, facebook, zalo… (một sàn mỗi dòng, "
                  "hoặc nhiều sàn cách nhau bởi dấu phẩy)."),
    _spec("shop", "Mã gian hàng / SĐT đăng nhập", "Mã gian hàng", "ID gian hàng", "Shop ID", "Tên gian hàng",
          "Tài khoản đăng nhập", "Tên đăng nhập", "SĐT đăng nhập", "Tài khoản sàn", "shop id", "login",
          en="Shop id or login phone", convert=shop_ref, cache=False,
          comment="Mã gian hàng trên sàn, hoặc số điện thoại dùng để đăng nhập. Không ghi mật khẩu."),
    _spec("opened_on", "Ngày mở tài khoản", "Ngày mở gian hàng", "Ngày tạo tài khoản", "Ngày đăng ký sàn",
          "Ngày mở", "opened on", en="Account opened on", convert=cv.excel_date,
          comment="Ngày tài khoản/gian hàng được mở."),
    _spec("status", "Trạng thái tài khoản", "Trạng thái", "Tình trạng", "Tình trạng tài khoản", "status",
          en="Account status", convert=parse_account_status,
          comment="Đang hoạt động, Chờ duyệt, Tạm khóa hoặc Đã đóng (để trống: Đang hoạt động)."),
]
REGISTER_COLUMNS: list[ColumnSpec] = [*HOUSEHOLD_COLUMNS, *REGISTER_OWN_COLUMNS]
ACCOUNT_FIELDS = ("shop", "opened_on", "status")
