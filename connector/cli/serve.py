"""``agri serve``: the web app (and, with ``--with-sandbox``, the simulated marketplaces beside it)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer

from connector.cli.context import current_engine
from connector.cli.output import err_console, reporting
from connector.db import require_current
from connector.serving import listen_socket
from connector.settings import get_settings

SANDBOX_PORT = 8790


@contextlib.contextmanager
def _sandbox(enabled: bool) -> Iterator[None]:
    if not enabled:
        yield
        return
    from connector.web.features import optional_module

    server = optional_module("connector.sandbox")
    if server is None or not hasattr(server, "running_sandbox"):
        err_console.print("Chưa cài đặt sàn giả lập / the sandbox is not installed; starting without it.")
        yield
        return
    state_path = get_settings().data_dir / "sandbox.json"  # the demo's sandbox: its shops keep working
    with server.running_sandbox(port=SANDBOX_PORT, state_path=state_path) as sandbox:
        err_console.print(f"Sàn giả lập / sandbox: {sandbox.base_url}")
        yield


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Địa chỉ nghe. Address to listen on."),
        port: int = typer.Option(8000, "--port", help="Cổng. Port."),
        with_sandbox: bool = typer.Option(False, "--with-sandbox",
                                          help=f"Chạy kèm sàn giả lập ở cổng {SANDBOX_PORT}. Also run the sandbox."),
    ) -> None:
        """Chạy ứng dụng web. Run the web app."""
        import uvicorn

        from connector.web.app import create_app

        with reporting(False):
            engine = current_engine()
            require_current(engine)
            application = create_app(engine=engine, settings=get_settings())
            sock = listen_socket(host, port)  # a port in use is said before anything starts
        bound_host, bound_port = sock.getsockname()[:2]
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "::") else bound_host
        err_console.print(f"Ứng dụng web / web app: http://{f'[{shown}]' if ':' in shown else shown}:{bound_port}"
                          + ("  (mọi địa chỉ của máy / all addresses)" if bound_host in ("0.0.0.0", "::") else ""))
        try:
            with reporting(False), _sandbox(with_sandbox):
                config = uvicorn.Config(application, host=host, port=port, log_level="info", proxy_headers=False)
                uvicorn.Server(config).run(sockets=[sock])
        finally:
            sock.close()
