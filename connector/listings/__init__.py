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
    "import_order_export",
    "layout_names",
    "load_layout",
    "unbind_manually",
    "write_order_export",
]

if TYPE_CHECKING:
    from connector.listings.bind import bind_from_pack, bind_manually, unbind_manually
    from connector.listings.layouts import layout_names, load_layout
    from connector.listings.models import PackSnapshot
    from connector.listings.order_reader import import_order_export
    from connector.listings.order_writer import write_order_export
    from connector.listings.pack import build_pack
    from connector.listings.rows import STATUS_WORDS, RowStatus


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.listings`` stays cheap."""
    if name in {"bind_from_pack", "bind_manually", "unbind_manually"}:
        from connector.listings import bind

        value = getattr(bind, name)
    elif name in {"layout_names", "load_layout"}:
        from connector.listings import layouts

        value = getattr(layouts, name)
    elif name in {"PackSnapshot"}:
        from connector.listings import models

        value = getattr(models, name)
    elif name in {"import_order_export"}:
        from connector.listings import order_reader

        value = getattr(order_reader, name)
    elif name in {"write_order_export"}:
        from connector.listings import order_writer

        value = getattr(order_writer, name)
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
