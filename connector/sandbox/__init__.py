"""Simulated marketplaces (voso, postmart, generic) for tests and the demo; the engine never imports this."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["RemoteSandbox", "Sandbox", "export_sandbox_orders", "parse_faults", "running_sandbox", "serve"]

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox
    from connector.sandbox.exports import export_sandbox_orders
    from connector.sandbox.faults import parse_faults
    from connector.sandbox.server import RemoteSandbox, running_sandbox, serve


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.sandbox`` stays cheap."""
    if name in {"Sandbox"}:
        from connector.sandbox import app

        value = getattr(app, name)
    elif name in {"export_sandbox_orders"}:
        from connector.sandbox import exports

        value = getattr(exports, name)
    elif name in {"parse_faults"}:
        from connector.sandbox import faults

        value = getattr(faults, name)
    elif name in {"RemoteSandbox", "running_sandbox", "serve"}:
        from connector.sandbox import server

        value = getattr(server, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
