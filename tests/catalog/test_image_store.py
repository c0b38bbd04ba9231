"""The content-addressed store: originals, the cache of prepared variants, bulk preparation."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from catalog import image_store
from catalog.errors import NotFoundError
from catalog.image_store import ImageStore, prepare_many, variants_of
from catalog.images import DEFAULT_PROFILE, ImageError, ImageProfile, PreparedImage, prepare

SMALL = ImageProfile(name="small", min_side=128, max_side=256, max_bytes=200_000)


def photo(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (320, 240), fmt: str = "JPEG") -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (22.0, 8.0, 50.0)}
    Image.new("RGB", size, colour).save(out, fmt, exif=exif)
    return out.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ImageStore]:
    s = ImageStore(tmp_path / "media")
    yield s
    s.close()


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the real preparations the store asks for."""
    calls: list[int] = []

    def counted(data: bytes, profile: ImageProfile = DEFAULT_PROFILE) -> PreparedImage:
        calls.append(1)
        return prepare(data, profile)

    monkeypatch.setattr(image_store, "prepare", counted)
    return calls


def test_originals_are_content_addressed(store: ImageStore) -> None:
    data = photo()
    sha, ext = store.put_original(data)
    assert (sha, ext) == (hashlib.sha256(data).hexdigest(), "jpg")
    path = store.original_path(sha)
    assert path == store.root / "originals" / sha[:2] / f"{sha}.jpg"
    assert path.read_bytes() == data
    assert store.put_original(data) == (sha, ext)  # idempotent
    png_sha, png_ext = store.put_original(photo(fmt="PNG"))
    assert png_ext == "png"
    assert store.original_path(png_sha).suffix == ".png"


def test_what_is_not_an_image_is_not_stored(store: ImageStore) -> None:
    with pytest.raises(ImageError) as caught:
        store.put_original(b"<html>not a photo</html>")
    assert caught.value.code == "image.not_image"
    assert not (store.root / "originals").exists()


def test_heic_original_is_kept_even_before_it_can_be_decoded(store: ImageStore) -> None:
    heic = b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heicmiaf" + b"\x00" * 64
    sha, ext = store.put_original(heic)
    assert ext == "heic"
    assert store.original_path(sha).read_bytes() == heic


@pytest.mark.parametrize("name", ["0" * 64, "../index", "../../etc/passwd", "A" * 64, ""])
def test_unknown_or_malformed_original(store: ImageStore, name: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        store.original_path(name)
    assert caught.value.code == "image.not_found"


def test_prepared_once_then_from_the_cache(store: ImageStore, counting: list[int], tmp_path: Path) -> None:
    sha, _ = store.put_original(photo())
    first = store.prepared_for(sha, SMALL)
    second = store.prepared_for(sha, SMALL)
    assert len(counting) == 1
    assert (second.sha256, second.size, second.data) == (first.sha256, first.size, first.data)
    assert store.prepared_path(first.sha256) == store.root / "prepared" / f"{first.sha256}.jpg"
    assert store.prepared_path(first.sha256).read_bytes() == first.data
    reopened = ImageStore(tmp_path / "media")  # the index outlives the process
    assert reopened.prepared_for(sha, SMALL).sha256 == first.sha256
    reopened.close()
    assert len(counting) == 1


def test_a_changed_profile_makes_a_new_variant(store: ImageStore, counting: list[int]) -> None:
    sha, _ = store.put_original(photo())
    small = store.prepared_for(sha, SMALL)
    bigger = store.prepared_for(sha, ImageProfile(name="small", min_side=128, max_side=300, max_bytes=200_000))
    default = store.prepared_for(sha, DEFAULT_PROFILE)
    assert len(counting) == 3
    assert len({small.sha256, bigger.sha256, default.sha256}) == 3
    records = variants_of(store, sha)
    assert {(r.profile_name, r.size) for r in records} == {("small", (256, 256)), ("small", (300, 300)),
                                                           ("default", (1024, 1024))}
    assert all(r.path.is_file() and r.original_sha256 == sha and r.format == "JPEG" for r in records)
    assert variants_of(store, "f" * 64) == []


def test_a_lost_variant_file_is_made_again(store: ImageStore, counting: list[int]) -> None:
    sha, _ = store.put_original(photo())
    first = store.prepared_for(sha, SMALL)
    store.prepared_path(first.sha256).unlink()
    assert store.prepared_for(sha, SMALL).sha256 == first.sha256
    assert len(counting) == 2


def test_originals_are_never_found_as_prepared(store: ImageStore) -> None:
    sha, _ = store.put_original(photo())
    assert store.find_prepared(sha) is None
    with pytest.raises(NotFoundError):
        store.prepared_path(sha)
    assert store.find_prepared("../originals") is None


def test_the_index_lives_in_the_media_dir(store: ImageStore) -> None:
    sha, _ = store.put_original(photo())
    store.prepared_for(sha, SMALL)
    assert sorted(p.name for p in store.root.iterdir()) == sorted(
        ["index.sqlite3", "index.sqlite3-shm", "index.sqlite3-wal", "originals", "prepared"])


def test_prepare_many_in_order_with_errors_and_cache(store: ImageStore, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.jpg"
    good.write_bytes(photo())
    fake = tmp_path / "fake.jpg"
    fake.write_text("not an image")
    items: list[Path | str | bytes] = [good, str(fake), tmp_path / "missing.jpg", photo((0, 0, 200), fmt="PNG"), b""]
    results = prepare_many(items, SMALL, store, workers=2, progress=True)
    assert [r.ok for r in results] == [True, False, False, True, False]
    assert [r.error.code for r in results if r.error] == ["image.not_image", "file.unreadable", "image.empty"]
    assert results[0].source == str(good)
    assert results[3].source == "<bytes #4>"
    assert results[0].original_sha256 == hashlib.sha256(good.read_bytes()).hexdigest()
    assert results[0].variant is not None
    assert results[0].variant.size == (256, 256)
    assert not any(r.cached for r in results)
    assert "preparing images" in capsys.readouterr().err

    again = prepare_many(items, SMALL, store, workers=2, progress=False)
    assert [r.cached for r in again] == [True, False, False, True, False]
    assert [r.variant.sha256 for r in again if r.variant] == [r.variant.sha256 for r in results if r.variant]


def test_prepare_many_notices_a_changed_file(store: ImageStore, tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    path.write_bytes(photo((200, 0, 0)))
    first = prepare_many([path], SMALL, store, workers=1, progress=False)[0]
    path.write_bytes(photo((0, 200, 0)))
    os.utime(path, ns=(1, 1))  # even with an old mtime, the ctime and content differ
    second = prepare_many([path], SMALL, store, workers=1, progress=False)[0]
    assert not second.cached
    assert second.original_sha256 != first.original_sha256


def test_prepare_many_uses_what_prepared_for_made(store: ImageStore, counting: list[int]) -> None:
    data = photo()
    sha, _ = store.put_original(data)
    store.prepared_for(sha, SMALL)
    result = prepare_many([data], SMALL, store, workers=1, progress=False)[0]
    assert result.cached
    assert len(counting) == 1
