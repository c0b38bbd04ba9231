"""``agri init``: create or upgrade the database."""

from __future__ import annotations

import typer

from connector.cli.context import current_engine
from connector.cli.output import JsonOption, emit_json, reporting
from connector.console import console, err_console
from connector.db import init_db
from connector.secrets import new_secret_key
from connector.settings import get_settings


def register(app: typer.Typer) -> None:
    register_demo(app)

    @app.command("init")
    def init(
        json_mode: bool = JsonOption,
        new_key: bool = typer.Option(False, "--new-secret-key", help="Print a fresh AGRI_SECRET_KEY and exit."),
    ) -> None:
        """Tạo hoặc nâng cấp cơ sở dữ liệu (chạy lại không đổi gì). Create or upgrade the database."""
        if new_key:
            console.print(new_secret_key())
            return
        with reporting(json_mode):
            settings = get_settings()
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            result = init_db(current_engine())
            data = {"database": _safe_url(settings.database_url), "revision_before": result.before,
                    "revision": result.after, "seeded": result.seeded, "changed": result.changed}
            if json_mode:
                emit_json(data=data)
            elif result.changed:
                console.print(f"Cơ sở dữ liệu {data['database']}: phiên bản {result.before or '—'} → "
                              f"{result.after}; nạp lại: {', '.join(result.seeded) or '—'}")
            else:
                console.print(f"Cơ sở dữ liệu {data['database']} đã ở phiên bản mới nhất ({result.after}); "
                              "không có gì thay đổi.")


def register_demo(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(json_mode: bool = JsonOption) -> None:
        """Chạy thử toàn bộ quy trình trên dữ liệu mẫu. Run the main job end to end on sample data."""
        from connector.demo import run_demo

        with reporting(json_mode):
            ctx = run_demo(settings=get_settings(), engine=current_engine(),
                           console=err_console if json_mode else console)
            if json_mode:  # the running sandbox is a handle: its address is what a script can use
                emit_json(data={key: getattr(value, "base_url", value) if key == "sandbox" else value
                                for key, value in ctx.facts.items()})


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
