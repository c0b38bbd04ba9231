"""The declarative channel files: both shipped files load, and a faulty one is refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.base import OrderStatus
from catalog.errors import ConfigurationError
from connector.listings.channels import CHANNELS_DIR, channel_names, load_channel
from connector.settings import get_settings


@pytest.mark.parametrize("marketplace", ["voso", "postmart"])
def test_shipped_channels_load(marketplace: str) -> None:
    channel = load_channel(marketplace)
    assert channel.image_profile == marketplace
    assert {s for _, s in channel.statuses} == set(OrderStatus)  # every status has a word
    assert channel.status_of(channel.word_for(OrderStatus.cancelled)) is OrderStatus.cancelled
    assert channel.max_length("title") is not None


def test_status_words_match_without_case_or_accents() -> None:
    channel = load_channel("voso")
    assert channel.status_of("da huy") is OrderStatus.cancelled
    assert channel.status_of("HOÀN THÀNH") is OrderStatus.completed
    assert channel.status_of("đang đóng gói") is None


def test_unknown_marketplace() -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_channel("shopee")
    assert caught.value.code == "listings.channel_unknown"
    assert set(channel_names()) >= {"voso", "postmart"}


@pytest.mark.parametrize(("text", "detail"), [
    ("[pack]\ncolumns = [{field = 'sku', header = 'SKU'}]\n", "orders"),
    ((CHANNELS_DIR / "voso.toml").read_text(encoding="utf-8").replace('field = "url"', 'field = "link"'),
     "unknown fields: link"),
    ((CHANNELS_DIR / "voso.toml").read_text(encoding="utf-8").replace('"Hoàn thành" = "completed"',
                                                                      '"Hoàn thành" = "done"'), "done"),
    ("marketplace = [", "Invalid value"),
])
def test_faulty_channel_files_are_refused(tmp_path: Path, text: str, detail: str) -> None:
    (tmp_path / "custom.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_channel("custom", tmp_path)
    assert caught.value.code == "listings.channel_invalid"
    assert detail in caught.value.params["detail"]


def test_a_channel_file_in_the_data_dir_takes_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGRI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert load_channel("voso").column("title") is not None
        (tmp_path / "channels").mkdir()
        template = (CHANNELS_DIR / "voso.toml").read_text(encoding="utf-8")
        (tmp_path / "channels" / "voso.toml").write_text(template.replace('header = "Tên sản phẩm"\nmax_length = 120',
                                                                          'header = "Tên SP"\nmax_length = 80'),
                                                         encoding="utf-8")
        title = load_channel("voso").column("title")
        assert title is not None and (title.header, title.max_length) == ("Tên SP", 80)
    finally:
        monkeypatch.delenv("AGRI_DATA_DIR")
        get_settings.cache_clear()
