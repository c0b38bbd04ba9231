"""Cells of a register file: phones (the fast path is exactly phonenumbers'), shop ids, platforms, statuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.errors import CatalogueValidationError
from catalog.importing.table import spec_index
from catalog.phone import normalize_phone
from catalog.text import slug
from connector.accounts import AccountStatus
from connector.onboarding.columns import FAST_PREFIXES, REGISTER_COLUMNS, fast_phone, shop_ref
from connector.onboarding.platforms import parse_account_status, parse_platforms
from connector.onboarding.register import _code_slug


def _slow(value: str) -> str | None:
    try:
        return normalize_phone(value)
    except CatalogueValidationError:
        return None


def _fast(value: str) -> str | None:
    try:
        return fast_phone(value)
    except CatalogueValidationError:
        return None


@given(prefix=st.sampled_from([*sorted(FAST_PREFIXES), "012", "020", "099", "089", "052"]),
       rest=st.text(alphabet="0123456789", min_size=6, max_size=8),
       style=st.sampled_from(["plain", "spaced", "dotted", "no-zero"]))
def test_fast_phone_is_exactly_normalize_phone(prefix: str, rest: str, style: str) -> None:
    number = prefix + rest
    text = {"plain": number, "spaced": f"{number[:4]} {number[4:7]} {number[7:]}",
            "dotted": f"{number[:4]}.{number[4:]}", "no-zero": number[1:]}[style]
    assert _fast(text) == _slow(text)


@pytest.mark.parametrize("value", ["0912 345 678", "+84 912 345 678", "01683456789", "0209 3870 123", 912345678.0,
                                   "abc", "", "٠٩١٢٣٤٥٦٧٨"])
def test_fast_phone_other_shapes_fall_back(value: object) -> None:
    assert _fast(value) == _slow(value)  # type: ignore[arg-type]


def test_shop_ref_tells_a_login_phone_from_a_shop_id() -> None:
    assert shop_ref("0912 345 678") == ("login_phone", "+84912345678")
    assert shop_ref("SHOP123") == ("shop_id", "SHOP123")
    assert shop_ref(123456789012.0) == ("shop_id", "123456789012")  # a long numeric shop id is not a phone


def test_platform_and_status_words() -> None:
    assert parse_platforms("Vỏ Sò") == ("voso",)
    assert parse_platforms("VOSO.VN") == ("voso",)
    assert parse_platforms("Postmart; TikTok Shop, voso") == ("postmart", "tiktok", "voso")
    assert parse_platforms("Bưu điện") == ("postmart",)
    with pytest.raises(CatalogueValidationError) as caught:
        parse_platforms("amazon")
    assert caught.value.code == "onboarding.platform_unknown"
    assert parse_account_status("Chờ duyệt") is AccountStatus.pending
    assert parse_account_status("TẠM KHOÁ") is AccountStatus.suspended
    assert parse_account_status("đã mở") is AccountStatus.active


def test_headers_are_unambiguous() -> None:
    seen: dict[str, str] = {}
    index = spec_index(REGISTER_COLUMNS)
    for spec in REGISTER_COLUMNS:
        for key in spec.keys():  # noqa: SIM118 (a ColumnSpec method, not a dict)
            if key in seen and seen[key] != spec.field:
                # a key two columns claim must at least go to the first one, deterministically
                assert index[key].field == seen[key]
            seen.setdefault(key, spec.field)
    for header, field in [("Tên hộ", "producer_name"), ("Chủ hộ", "representative"), ("SĐT", "phone"),
                          ("SĐT thành viên tổ", "member_phone"), ("Thành viên tổ", "member_name"),
                          ("Sàn", "platform"), ("Trạng thái", "status"), ("Thôn/bản", "address"),
                          ("Huyện", "district_old"), ("Xã cũ", "commune_old"), ("Ngày tập huấn", "training_date")]:
        from catalog.importing.table import header_key

        assert index[header_key(header)].field == field, header


@given(st.text(max_size=20) | st.from_regex(r"[0-9A-Z]{2,5}-[0-9]{4}", fullmatch=True))
def test_code_slug_is_slug(code: str) -> None:
    assert _code_slug(code) == slug(code)
