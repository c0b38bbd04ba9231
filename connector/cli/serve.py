"""``agri serve``: the web app (and, with ``--with-sandbox``, the simulated marketplaces beside it)."""

from __future__ import annotations

import contextlib

import typer

from catalog.errors import ConfigurationError
from connector.cli.context import current_engine
from connector.cli.output import reporting
from connector.console import err_console
from connector.db import require_current
from connector.serving import listen_socket
from connector.settings import get_settings


def start_sandbox(running: contextlib.ExitStack, port: int) -> None:
    """The sandbox beside the web app on ``port``, stopped with ``running``; its own port in use is said
    with its own option, not the web app's ``--port``."""
    from connector.sandbox import running_sandbox

    state_path = get_settings().data_dir / "sandbox.json"  # the demo's sandbox: its shops keep working
    try:
        sandbox = running.enter_context(running_sandbox(port=port, state_path=state_path))
    except ConfigurationError as error:
        if error.code != "adapters.port_in_use":
            raise
        raise ConfigurationError("serve.sandbox_port_in_use", port=port,
                                 sandbox_url=get_settings().sandbox_url) from None
    err_console.print(f"Sàn giả lập / sandbox: {sandbox.base_url}")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Địa chỉ nghe. Address to listen on."),
        port: int = typer.Option(8000, "--port", help="Cổng của ứng dụng web. The web app's port."),
        with_sandbox: bool = typer.Option(False, "--with-sandbox", help="Chạy kèm sàn giả lập. Also run the sandbox."),
        sandbox_port: int | None = typer.Option(
            None, "--sandbox-port", min=0, max=65535,
            help="Cổng của sàn giả lập (mặc định: cổng trong AGRI_SANDBOX_URL, 8790). The sandbox's port "
                 "(default: the port of AGRI_SANDBOX_URL)."),
    ) -> None:
        """Chạy ứng dụng web. Run the web app."""
        import uvicorn

        from connector.web import create_app

        with contextlib.ExitStack() as running:
            with reporting(False):
                engine = current_engine()
                require_current(engine)
                application = create_app(engine=engine, settings=get_settings())
                # the sandbox first: a port in use (the web app's or the sandbox's) is said before anything serves
                if with_sandbox:
                    start_sandbox(running, sandbox_port if sandbox_port is not None else get_settings().sandbox_port)
                sock = listen_socket(host, port)
            running.callback(sock.close)
            bound_host, bound_port = sock.getsockname()[:2]
            shown = "127.0.0.1" if bound_host in ("0.0.0.0", "::") else bound_host
            err_console.print(f"Ứng dụng web / web app: http://{f'[{shown}]' if ':' in shown else shown}:{bound_port}"
                              + ("  (mọi địa chỉ của máy / all addresses)" if bound_host in ("0.0.0.0", "::") else ""))
            with reporting(False):
                config = uvicorn.Config(application, host=host, port=port, log_level="info", proxy_headers=False)
                uvicorn.Server(config).run(sockets=[sock])
