"""Where a sync finds the photos it sends: prepared variants, and the address a marketplace fetches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalog.images import ImageProfile, PreparedImage

PrepareImage = Callable[[str, ImageProfile], PreparedImage]


@dataclass
class ImageSource:
    """Where prepared images come from, and how a marketplace that fetches by URL finds them."""

    prepare: PrepareImage
    public_url: Callable[[str, str], str]  # (variant sha256, extension) -> URL
