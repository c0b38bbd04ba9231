"""Serving an ASGI app on a socket: the listening socket with a clear error when the port is
taken, and a uvicorn server in a background thread (the sandbox in tests and the demo, the demo's
media server).  Used by ``agri serve``, ``agri sandbox`` and ``agri demo`` alike."""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from catalog.errors import ConfigurationError


def listen_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0: a free port) for uvicorn to serve on, or a clear
    error: the port taken by another program (often a sandbox or web app already running), or an
    address this machine does not have."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, UnicodeError) as exc:
        raise ConfigurationError("adapters.listen_host", host=host) from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigurationError("adapters.port_in_use", host=host, port=port) from None
        raise ConfigurationError("adapters.listen_failed", host=host, port=port,
                                 detail=exc.strerror or type(exc).__name__) from None
    return sock


def bound_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread: leave signals to the main thread
        return None


@contextmanager
def serving_in_thread(app: Any, *, sock: socket.socket, name: str, **config: Any) -> Iterator[str]:
    """Serve ``app`` on ``sock`` (from :func:`listen_socket`) in a daemon thread; yields its base URL
    once uvicorn listens, and stops it (closing ``sock``) on exit.  ``config`` goes to uvicorn."""
    host, port = sock.getsockname()[:2]
    options: dict[str, Any] = {"log_level": "warning", "access_log": False, **config}
    server = _ThreadServer(uvicorn.Config(app, host=host, port=port, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"{name}-{port}", daemon=True)
    thread.start()
    listening = threading.Event()
    # uvicorn sets ``started`` once it listens; wait on it without a polling loop of our own
    while thread.is_alive() and not server.started:
        listening.wait(0.01)
    try:
        if not server.started:
            raise ConfigurationError("adapters.sandbox_start_failed", detail=f"{name} on port {port}")
        yield bound_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
