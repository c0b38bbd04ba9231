"""The platforms a household may sell on, and the words teams write for them and for an account's status.

A register account's ``marketplace`` is one of :data:`PLATFORMS` (an adapter key where an adapter
exists: ``voso``, ``postmart``); social channels (Facebook, Zalo) are recorded the same way
because the province counts them.  Cells are matched on the folded key, so "Vỏ Sò", "VOSO.VN"
and "voso" are one platform.
"""

from __future__ import annotations

from catalog.errors import CatalogueValidationError
from catalog.importing import Cell, cell_text
from catalog.text import fold
from connector.accounts import AccountStatus

# key: (label, spellings seen in teams' files)
PLATFORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "voso": ("Voso.vn", ("voso", "voso.vn", "vỏ sò", "vo so", "viettel post", "viettelpost", "voso viettel")),
    "postmart": ("Postmart.vn", ("postmart", "postmart.vn", "post mart", "vnpost", "vn post", "bưu điện",
                                 "buu dien", "bưu điện việt nam")),
    "shopee": ("Shopee", ("shopee", "shoppe", "shopee.vn", "sopee")),
    "lazada": ("Lazada", ("lazada", "lazada.vn", "lazda")),
    "tiktok": ("TikTok Shop", ("tiktok", "tik tok", "tiktok shop", "tiktokshop", "tiktok.com")),
    "sendo": ("Sendo", ("sendo", "sendo.vn", "sen đỏ")),
    "tiki": ("Tiki", ("tiki", "tiki.vn")),
    "facebook": ("Facebook", ("facebook", "fb", "face book", "fanpage", "facebook page", "trang facebook")),
    "zalo": ("Zalo", ("zalo", "zalo shop", "zalo oa", "zalo official account")),
    "alibaba": ("Alibaba", ("alibaba", "alibaba.com")),
    "livestream": ("Livestream", ("livestream", "live stream", "live", "phát trực tiếp", "bán hàng trực tiếp",
                                  "livestream facebook", "livestream tiktok")),
    "fair": ("Hội chợ / chợ phiên", ("hội chợ", "chợ phiên", "hội chợ ocop", "phiên chợ", "fair", "triển lãm")),
    "website": ("Website", ("website", "web", "trang web", "website riêng")),
    "shop": ("Cửa hàng", ("cửa hàng", "shop", "tại cửa hàng", "điểm bán", "cửa hàng ocop")),
    "other": ("Khác", ("khác", "other", "sàn khác")),
}
_PLATFORM_KEYS: dict[str, str] = {fold(spelling): key for key, (label, spellings) in PLATFORMS.items()
                                  for spelling in (key, label, *spellings)}

_STATUS_WORDS: dict[AccountStatus, tuple[str, ...]] = {
    AccountStatus.active: ("active", "hoạt động", "đang hoạt động", "đã mở", "đã kích hoạt", "mở", "đã duyệt",
                           "bình thường", "còn hoạt động", "đang bán", "có"),
    AccountStatus.pending: ("pending", "chờ duyệt", "đang mở", "đang chờ", "chưa kích hoạt", "đang xử lý",
                            "chờ xác minh", "đang đăng ký"),
    AccountStatus.suspended: ("suspended", "tạm khóa", "tạm khoá", "bị khóa", "bị khoá", "khóa", "tạm dừng",
                              "tạm ngừng"),
    AccountStatus.closed: ("closed", "đã đóng", "đóng", "ngừng hoạt động", "đã xóa", "đã xoá", "hủy", "huỷ",
                           "ngừng"),
}
STATUS_LABELS: dict[AccountStatus, str] = {
    AccountStatus.active: "Đang hoạt động", AccountStatus.pending: "Chờ duyệt",
    AccountStatus.suspended: "Tạm khóa", AccountStatus.closed: "Đã đóng",
}
_STATUS_KEYS: dict[str, AccountStatus] = {fold(word): status for status, words in _STATUS_WORDS.items()
                                          for word in (*words, STATUS_LABELS[status])}


def platform_label(key: str) -> str:
    return PLATFORMS[key][0] if key in PLATFORMS else key


def parse_platform(value: Cell) -> str:
    """One platform key from a cell: ``"Vỏ Sò"`` → ``"voso"``."""
    text = cell_text(value)
    key = _PLATFORM_KEYS.get(fold(text))
    if key is None:
        raise CatalogueValidationError("onboarding.platform_unknown", value=text,
                                       allowed=", ".join(label for label, _ in PLATFORMS.values()))
    return key


def parse_platforms(value: Cell) -> tuple[str, ...]:
    """One platform or several in one cell (``"Voso, Postmart"``), in order, without repeats."""
    text = cell_text(value)
    whole = _PLATFORM_KEYS.get(fold(text))
    if whole is not None:
        return (whole,)
    parts = [p for p in text.replace(";", ",").replace("/", ",").replace("+", ",").split(",") if p.strip()]
    return tuple(dict.fromkeys(parse_platform(p) for p in parts)) or (parse_platform(text),)


def parse_account_status(value: Cell) -> AccountStatus:
    text = cell_text(value)
    status = _STATUS_KEYS.get(fold(text))
    if status is None:
        raise CatalogueValidationError("onboarding.status_unknown", value=text,
                                       allowed=", ".join(STATUS_LABELS.values()))
    return status
