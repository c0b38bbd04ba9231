"""Product images: the marketplace image rules (:class:`ImageProfile`).

Each adapter declares its marketplace's profile with this type; ``default`` is the safe
common profile of ``reference/vn-domain.md`` §5.  Preparation itself (``prepare``) lives beside
it once the images issue lands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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


DEFAULT_PROFILE = ImageProfile(name="default")
