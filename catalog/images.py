"""Product images: the marketplace image rules (:class:`ImageProfile`) and :func:`prepare`,
which turns whatever a phone produced into what a marketplace accepts.

Each adapter declares its marketplace's profile with this type; ``default`` is the safe
common profile of ``reference/vn-domain.md`` §5 (1:1 sRGB JPEG, 1024–1200 px, ≤ 1 MB).

``prepare`` never trusts the file: the format is judged by content (a small allow-list of
decoders, so no Ghostscript or exotic parser runs), the pixel count is checked from the header
*before* any decoding (decompression bombs), and every failure is an :class:`ImageError` with a
stable code.  Images whose long side is under ``profile.min_source_side`` (100 px by default)
are refused as ``image.too_small``; larger ones below ``min_side`` are upscaled.  An extreme
strip (1×10000) is scaled by its long side and padded, so it still gives a valid image.
The output carries no metadata at all: no EXIF (so no GPS), no ICC, no comment.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

from PIL import Image, ImageCms, UnidentifiedImageError

from catalog.errors import CatalogueValidationError, ConfigurationError

PIPELINE_VERSION = 1
"""Part of every profile fingerprint: bump it when the output of :func:`prepare` changes, so
cached variants are recomputed."""

WHITE = (255, 255, 255)
OUTPUT_EXTENSIONS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_QUALITIES = (85, 80, 75, 70, 64, 57, 50, 42, 35)
_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}


@dataclass(frozen=True, slots=True)
class ImageProfile:
    """What one marketplace accepts, and how we shape an image for it."""

    name: str
    min_side: int = 1024
    max_side: int = 1200
    aspect: Literal["square", "fit"] = "square"  # square: pad to 1:1 on white; fit: keep ratio
    formats: tuple[str, ...] = ("JPEG",)  # Pillow format names, the first one is what we write
    max_bytes: int = 1_000_000
    max_count: int = 8
    color_space: Literal["sRGB"] = "sRGB"
    max_pixels: int = 100_000_000  # refused before decoding: a 108 MP phone photo still passes
    min_source_side: int = 100  # a long side below this is not a product photo: refused, not upscaled

    def __post_init__(self) -> None:
        problems = []
        if not self.formats or self.formats[0] not in OUTPUT_EXTENSIONS:
            problems.append(f"the first format must be one of {', '.join(OUTPUT_EXTENSIONS)}")
        if not 1 <= self.min_side <= self.max_side:
            problems.append("need 1 <= min_side <= max_side")
        if self.max_bytes <= 0 or self.max_count <= 0 or self.max_pixels <= 0:
            problems.append("max_bytes, max_count and max_pixels must be positive")
        if self.aspect not in ("square", "fit"):
            problems.append("aspect must be 'square' or 'fit'")
        if problems:
            raise ConfigurationError("image.profile_invalid", value=self.name, detail="; ".join(problems))

    @property
    def output_format(self) -> str:
        return self.formats[0]

    @property
    def extension(self) -> str:
        return OUTPUT_EXTENSIONS[self.output_format]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a rule or the pipeline changes; the name is not part of it."""
        rules = {k: v for k, v in asdict(self).items() if k != "name"}
        rules["pipeline"] = PIPELINE_VERSION
        return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]


DEFAULT_PROFILE = ImageProfile(name="default")
VOSO_PROFILE = ImageProfile(name="voso", min_side=800, max_side=1200, max_bytes=1_000_000, max_count=9)
POSTMART_PROFILE = ImageProfile(
    name="postmart", min_side=1024, max_side=1600, formats=("JPEG", "PNG"), max_bytes=2_000_000, max_count=8)

_PROFILES: dict[str, ImageProfile] = {p.name: p for p in (DEFAULT_PROFILE, VOSO_PROFILE, POSTMART_PROFILE)}


def profile_names() -> list[str]:
    return sorted(_PROFILES)


def profile_named(name: str) -> ImageProfile:
    """The profile called ``name`` (``default``, ``voso`` or ``postmart``)."""
    try:
        return _PROFILES[name]
    except KeyError:
        raise ConfigurationError("image.profile_unknown", value=name, allowed=", ".join(profile_names())) from None


