"""Run the sandbox: :func:`running_sandbox` (tests and the demo, background thread on loopback) and
:func:`serve` (``agri sandbox``, foreground).  :class:`SandboxHandle` drives a running sandbox
in-process; :class:`RemoteSandbox` drives one over its ``/_sandbox`` HTTP control routes."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from catalog.errors import ConfigurationError
from connector.sandbox.app import Sandbox
from connector.sandbox.state import MARKETPLACES
from connector.serving import listen_socket, serving_in_thread

DEFAULT_PORT = 8790


def _check_marketplace(marketplace: str) -> None:
    if marketplace not in MARKETPLACES:
        raise ConfigurationError("adapters.sandbox_marketplace", value=marketplace, allowed=", ".join(MARKETPLACES))


class _Addresses:
    """The addresses of a sandbox at ``base_url``, wherever it runs."""

    base_url: str

    def url_for(self, marketplace: str) -> str:
        """The base URL an account on ``marketplace`` (voso, postmart, generic) uses."""
        _check_marketplace(marketplace)
        return f"{self.base_url}/{marketplace}"

    def image_url(self, name: str, *, side: int = 1000) -> str:
        """A JPEG the sandbox serves itself (for listings whose images go by URL)."""
        return f"{self.base_url}/_sandbox/images/{name}.jpg?side={side}"


class SandboxHandle(_Addresses):
    """A sandbox running in this process."""

    def __init__(self, sandbox: Sandbox, base_url: str) -> None:
        self.sandbox = sandbox
        self.base_url = base_url

    def create_account(self, marketplace: str, shop_name: str) -> dict[str, str]:
        """A new shop; returns the credentials an account needs (and nothing else)."""
        _check_marketplace(marketplace)
        return dict(self.sandbox.state.create_shop(marketplace, shop_name).credentials)

    def advance_clock(self, delta: timedelta) -> None:
        self.sandbox.state.advance_clock(delta)
        self.sandbox.state.resolve_reviews()

    def generate_orders(self, count: int | None = None) -> list[str]:
        return self.sandbox.state.generate_orders(count)

    def resolve_reviews(self) -> int:
        return self.sandbox.state.resolve_reviews(force=True)

    def state(self) -> dict[str, Any]:
        return self.sandbox.state.snapshot()

    def set_faults(self, spec: str | None) -> None:
        self.sandbox.set_faults(spec)


class RemoteSandbox(_Addresses):
    """The same operations against a sandbox started elsewhere (``agri sandbox``)."""

    def __init__(self, base_url: str = f"http://127.0.0.1:{DEFAULT_PORT}", *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        response = self._client.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def create_account(self, marketplace: str, shop_name: str) -> dict[str, str]:
        _check_marketplace(marketplace)
        return dict(
            self._post("/_sandbox/accounts", {"marketplace": marketplace, "shop_name": shop_name})["credentials"]
        )

    def advance_clock(self, delta: timedelta) -> None:
        self._post("/_sandbox/clock", {"seconds": delta.total_seconds()})

    def generate_orders(self, count: int | None = None) -> list[str]:
        return list(self._post("/_sandbox/orders", {"count": count})["orders"])

    def resolve_reviews(self) -> int:
        return int(self._post("/_sandbox/reviews/resolve", {})["settled"])

    def state(self) -> dict[str, Any]:
        response = self._client.get("/_sandbox/state")
        response.raise_for_status()
        return dict(response.json())

    def set_faults(self, spec: str | None) -> None:
        self._post("/_sandbox/faults", {"spec": spec})


@contextmanager
def running_sandbox(
    *,
    port: int = 0,
    faults: str | None = None,
    review_fraction: float = 0.0,
    state_path: Path | None = None,
    backfill_months: int = 0,
) -> Iterator[SandboxHandle]:
    """Start the sandbox on 127.0.0.1 (``port`` 0: a free port) in a background thread.

    State is saved to ``state_path`` (JSON) on exit and every 2 s when it changed.
    """
    sandbox = Sandbox(
        faults=faults, review_fraction=review_fraction, backfill_months=backfill_months, state_path=state_path
    )
    sock = listen_socket("127.0.0.1", port)
    with serving_in_thread(sandbox.app, sock=sock, name="sandbox", lifespan="on",
                           timeout_graceful_shutdown=2) as base_url:
        yield SandboxHandle(sandbox, base_url)


def serve(
    *,
    port: int = DEFAULT_PORT,
    host: str = "127.0.0.1",
    faults: str | None = None,
    review_fraction: float = 0.0,
    state_path: Path | None = None,
    backfill_months: int = 0,
    sock: socket.socket | None = None,
    sandbox: Sandbox | None = None,
) -> None:
    """Run the sandbox in the foreground until interrupted (``agri sandbox``); ``sock`` (from
    :func:`listen_socket`) is served instead of binding ``host``:``port``, ``sandbox`` (already
    loaded from its state file) instead of a new one."""
    sandbox = sandbox or Sandbox(
        faults=faults, review_fraction=review_fraction, backfill_months=backfill_months, state_path=state_path
    )
    sock = sock or listen_socket(host, port)
    try:
        uvicorn.Server(uvicorn.Config(sandbox.app, host=host, port=port, log_level="info",
                                      access_log=False)).run(sockets=[sock])
    finally:
        sock.close()
