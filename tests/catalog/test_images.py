"""prepare(): golden checks on small images, a corpus of broken and odd files, random inputs."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageOps

from catalog import images
from catalog.errors import ConfigurationError
from catalog.images import (
    DEFAULT_PROFILE,
    POSTMART_PROFILE,
    VOSO_PROFILE,
    ImageError,
    ImageProfile,
    PreparedImage,
    prepare,
    profile_named,
)

FIT = ImageProfile(name="fit", aspect="fit", min_side=330, max_side=5000, max_bytes=3_000_000)
SMALL = ImageProfile(name="small", min_side=128, max_side=256, max_bytes=200_000)
SMALL_FIT = ImageProfile(name="small-fit", aspect="fit", min_side=128, max_side=256, max_bytes=200_000)
QUADRANTS = {"tl": (230, 20, 20), "tr": (20, 200, 20), "bl": (20, 20, 230), "br": (240, 240, 20)}


def encode(img: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def assert_meets(prepared: PreparedImage, profile: ImageProfile) -> Image.Image:
    """The output is what the profile promises: format, sides, shape, bytes, hash, no metadata."""
    img = Image.open(io.BytesIO(prepared.data))
    assert img.format == profile.output_format
    assert img.mode == "RGB"
    assert img.size == prepared.size
    assert all(profile.min_side <= side <= profile.max_side for side in img.size)
    if profile.aspect == "square":
        assert img.width == img.height
    assert prepared.byte_count <= profile.max_bytes
    assert prepared.sha256 == hashlib.sha256(prepared.data).hexdigest()
    assert prepared.profile == profile
    assert not img.getexif()
    assert not {"exif", "icc_profile", "comment"} & set(img.info)
    return img


def close(pixel: object, expected: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def quadrant_image(size: tuple[int, int] = (300, 200)) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size)
    for name, box in {"tl": (0, 0, w // 2, h // 2), "tr": (w // 2, 0, w, h // 2),
                      "bl": (0, h // 2, w // 2, h), "br": (w // 2, h // 2, w, h)}.items():
        img.paste(QUADRANTS[name], box)
    return img


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares a size but carries almost no pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def noise(size: tuple[int, int], seed: int = 1) -> Image.Image:
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


# --- golden checks -------------------------------------------------------------------------

# What to store so that a viewer applying the EXIF orientation shows the upright picture.
STORED_FOR = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_comes_out_upright(orientation: int) -> None:
    upright = quadrant_image()
    transpose = STORED_FOR[orientation]
    stored = upright if transpose is None else upright.transpose(transpose)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(stored, "JPEG", quality=95, exif=exif)
    assert ImageOps.exif_transpose(Image.open(io.BytesIO(data))).size == upright.size  # the oracle agrees

    assert_upright(assert_meets(prepare(data), DEFAULT_PROFILE))


def assert_upright(img: Image.Image) -> None:
    """The quadrant picture, landscape 1024×683, centred vertically on a white square."""
    side = img.width
    top, bottom = (side - 683) // 2, (side + 683) // 2
    assert close(img.getpixel((side // 4, top + 80)), QUADRANTS["tl"])
    assert close(img.getpixel((3 * side // 4, top + 80)), QUADRANTS["tr"])
    assert close(img.getpixel((side // 4, bottom - 80)), QUADRANTS["bl"])
    assert close(img.getpixel((3 * side // 4, bottom - 80)), QUADRANTS["br"])
    assert close(img.getpixel((side // 2, 10)), (255, 255, 255), 3)


def test_padding_is_white_and_centred() -> None:
    img = assert_meets(prepare(encode(Image.new("RGB", (400, 200), (200, 30, 30)), "PNG")), DEFAULT_PROFILE)
    assert img.size == (1024, 1024)
    for point in [(512, 5), (512, 1018), (5, 5), (1018, 1018)]:
        assert close(img.getpixel(point), (255, 255, 255), 3)
    assert close(img.getpixel((512, 512)), (200, 30, 30), 12)
    assert close(img.getpixel((5, 512)), (200, 30, 30), 12)


def test_fit_keeps_the_ratio() -> None:
    prepared = prepare(encode(noise((800, 400)), "PNG"), FIT)
    assert_meets(prepared, FIT)
    assert prepared.size == (800, 400)


def test_cmyk_becomes_rgb() -> None:
    data = encode(Image.new("CMYK", (300, 300), (0, 255, 255, 0)), "JPEG", quality=95)
    img = assert_meets(prepare(data), DEFAULT_PROFILE)
    assert close(img.getpixel((512, 512)), (255, 0, 0))


def test_transparency_lies_on_white() -> None:
    rgba = Image.new("RGBA", (300, 300), (0, 0, 0, 0))  # transparent black must not turn black
    rgba.paste((0, 0, 255, 255), (100, 100, 200, 200))
    img = assert_meets(prepare(encode(rgba, "PNG")), DEFAULT_PROFILE)
    assert close(img.getpixel((20, 20)), (255, 255, 255), 3)
    assert close(img.getpixel((512, 512)), (0, 0, 255), 12)


def test_palette_transparency_lies_on_white() -> None:
    palette = Image.new("P", (200, 200), 0)
    palette.putpalette([0, 0, 0, 10, 200, 10] + [0] * 762)
    palette.paste(1, (50, 50, 150, 150))
    img = assert_meets(prepare(encode(palette, "PNG", transparency=0)), DEFAULT_PROFILE)
    assert close(img.getpixel((10, 10)), (255, 255, 255), 3)
    assert close(img.getpixel((512, 512)), (10, 200, 10), 12)


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    grey = Image.new("I;16", (200, 200), 32768)
    data = encode(grey, "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    img = assert_meets(prepare(data), DEFAULT_PROFILE)
    assert close(img.getpixel((512, 512)), (128, 128, 128), 4)


def test_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (200, 200), colour) for colour in [(250, 0, 0), (0, 0, 250)]]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 2
    img = assert_meets(prepare(data), DEFAULT_PROFILE)
    assert close(img.getpixel((512, 512)), (250, 0, 0))


def test_metadata_is_stripped_gps_included() -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (22.0, 8.0, 50.0), 3: "E", 4: (105.0, 50.0, 3.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(noise((640, 480)), "JPEG", exif=exif, icc_profile=icc, comment=b"farm at 22.14N")
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(0x8825)  # the input really has GPS
    prepared = prepare(data)
    img = assert_meets(prepared, DEFAULT_PROFILE)
    assert not img.getexif().get_ifd(0x8825)
    assert b"Exif\x00\x00" not in prepared.data
    assert b"farm at" not in prepared.data


def test_byte_limit_is_met_by_lowering_quality() -> None:
    data = encode(noise((600, 600)), "PNG")
    roomy = prepare(data, SMALL)
    tight_profile = ImageProfile(name="tight", min_side=128, max_side=256, max_bytes=roomy.byte_count * 2 // 3)
    tight = prepare(data, tight_profile)
    assert_meets(tight, tight_profile)
    assert tight.byte_count < roomy.byte_count


def test_byte_limit_that_cannot_be_met_is_an_error() -> None:
    impossible = ImageProfile(name="impossible", min_side=256, max_side=256, max_bytes=500)
    with pytest.raises(ImageError) as caught:
        prepare(encode(noise((300, 300)), "PNG"), impossible)
    assert caught.value.code == "image.too_large_after_encoding"
    assert "500" in caught.value.message("en")


def test_small_images_are_upscaled_and_tiny_ones_refused() -> None:
    prepared = prepare(encode(Image.new("RGB", (120, 90), (10, 10, 200)), "PNG"))
    assert_meets(prepared, DEFAULT_PROFILE)
    assert prepared.size == (1024, 1024)
    with pytest.raises(ImageError) as caught:
        prepare(encode(Image.new("RGB", (99, 60)), "PNG"))
    assert caught.value.code == "image.too_small"


def test_pixel_limit_applies_before_decoding() -> None:
    # 120 MP declared, a few bytes of pixels: had it been decoded it would be "truncated".
    with pytest.raises(ImageError) as caught:
        prepare(png_header(12_000, 10_000))
    assert caught.value.code == "image.too_many_pixels"
    with pytest.raises(ImageError) as caught:
        prepare(encode(Image.new("RGB", (300, 300)), "PNG"), ImageProfile(name="p", max_pixels=50_000))
    assert caught.value.code == "image.too_many_pixels"


# --- the corpus of broken and odd files ----------------------------------------------------

def _jpeg_photo() -> bytes:
    return encode(noise((800, 600)), "JPEG", quality=90)


CORPUS: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "truncated jpeg": (lambda: _jpeg_photo()[: len(_jpeg_photo()) // 2], "image.truncated"),
    "zero bytes": (lambda: b"", "image.empty"),
    "text named .jpg": (lambda: "Miến dong Bắc Kạn, 45.000 đ".encode(), "image.not_image"),
    "html page": (lambda: b"<!doctype html><html><body>404</body></html>", "image.not_image"),
    "postscript": (lambda: b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n", "image.not_image"),
    "decompression bomb": (lambda: png_header(100_000, 100_000), "image.too_many_pixels"),
    "header only png": (lambda: png_header(1000, 1000), "image.truncated"),
    "1x10000 strip": (lambda: encode(Image.new("L", (1, 10_000), 90), "PNG"), None),
    "10000x1 strip": (lambda: encode(Image.new("RGB", (10_000, 1), (9, 9, 9)), "PNG"), None),
    "cmyk jpeg": (lambda: encode(Image.new("CMYK", (300, 200), (10, 200, 30, 5)), "JPEG"), None),
    "cmyk tiff": (lambda: encode(Image.new("CMYK", (300, 200), (10, 200, 30, 5)), "TIFF"), None),
    "16-bit png": (lambda: encode(Image.new("I;16", (300, 200), 40000), "PNG"), None),
    "float tiff": (lambda: encode(Image.new("F", (300, 200), 0.5), "TIFF"), None),
    "palette with transparency": (lambda: encode(Image.new("P", (300, 200)), "PNG", transparency=0), None),
    "grey with alpha": (lambda: encode(Image.new("LA", (300, 200), (100, 128)), "PNG"), None),
    "1-bit png": (lambda: encode(Image.new("1", (300, 200), 1), "PNG"), None),
    "animated gif": (lambda: encode(Image.new("P", (300, 200)), "GIF", save_all=True,
                                    append_images=[Image.new("P", (300, 200), 3)]), None),
    "mpo (phone multi-picture)": (lambda: encode(Image.new("RGB", (400, 300), (9, 9, 90)), "MPO", save_all=True,
                                                 append_images=[Image.new("RGB", (400, 300))]), None),
    "webp": (lambda: encode(Image.new("RGBA", (300, 200), (1, 2, 3, 100)), "WEBP"), None),
    "bmp": (lambda: encode(Image.new("RGB", (300, 200), (1, 2, 3)), "BMP"), None),
    "tiff": (lambda: encode(Image.new("RGB", (300, 200), (1, 2, 3)), "TIFF"), None),
    "screenshot png": (lambda: encode(Image.new("RGBA", (1170, 2532), (240, 240, 240, 255)), "PNG"), None),
}


@pytest.mark.parametrize("profile", [DEFAULT_PROFILE, FIT, VOSO_PROFILE], ids=lambda p: p.name)
@pytest.mark.parametrize("case", list(CORPUS))
def test_corpus_gives_a_valid_output_or_a_clear_code(case: str, profile: ImageProfile) -> None:
    make, expected_code = CORPUS[case]
    data = make()
    if expected_code is None:
        assert_meets(prepare(data, profile), profile)
        return
    with pytest.raises(ImageError) as caught:
        prepare(data, profile)
    assert caught.value.code == expected_code
    assert caught.value.message("vi")
    assert "?" not in caught.value.message("en").replace("?)", "")


def test_heic_without_pillow_heif_says_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "_HEIF_READY", False)
    heic = b"\x00\x00\x00\x1cftypheic\x00\x00\x00\x00mif1heicmiaf" + b"\x00" * 64
    with pytest.raises(ImageError) as caught:
        prepare(heic)
    assert caught.value.code == "image.heic_unsupported"
    assert "pillow-heif" in caught.value.message("vi")


def test_heic_with_pillow_heif() -> None:
    pytest.importorskip("pillow_heif")
    assert images.heif_supported()
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(quadrant_image().transpose(Image.Transpose.ROTATE_90), "HEIF", exif=exif.tobytes(), quality=90)
    assert images.looks_like_heif(data)
    assert_upright(assert_meets(prepare(data), DEFAULT_PROFILE))  # rotated once, not twice


# --- random sizes and modes ----------------------------------------------------------------

FORMATS_FOR = {"RGB": ["PNG", "JPEG", "WEBP", "BMP", "TIFF"], "RGBA": ["PNG", "WEBP", "TIFF"],
               "L": ["PNG", "JPEG", "BMP", "GIF"], "LA": ["PNG"], "P": ["PNG", "GIF", "BMP"],
               "CMYK": ["JPEG", "TIFF"], "I;16": ["PNG", "TIFF"], "1": ["PNG", "BMP"]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mode=st.sampled_from(sorted(FORMATS_FOR)), width=st.integers(1, 400), height=st.integers(1, 400),
       pick=st.integers(0, 4), seed=st.integers(0, 2**16), fit=st.booleans())
def test_random_images_meet_the_profile_or_are_too_small(
        mode: str, width: int, height: int, pick: int, seed: int, fit: bool) -> None:
    fmt = FORMATS_FOR[mode][pick % len(FORMATS_FOR[mode])]
    source = noise((width, height), seed).convert(mode if mode != "I;16" else "I").convert(mode) \
        if mode != "I;16" else Image.new("I;16", (width, height), seed)
    data = encode(source, fmt)
    profile = SMALL_FIT if fit else SMALL
    if max(width, height) < profile.min_source_side:
        with pytest.raises(ImageError) as caught:
            prepare(data, profile)
        assert caught.value.code == "image.too_small"
    else:
        assert_meets(prepare(data, profile), profile)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    assert outcome(data).startswith("image.")


def outcome(data: bytes) -> str:
    """``image.ok`` for a valid output, else the error code; any other exception fails the test."""
    try:
        prepared = prepare(data, SMALL)
    except ImageError as error:
        return error.code
    assert_meets(prepared, SMALL)
    return "image.ok"


@settings(max_examples=30, deadline=None)
@given(cut=st.floats(0.0, 0.99), flip=st.integers(0, 10_000))
def test_damaged_photos_never_crash(cut: float, flip: int) -> None:
    data = bytearray(_PHOTO[: max(1, int(len(_PHOTO) * cut))] if cut else _PHOTO)
    data[flip % len(data)] ^= 0xFF
    assert outcome(bytes(data)).startswith("image.")


_PHOTO = encode(noise((300, 240), 7), "JPEG", quality=80)


# --- profiles ------------------------------------------------------------------------------

def test_profiles_by_name() -> None:
    assert profile_named("default") is DEFAULT_PROFILE
    assert profile_named("voso") is VOSO_PROFILE
    assert profile_named("postmart") is POSTMART_PROFILE
    assert (VOSO_PROFILE.min_side, VOSO_PROFILE.max_side, VOSO_PROFILE.max_bytes, VOSO_PROFILE.max_count) == (
        800, 1200, 1_000_000, 9)
    assert (POSTMART_PROFILE.max_side, POSTMART_PROFILE.max_bytes, POSTMART_PROFILE.formats) == (
        1600, 2_000_000, ("JPEG", "PNG"))
    with pytest.raises(ConfigurationError) as caught:
        profile_named("shopee-typo")
    assert caught.value.code == "image.profile_unknown"


def test_default_profile_is_the_safe_common_one() -> None:
    p = DEFAULT_PROFILE
    assert (p.aspect, p.formats, p.min_side, p.max_side, p.max_bytes, p.color_space) == (
        "square", ("JPEG",), 1024, 1200, 1_000_000, "sRGB")


def test_fingerprint_follows_the_rules_not_the_name() -> None:
    a = ImageProfile(name="a")
    assert a.fingerprint == ImageProfile(name="b").fingerprint
    assert a.fingerprint != ImageProfile(name="a", max_side=1300).fingerprint


@pytest.mark.parametrize("bad", [{"min_side": 2000, "max_side": 1000}, {"formats": ("GIF",)}, {"formats": ()},
                                 {"max_bytes": 0}])
def test_invalid_profiles_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError) as caught:
        ImageProfile(name="bad", **bad)  # type: ignore[arg-type]
    assert caught.value.code == "image.profile_invalid"


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_other_output_formats(fmt: str) -> None:
    profile = ImageProfile(name=fmt.lower(), min_side=128, max_side=256, formats=(fmt,), max_bytes=500_000)
    prepared = prepare(encode(noise((300, 200)), "JPEG"), profile)
    assert prepared.format == fmt
    assert_meets(prepared, profile)
