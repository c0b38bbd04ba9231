"""The declarative layout files: both shipped files load, and a faulty one is refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import OrderStatus
from catalog.errors import ConfigurationError
from connector.listings.layouts import LAYOUTS_DIR, layout_names, load_layout
from connector.settings import get_settings


@pytest.mark.parametrize("marketplace", ["voso", "postmart"])
def test_shipped_layouts_load(marketplace: str) -> None:
    layout = load_layout(marketplace)
    assert layout.image_profile == marketplace
    assert {s for _, s in layout.statuses} == set(OrderStatus)  # every status has a word
    assert layout.status_of(layout.word_for(OrderStatus.cancelled)) is OrderStatus.cancelled
    assert layout.max_length("title") is not None


def test_status_words_match_without_case_or_accents() -> None:
    layout = load_layout("voso")
    assert layout.status_of("da huy") is OrderStatus.cancelled
    assert layout.status_of("HOÀN THÀNH") is OrderStatus.completed
    assert layout.status_of("đang đóng gói") is None


def test_unknown_marketplace() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_layout("shopee")
    assert caught.value.code == "listings.channel_unknown"
    assert set(layout_names()) >= {"voso", "postmart"}


@pytest.mark.parametrize(("text", "detail"), [
    ("[pack]\ncolumns = [{field = 'sku', header = 'SKU'}]\n", "orders"),
    ((LAYOUTS_DIR / "voso.toml").read_text(encoding="utf-8").replace('field = "url"', 'field = "link"'),
     "unknown fields: link"),
    ((LAYOUTS_DIR / "voso.toml").read_text(encoding="utf-8").replace('"Hoàn thành" = "completed"',
                                                                      '"Hoàn thành" = "done"'), "done"),
    ("marketplace = [", "Invalid value"),
])
def test_faulty_layout_files_are_refused(tmp_path: Path, text: str, detail: str) -> None:
    (tmp_path / "custom.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_layout("custom", tmp_path)
    assert caught.value.code == "listings.channel_invalid"
    assert detail in caught.value.params["detail"]


def test_a_layout_file_in_the_data_dir_takes_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGRI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert load_layout("voso").column("title") is not None
        (tmp_path / "channels").mkdir()
        template = (LAYOUTS_DIR / "voso.toml").read_text(encoding="utf-8")
        (tmp_path / "channels" / "voso.toml").write_text(template.replace('header = "Tên sản phẩm"\nmax_length = 120',
                                                                          'header = "Tên SP"\nmax_length = 80'),
                                                         encoding="utf-8")
        title = load_layout("voso").column("title")
        assert title is not None and (title.header, title.max_length) == ("Tên SP", 80)
    finally:
        monkeypatch.delenv("AGRI_DATA_DIR")
        get_settings.cache_clear()
