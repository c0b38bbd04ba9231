"""Images in the sandbox: the marketplaces' checks (an image profile of ``catalog.images`` and a
shorter side of at least 300 px) for uploads and for images by URL, and the sample JPEGs the
sandbox serves itself (``/_sandbox/images/{name}``)."""

from __future__ import annotations

import hashlib
import io

import httpx
from PIL import Image, UnidentifiedImageError

from catalog.images import ImageProfile

MAX_IMAGE_BYTES = 3_000_000
MIN_IMAGE_SIDE = 300


async def fetch_image_problem(
    fetcher: httpx.AsyncClient | None, url: str, profile: ImageProfile | None
) -> str | None:
    """None when ``url`` gives an image the marketplace accepts, else why not."""
    if not url.startswith(("http://", "https://")):
        return "Địa chỉ ảnh phải là http(s)."
    assert fetcher is not None  # made by the app's lifespan
    try:
        response = await fetcher.get(url)
    except httpx.HTTPError as exc:
        return f"Không tải được ảnh ({type(exc).__name__})."
    return _response_problem(response, profile)


def _response_problem(response: httpx.Response, profile: ImageProfile | None) -> str | None:
    if response.status_code != 200:
        return f"Không tải được ảnh (HTTP {response.status_code})."
    if not response.headers.get("content-type", "").startswith("image/"):
        return "Địa chỉ không trả về ảnh."
    return image_bytes_problem(response.content, profile)


def image_bytes_problem(data: bytes, profile: ImageProfile | None = None) -> str | None:
    """Why the marketplace refuses this image (None: fine): its profile's size and formats, and a
    shorter side of at least 300 px."""
    max_bytes = profile.max_bytes if profile else MAX_IMAGE_BYTES
    formats = profile.formats if profile else ("JPEG", "PNG")
    if len(data) > max_bytes:
        return f"Ảnh lớn quá {max_bytes} byte."
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in formats:
                return f"Định dạng ảnh {image.format} không được nhận (chỉ {', '.join(formats)})."
            if min(image.size) < MIN_IMAGE_SIDE:
                return f"Ảnh nhỏ quá ({image.size[0]}×{image.size[1]}, cần ít nhất {MIN_IMAGE_SIDE} px)."
    except (UnidentifiedImageError, OSError):
        return "Tệp không phải là ảnh."
    return None


_SAMPLES: dict[str, bytes] = {}


def sample_image(name: str, side: int = 1000) -> bytes:
    """A square JPEG of ``side`` pixels whose colour is drawn from ``name`` (made once, then kept)."""
    key = f"{name}:{side}"
    if key not in _SAMPLES:
        digest = hashlib.sha256(name.encode()).digest()
        image = Image.new("RGB", (side, side), (digest[0], digest[1], digest[2]))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        _SAMPLES[key] = buffer.getvalue()
    return _SAMPLES[key]
