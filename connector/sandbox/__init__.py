"""Simulated marketplaces (voso, postmart, generic) for tests and the demo; the engine never imports this.

What the package offers (the CLI, the demo, the benchmarks and the tests import only these, from
``connector.sandbox``):

- :func:`running_sandbox` (a sandbox on loopback in a background thread, as a
  :class:`SandboxHandle`), :func:`serve` (``agri sandbox``, foreground), :class:`RemoteSandbox`
  (one started elsewhere, driven over its control routes), :class:`Sandbox` (a run: state, faults,
  app);
- :class:`Faults` and :func:`parse_faults` (the fault-injection spec);
- :func:`export_sandbox_orders` and :class:`SandboxExport` (a seller-centre order export of a
  sandbox account);
- :func:`sample_image` (the JPEGs the sandbox serves) and :class:`Shop` (a shop of its state).

Each name loads its module on first use, so ``agri sandbox`` does not load the export code and
``agri listings sandbox-export`` does not load the web server.

Inside: ``app.py`` assembles the app; one module per marketplace contract (``voso.py``,
``postmart.py``, ``generic.py``) and ``control.py`` (``/_sandbox``) hold the routes;
``contract.py`` what they share; ``state.py`` the world they change; ``faults.py`` and
``faults_asgi.py`` the injected faults; ``images.py`` the image checks; ``server.py`` running it;
``exports.py`` the order export.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "Faults",
    "RemoteSandbox",
    "Sandbox",
    "SandboxExport",
    "SandboxHandle",
    "Shop",
    "export_sandbox_orders",
    "parse_faults",
    "running_sandbox",
    "sample_image",
    "serve",
]

if TYPE_CHECKING:
    from connector.sandbox.app import Sandbox
    from connector.sandbox.exports import SandboxExport, export_sandbox_orders
    from connector.sandbox.faults import Faults, parse_faults
    from connector.sandbox.images import sample_image
    from connector.sandbox.server import RemoteSandbox, SandboxHandle, running_sandbox, serve
    from connector.sandbox.state import Shop


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.sandbox`` stays cheap."""
    if name in {"Sandbox"}:
        from connector.sandbox import app

        value = getattr(app, name)
    elif name in {"SandboxExport", "export_sandbox_orders"}:
        from connector.sandbox import exports

        value = getattr(exports, name)
    elif name in {"Faults", "parse_faults"}:
        from connector.sandbox import faults

        value = getattr(faults, name)
    elif name in {"sample_image"}:
        from connector.sandbox import images

        value = getattr(images, name)
    elif name in {"RemoteSandbox", "SandboxHandle", "running_sandbox", "serve"}:
        from connector.sandbox import server

        value = getattr(server, name)
    elif name in {"Shop"}:
        from connector.sandbox import state

        value = getattr(state, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
