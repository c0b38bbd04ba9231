import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from catalog.text import fold, nfc, slug

VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
viet_text = st.text(alphabet=VIET + VIET.upper() + " -.,0123456789", max_size=40)


def test_nfc_composes_and_collapses_spaces() -> None:
    nfd = unicodedata.normalize("NFD", "Bắc  Kạn ")
    assert len(nfd) > len("Bắc  Kạn ")
    assert nfc(nfd) == "Bắc Kạn"


def test_fold_table() -> None:
    assert fold("Bắc Kạn") == "bac kan"
    assert fold("BẮC CẠN") == "bac kan"  # the Cạn/Kạn spelling variant
    assert fold("Đường Đức") == "duong duc"
    assert fold("hòa") == fold("hoà")  # tone placement NFC does not unify
    assert fold("TP. Bắc Kạn") == fold("Thành phố Bắc Kạn")


def test_slug_maps_d_bar() -> None:
    assert slug("Bắc Kạn") == "bac-kan"
    assert slug("Đặc sản Đồng Phúc!") == "dac-san-dong-phuc"


@given(viet_text)
def test_fold_is_idempotent_and_form_insensitive(text: str) -> None:
    key = fold(text)
    assert fold(key) == key
    assert fold(unicodedata.normalize("NFD", text)) == key
    assert fold(text.upper()) == key
    assert all(ch.isascii() for ch in key)


@given(viet_text)
def test_slug_is_url_safe(text: str) -> None:
    out = slug(text)
    assert set(out) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert not out.startswith("-")
    assert not out.endswith("-")


@given(viet_text)
def test_nfc_is_stable(text: str) -> None:
    once = nfc(text)
    assert nfc(once) == once
    assert unicodedata.is_normalized("NFC", once)
