import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.errors import CatalogueValidationError
from catalog.phone import OLD_MOBILE_PREFIXES, display_phone, normalize_phone

TABLE = [
    ("0912 345 678", "+84912345678"),
    ("0912.345.678", "+84912345678"),
    ("+84 912 345 678", "+84912345678"),
    ("84912345678", "+84912345678"),
    (912345678, "+84912345678"),  # Excel dropped the leading zero
    (912345678.0, "+84912345678"),
    ("01683456789", "+84383456789"),  # old Viettel 11-digit prefix
    ("0123 456 7890", "+84834567890"),  # old VinaPhone prefix 0123 → 083
    ("0209 3870 123", "+842093870123"),  # landline, old Bắc Kạn area code
    ("(0208) 3855 666", "+842083855666"),  # landline, Thái Nguyên
]


@pytest.mark.parametrize(("raw", "expected"), TABLE)
def test_phone_table(raw: object, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "abc", "0912", "+1 415 555 0100", "", 12.5, True])
def test_invalid_phones(raw: object) -> None:
    with pytest.raises(CatalogueValidationError) as info:
        normalize_phone(raw)
    assert info.value.code == "phone.invalid"


MOBILE_PREFIXES = ["086", "096", "097", "098", "032", "038", "088", "091", "094", "083", "090", "093",
                   "070", "079", "092", "056", "058", "059"]  # 089, 099: only some ranges are allocated


@given(st.sampled_from(MOBILE_PREFIXES), st.integers(min_value=0, max_value=9_999_999),
       st.sampled_from(["plain", "spaced", "intl", "no_zero", "dots"]))
def test_mobile_forms_normalise_alike(prefix: str, rest: int, form: str) -> None:
    national = f"{prefix}{rest:07d}"
    shapes = {"plain": national, "spaced": f"{national[:4]} {national[4:7]} {national[7:]}",
              "intl": "+84" + national[1:], "no_zero": national[1:], "dots": ".".join([national[:4], national[4:]])}
    e164 = normalize_phone(shapes[form])
    assert e164 == "+84" + national[1:]
    assert normalize_phone(e164) == e164
    assert normalize_phone(display_phone(e164)) == e164


@given(st.sampled_from(sorted(OLD_MOBILE_PREFIXES)), st.integers(min_value=0, max_value=9_999_999))
def test_old_eleven_digit_mobiles_convert(old: str, rest: int) -> None:
    assert normalize_phone(f"{old}{rest:07d}") == "+84" + OLD_MOBILE_PREFIXES[old][1:] + f"{rest:07d}"