class ImageError(CatalogueValidationError):
    """An image that cannot be used; ``code`` says why (``image.not_image``, ``image.truncated``…)."""

    default_code = "image.invalid"


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """One image shaped for one profile: the encoded bytes and what they are."""

    data: bytes = field(repr=False)
    size: tuple[int, int]
    sha256: str
    profile: ImageProfile
    format: str = "JPEG"

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]

    @property
    def byte_count(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        return OUTPUT_EXTENSIONS[self.format]


# --- input formats -------------------------------------------------------------------------

_HEIF_READY: bool | None = None


def heif_supported() -> bool:
    """Whether HEIC/HEIF can be decoded (the optional ``heic`` extra, pillow-heif)."""
    global _HEIF_READY
    if _HEIF_READY is None:
        try:
            import pillow_heif  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            _HEIF_READY = False
        else:
            pillow_heif.register_heif_opener()
            _HEIF_READY = True
    return _HEIF_READY


def input_formats() -> tuple[str, ...]:
    """The decoders we let run, by Pillow format name (never EPS, PSD and the like)."""
    wanted = ["JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF"]  # JPEG's opener also reads MPO
    if heif_supported():
        wanted.append("HEIF")
    Image.init()
    return tuple(name for name in wanted if name in Image.OPEN)


def looks_like_heif(data: bytes) -> bool:
    """An ISO-BMFF ``ftyp`` box naming a HEVC-coded HEIF brand (iPhone photos)."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    box_len = int.from_bytes(data[:4], "big")
    brands = data[8:12] + data[16:max(16, min(box_len, 64))]
    return any(brands[i:i + 4] in _HEIF_BRANDS for i in range(0, len(brands) - 3, 4))


def open_image(data: bytes, *, max_pixels: int = DEFAULT_PROFILE.max_pixels) -> Image.Image:
    """Parse the header only (no pixel decoding), judging the format by content.

    Raises ``image.empty``, ``image.heic_unsupported``, ``image.not_image``,
    ``image.too_many_pixels`` (Pillow's own bomb guard) or ``image.corrupt``.
    """
    if not data:
        raise ImageError("image.empty")
    if looks_like_heif(data) and not heif_supported():
        raise ImageError("image.heic_unsupported")
    try:
        with warnings.catch_warnings():
            # We apply our own, per-profile pixel limit right after; Pillow's warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=input_formats())
    except Image.DecompressionBombError as exc:
        raise _bomb(exc, max_pixels) from None
    except UnidentifiedImageError:
        raise ImageError("image.not_image") from None
    except Exception as exc:  # OSError, SyntaxError… and the odd types hostile files provoke
        raise _decode_error(exc) from None


FORMAT_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp",
                     "TIFF": "tif", "AVIF": "avif", "HEIF": "heic"}


def sniff_extension(data: bytes) -> str:
    """The file extension the content calls for (``jpg``, ``png``, ``heic``…), reading the header only.

    A HEIC file is recognised even without pillow-heif, so its original can be kept until the
    extra is installed; anything that is not an image raises :class:`ImageError`.
    """
    if looks_like_heif(data):
        return "heic"
    with open_image(data) as img:
        return FORMAT_EXTENSIONS.get(img.format or "", "img")


def _bomb(exc: Image.DecompressionBombError, max_pixels: int) -> ImageError:
    """Pillow's own guard (twice its MAX_IMAGE_PIXELS) fired while reading the header."""
    numbers = re.findall(r"\d+", str(exc))
    return ImageError("image.too_many_pixels", pixels=int(numbers[0]) if numbers else None, max=max_pixels)


def _decode_error(exc: BaseException) -> ImageError:
    text = str(exc)
    if isinstance(exc, EOFError) or "truncat" in text.lower():
        return ImageError("image.truncated", detail=text)
    return ImageError("image.corrupt", detail=f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


# --- the pipeline --------------------------------------------------------------------------

def prepare(image_bytes: bytes, profile: ImageProfile = DEFAULT_PROFILE) -> PreparedImage:
    """Shape one image for ``profile``: upright, sRGB, resized, padded, encoded, no metadata."""
    try:
        return _prepare(image_bytes, profile)
    except ImageError:
        raise
    except Exception as exc:  # Pillow's parsers raise struct.error, IndexError… on hostile files
        raise _decode_error(exc) from None


def _prepare(image_bytes: bytes, profile: ImageProfile) -> PreparedImage:
    img = open_image(image_bytes, max_pixels=profile.max_pixels)
    width, height = img.size
    _check_size(width, height, profile)
    orientation = _orientation(img)
    icc = img.info.get("icc_profile")
    content = _content_size(width, height, profile)
    if max(content) < max(width, height) and img.format in ("JPEG", "MPO"):
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale (never below the target): most of the speed.
        img.draft(None, content)
    try:
        img.load()
    except Image.DecompressionBombError as exc:
        raise _bomb(exc, profile.max_pixels) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _decode_error(exc) from None
    try:
        working = _flatten(img)
    except (ValueError, OSError):
        raise ImageError("image.mode_unsupported", mode=img.mode) from None
    if working.size != content:
        working = working.resize(content, Image.Resampling.LANCZOS, reducing_gap=3.0)
    working = _to_srgb(working, icc if isinstance(icc, bytes) else None)
    if orientation in _TRANSPOSE:
        working = working.transpose(_TRANSPOSE[orientation])
    canvas = _pad(working, profile)
    data = _encode(canvas, profile)
    with Image.open(io.BytesIO(data)) as check:
        size = check.size
    return PreparedImage(data=data, size=size, sha256=hashlib.sha256(data).hexdigest(), profile=profile,
                         format=profile.output_format)


def _check_size(width: int, height: int, profile: ImageProfile) -> None:
    if width * height > profile.max_pixels:
        raise ImageError("image.too_many_pixels", pixels=width * height, max=profile.max_pixels)
    if max(width, height) < profile.min_source_side or min(width, height) < 1:
        raise ImageError("image.too_small", width=width, height=height, min=profile.min_source_side)


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a damaged EXIF block must not cost the photo
        return 1
    return value if isinstance(value, int) else 1


def _content_size(width: int, height: int, profile: ImageProfile) -> tuple[int, int]:
    """The picture's size before padding, in the file's own (unrotated) orientation."""
    long_side = max(width, height)
    target = min(max(long_side, profile.min_side), profile.max_side)
    scale = target / long_side
    return max(1, round(width * scale)), max(1, round(height * scale))


def _flatten(img: Image.Image) -> Image.Image:
    """8-bit L, RGB or CMYK, with any transparency laid on white."""
    mode = img.mode
    if mode.startswith("I;16"):
        img, mode = img.convert("I"), "I"
    if mode in ("I", "F"):
        return _to_8bit(img)
    if mode == "1":
        return img.convert("L")
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if has_alpha:
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if mode in ("L", "RGB", "CMYK"):
        return img
    return img.convert("RGB")


def _to_8bit(img: Image.Image) -> Image.Image:
    """Scale 16/32-bit grey to 0–255 (Pillow's own conversion clips, turning photos white)."""
    high = float(img.getextrema()[1])  # type: ignore[arg-type]
    if img.mode == "F" and high <= 1.0:
        scale = 255.0
    elif high <= 255:
        scale = 1.0
    else:
        scale = 255.0 / (65535.0 if high <= 65535 else high)
    return img.point(lambda v: v * scale).convert("L")


_SRGB = ImageCms.createProfile("sRGB")
_TRANSFORMS: dict[tuple[bytes, str], ImageCms.ImageCmsTransform | None] = {}


def _to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert through the embedded ICC profile (Display P3, Adobe RGB, a CMYK press profile…)."""
    if icc and img.mode in ("RGB", "CMYK"):
        transform = _transform_for(icc, img.mode)
        if transform is not None:
            return ImageCms.applyTransform(img, transform) or img
    return img if img.mode == "RGB" else img.convert("RGB")


def _transform_for(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    key = (hashlib.sha256(icc).digest(), mode)
    if key not in _TRANSFORMS:
        transform: ImageCms.ImageCmsTransform | None = None
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            # An sRGB source needs no work; anything else (P3, Adobe RGB, CMYK) is converted.
            if mode != "RGB" or "srgb" not in ImageCms.getProfileDescription(source).lower().replace(" ", ""):
                transform = ImageCms.buildTransform(source, _SRGB, mode, "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            transform = None  # a broken profile: use the numbers as they are
        if len(_TRANSFORMS) > 64:
            _TRANSFORMS.clear()
        _TRANSFORMS[key] = transform
    return _TRANSFORMS[key]


def _pad(img: Image.Image, profile: ImageProfile) -> Image.Image:
    """Centre on white: to a square, or (fit) only as far as ``min_side`` on the short side."""
    width, height = img.size
    if profile.aspect == "square":
        box = (max(width, height),) * 2
    else:
        box = (max(width, profile.min_side), max(height, profile.min_side))
    canvas = Image.new("RGB", box, WHITE)
    canvas.paste(img, ((box[0] - width) // 2, (box[1] - height) // 2))
    return canvas


def _encode(canvas: Image.Image, profile: ImageProfile) -> bytes:
    """Step quality down until ``max_bytes`` is met; as a last resort shrink to ``min_side``."""
    sizes: list[int] = []
    attempt: Image.Image | None = canvas
    while attempt is not None:
        for data in _encodings(attempt, profile.output_format):
            if len(data) <= profile.max_bytes:
                return data
            sizes.append(len(data))
        attempt = _shrunk(attempt, profile)
    smallest = min(sizes)
    raise ImageError("image.too_large_after_encoding", max_bytes=profile.max_bytes, bytes=smallest)


def _shrunk(canvas: Image.Image, profile: ImageProfile) -> Image.Image | None:
    factor = profile.min_side / min(canvas.size)
    if factor >= 1:
        return None
    size = (max(profile.min_side, round(canvas.width * factor)), max(profile.min_side, round(canvas.height * factor)))
    return canvas.resize(size, Image.Resampling.LANCZOS)


def _encodings(img: Image.Image, fmt: str) -> Iterator[bytes]:
    """Encodings from best to smallest; a fresh image never carries EXIF, ICC or comments."""
    img.info.clear()
    qualities: tuple[int | None, ...] = (None,) if fmt == "PNG" else _QUALITIES
    for quality in qualities:
        out = io.BytesIO()
        if fmt == "JPEG":
            img.save(out, "JPEG", quality=quality, optimize=True)
        elif fmt == "WEBP":
            img.save(out, "WEBP", quality=quality, method=4)
        else:
            img.save(out, "PNG", optimize=True)
        yield out.getvalue()
