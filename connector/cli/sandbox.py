"""``agri sandbox``: run the simulated marketplaces (voso, postmart, generic) on loopback."""

from __future__ import annotations

from pathlib import Path

import typer

from connector.cli.output import JsonOption, emit_json, reporting
from connector.console import console
from connector.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("sandbox")
    def sandbox(
        port: int | None = typer.Option(None, "--port", min=0, max=65535,
                                        help="Cổng lắng nghe (mặc định: cổng trong AGRI_SANDBOX_URL, 8790). Port to "
                                             "listen on (default: the port of AGRI_SANDBOX_URL)."),
        faults: str = typer.Option(
            "", "--faults",
            help="Lỗi giả lập, ví dụ 'latency=50ms,5xx=0.1,429=0.05,429body=0.05,timeout=0.02,drop=0.05,"
            "token-ttl=200,rate=100/s'. Fault-injection spec.",
        ),
        review_fraction: float = typer.Option(
            0.0, "--review-fraction", min=0.0, max=1.0,
            help="Tỉ lệ sản phẩm mới phải chờ duyệt. Fraction of new listings held for review.",
        ),
        backfill_months: int = typer.Option(
            0, "--backfill-months", min=0, max=36,
            help="Số tháng đơn hàng cũ tạo sẵn cho mỗi gian hàng. Months of order history to seed.",
        ),
        state: Path | None = typer.Option(
            None, "--state", help="Tệp JSON giữ trạng thái giữa các lần chạy (mặc định $AGRI_DATA_DIR/sandbox.json, "
            "dùng chung với agri demo). JSON file keeping state across runs (default: the demo's).",
        ),
        json_mode: bool = JsonOption,
    ) -> None:
        """Chạy sàn giả lập (voso, postmart, generic) trên máy. Run the marketplace sandbox on loopback."""
        from connector.sandbox import Sandbox, parse_faults, serve
        from connector.serving import bound_url, listen_socket

        with reporting(json_mode):
            state = state or get_settings().data_dir / "sandbox.json"
            port = port if port is not None else get_settings().sandbox_port
            parsed = parse_faults(faults or None)
            # an unreadable state file stops here (before it could be saved over), as does a port in use
            sandbox_app = Sandbox(faults=faults or None, review_fraction=review_fraction,
                                  backfill_months=backfill_months, state_path=state)
            sock = listen_socket("127.0.0.1", port)
            base = bound_url(sock)
            data = {
                "base_url": base,
                "marketplaces": {name: f"{base}/{name}" for name in ("voso", "postmart", "generic")},
                "control": f"{base}/_sandbox",
                "faults": parsed.describe(),
                "review_fraction": review_fraction,
                "backfill_months": backfill_months,
                "state": str(state) if state else None,
            }
            if json_mode:
                emit_json(data=data)
            else:
                console.print(f"Sàn giả lập / sandbox: {base}  (voso, postmart, generic; điều khiển {base}/_sandbox)")
        serve(port=port, faults=faults or None, review_fraction=review_fraction, state_path=state,
              backfill_months=backfill_months, sock=sock, sandbox=sandbox_app)
