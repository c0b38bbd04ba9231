"""TCVN3 and VNI: golden strings, detection per cell, and encode→decode round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.importing.legacy import (
    Legacy,
    decode_tcvn3,
    decode_vni,
    detect_legacy,
    encode_tcvn3,
    encode_vni,
    syllable_score,
)

TCVN3_GOLDEN = [
    ("TiÕng ViÖt", "Tiếng Việt"),
    ("B¾c K¹n", "Bắc Kạn"),
    ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    ("H­íng dÉn", "Hướng dẫn"),
    ("g¹o nÕp KhÈu Nua LÕch", "gạo nếp Khẩu Nua Lếch"),
    ("QuyÕt ®Þnh", "Quyết định"),
    ("mËt ong rõng, m¨ng kh«, méc nhÜ", "mật ong rừng, măng khô, mộc nhĩ"),
    ("r­îu men l¸", "rượu men lá"),
]
VNI_GOLDEN = [
    ("Tieáng Vieät", "Tiếng Việt"),
    ("Mieán dong Baéc Kaïn", "Miến dong Bắc Kạn"),
    ("Hôïp taùc xaõ", "Hợp tác xã"),
    ("Ñaëc saûn röôïu men laù", "Đặc sản rượu men lá"),
    ("ÑOÄC LAÄP", "ĐỘC LẬP"),
    ("Nguyeãn Thò Hoa", "Nguyễn Thị Hoa"),
]


@pytest.mark.parametrize(("legacy", "unicode"), TCVN3_GOLDEN)
def test_tcvn3_golden(legacy: str, unicode: str) -> None:
    assert decode_tcvn3(legacy) == unicode
    assert encode_tcvn3(unicode) == legacy
    assert detect_legacy(legacy) == (Legacy.tcvn3, False)


@pytest.mark.parametrize(("legacy", "unicode"), VNI_GOLDEN)
def test_vni_golden(legacy: str, unicode: str) -> None:
    assert decode_vni(legacy) == unicode
    assert encode_vni(unicode) == legacy
    assert detect_legacy(legacy) == (Legacy.vni, False)


def test_the_capitals_font_draws_upper_case() -> None:
    assert decode_tcvn3("miÕn dong", capitals=True) == "MIẾN DONG"
    assert detect_legacy("miÕn dong", ".VnTimeH") == (Legacy.tcvn3, True)


@pytest.mark.parametrize("text", ["Cà phê", "Bánh mì", "Café crème", "Hà Nội", "Miến dong", "SKU-01", ""])
def test_unicode_and_latin_text_is_left_alone(text: str) -> None:
    assert detect_legacy(text) is None


def test_the_font_decides_when_statistics_cannot() -> None:
    # "Bµn" is not Vietnamese as it stands; under a VNI font the same letters would be read as VNI
    assert detect_legacy("Tµi", ".VnTime") == (Legacy.tcvn3, False)
    assert detect_legacy("Cà phê", ".VnTime") is None  # already Unicode: nothing to decode


def test_syllable_score() -> None:
    assert syllable_score("Tiếng Việt") == 1.0
    assert syllable_score("Tieáng") == 0.0
    assert syllable_score("SKU 123") is None


LOWER_VIET = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
TEXT = st.text(alphabet=LOWER_VIET + "ĂÂÊÔƠƯĐ ABCDEFGHIKLMNOPQRSTUVXY0123456789-.,/", max_size=60)
VNI_TEXT = st.text(alphabet=LOWER_VIET + LOWER_VIET.upper() + " 0123456789-.,/", max_size=60)


@given(TEXT)
def test_tcvn3_round_trip(text: str) -> None:
    assert decode_tcvn3(encode_tcvn3(text)) == text


@given(VNI_TEXT)
def test_vni_round_trip(text: str) -> None:
    assert decode_vni(encode_vni(text)) == text
