"""Marketplaces without an API: listing packs, manual binding, seller-centre order exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "STATUS_WORDS",
    "PackSnapshot",
    "RowStatus",
    "bind_from_pack",
    "bind_manually",
    "build_pack",
    "channel_names",
    "import_order_export",
    "load_channel",
    "unbind_manually",
    "write_order_export",
]

if TYPE_CHECKING:
    from connector.listings.bind import bind_from_pack, bind_manually, unbind_manually
    from connector.listings.channels import channel_names, load_channel
    from connector.listings.exports import import_order_export, write_order_export
    from connector.listings.models import PackSnapshot
    from connector.listings.pack import build_pack
    from connector.listings.rows import STATUS_WORDS, RowStatus


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.listings`` stays cheap."""
    if name in {"bind_from_pack", "bind_manually", "unbind_manually"}:
        from connector.listings import bind

        value = getattr(bind, name)
    elif name in {"channel_names", "load_channel"}:
        from connector.listings import channels

        value = getattr(channels, name)
    elif name in {"import_order_export", "write_order_export"}:
        from connector.listings import exports

        value = getattr(exports, name)
    elif name in {"PackSnapshot"}:
        from connector.listings import models

        value = getattr(models, name)
    elif name in {"build_pack"}:
        from connector.listings import pack

        value = getattr(pack, name)
    elif name in {"RowStatus", "STATUS_WORDS"}:
        from connector.listings import rows

        value = getattr(rows, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
