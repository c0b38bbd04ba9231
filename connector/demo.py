"""``agri demo``: the main job end to end on the embedded default (a SQLite file).

Each step prints what it does and how long it took; the last lines say where the files are.
The steps only call the same service functions as the commands a person would type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine

from connector.db import init_db, session_scope
from connector.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@dataclass
class DemoContext:
    settings: Settings
    engine: Engine
    console: Console
    out_dir: Path
    facts: dict[str, Any] = field(default_factory=dict)


Step = Callable[[DemoContext], str]


def step_database(ctx: DemoContext) -> str:
    result = init_db(ctx.engine)
    return f"cơ sở dữ liệu {ctx.settings.database_url} ở phiên bản {result.after}"


def step_catalogue(ctx: DemoContext) -> str:
    from catalog.importing import import_catalogue

    with session_scope(ctx.engine) as session:
        result = import_catalogue(session=session, path=FIXTURES / "catalogue" / "catalogue.xlsx",
                                  images=FIXTURES / "catalogue" / "images", media_root=ctx.settings.media_dir)
    summary = result.summary()
    ctx.facts["catalogue"] = summary
    labels = {"producers": "chủ thể", "products": "sản phẩm", "certifications": "chứng nhận OCOP", "images": "ảnh"}
    made = ", ".join(f"{summary[k]['created']} {label}" for k, label in labels.items() if k in summary)
    return f"{summary['rows']} dòng → {made}; {summary['errors']} lỗi, {summary['warnings']} cảnh báo"


def step_register(ctx: DemoContext) -> str:
    from connector.onboarding.importer import import_register

    paths = sorted(p for p in (FIXTURES / "onboarding").iterdir() if p.suffix in {".xlsx", ".csv"})
    with session_scope(ctx.engine) as session:
        result = import_register(session=session, paths=paths)
    summary = result.summary()
    ctx.facts["register"] = summary
    return (f"sổ đăng ký từ {len(paths)} tệp: {summary['rows']} dòng, {summary['merges']} hộ gộp với chủ thể "
            f"có sẵn, {summary['merge_candidates']} cặp chờ người quyết định, {summary['errors']} lỗi")


def step_show_catalogue(ctx: DemoContext) -> str:
    from catalog.money import format_vnd
    from catalog.products import list_products
    from connector.cli.output import table

    with session_scope(ctx.engine) as session:
        pairs = list_products(session=session)
        rows = [(f"{pr.code}/{p.sku}", p.name, format_vnd(p.price), p.stock, p.unit) for p, pr in pairs[:25]]
        producers = len({pr.code for _, pr in pairs})
    ctx.console.print(table(f"Danh mục: {len(pairs)} sản phẩm của {producers} chủ thể (25 dòng đầu)",
                            ["Mã", "Tên", "Giá", "Tồn", "ĐVT"], rows))
    return f"{len(pairs)} sản phẩm, {producers} chủ thể"


STEPS: list[tuple[str, Step]] = [
    ("Tạo cơ sở dữ liệu", step_database),
    ("Nạp danh mục mẫu và ảnh", step_catalogue),
    ("Nạp sổ đăng ký hộ, tập huấn, tài khoản sàn", step_register),
    ("In danh mục", step_show_catalogue),
]


def run_demo(*, settings: Settings, engine: Engine, console: Console) -> DemoContext:
    out_dir = settings.data_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = DemoContext(settings=settings, engine=engine, console=console, out_dir=out_dir)
    started = time.perf_counter()
    for index, (title, step) in enumerate(STEPS, start=1):
        console.rule(f"[bold]{index}/{len(STEPS)} {title}")
        t0 = time.perf_counter()
        outcome = step(ctx)
        console.print(f"[green]✓[/] {outcome} [dim]({time.perf_counter() - t0:.1f} s)[/]")
    console.rule()
    console.print(f"Xong trong {time.perf_counter() - started:.1f} s. Dữ liệu: {settings.database_url}, "
                  f"tệp: {out_dir}")
    return ctx
