"""``agri demo``: the main job end to end on the embedded default (a SQLite file).

Each step prints what it does and how long it took; the last lines say where the files are.
The steps only call the same service functions as the commands a person would type.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rich.console import Console
from sqlalchemy import Engine

from connector.db import init_db, session_scope
from connector.onboarding.periods import local_today
from connector.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@dataclass
class DemoContext:
    settings: Settings
    engine: Engine
    console: Console
    out_dir: Path
    stack: ExitStack = field(default_factory=ExitStack)
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


SANDBOX_PORT = 8790
# (marketplace, generic profile, producer code): the demo's shops, one per marketplace kind and a few more
DEMO_SHOPS: list[tuple[str, str | None, str]] = [
    ("voso", None, "HTX-BANGLANG"),
    ("postmart", None, "HTX-KIMLU"),
    ("generic", "sandbox", "HKD-MANGKHO"),
    ("voso", None, "HTX-CULE"),
    ("postmart", None, "HTX-BANGPHUC"),
    ("generic", "sandbox", "HTX-NAMCUONG"),
]


def _refresh_settings(ctx: DemoContext, **env: str) -> None:
    from connector.settings import get_settings

    os.environ.update(env)
    get_settings.cache_clear()
    ctx.settings = get_settings()


def step_secret_key(ctx: DemoContext) -> str:
    """Credentials are stored encrypted: make a key once and keep it in ``.env`` for later commands."""
    from connector.secrets import new_secret_key

    if ctx.settings.secret_key is not None:
        return "dùng khóa bí mật AGRI_SECRET_KEY đã có"
    key = new_secret_key()
    env_file = Path(".env")
    with env_file.open("a", encoding="utf-8") as fh:
        fh.write(f"AGRI_SECRET_KEY={key}\n")
    _refresh_settings(ctx, AGRI_SECRET_KEY=key)
    return f"tạo khóa bí mật mới, lưu trong {env_file.resolve()} (giữ kín tệp này)"


def step_sandbox(ctx: DemoContext) -> str:
    from catalog.image_store import ImageStore
    from connector.media import create_media_app
    from connector.sandbox import RemoteSandbox, running_sandbox
    from connector.serving import listen_socket, serving_in_thread

    media_url = ctx.stack.enter_context(serving_in_thread(create_media_app(ImageStore(ctx.settings.media_dir)),
                                                          sock=listen_socket("127.0.0.1", 0), name="media"))
    _refresh_settings(ctx, AGRI_PUBLIC_MEDIA_URL=media_url)
    state_path = ctx.settings.data_dir / "sandbox.json"
    port = urlsplit(ctx.settings.sandbox_url).port or SANDBOX_PORT
    try:
        sandbox: Any = ctx.stack.enter_context(running_sandbox(port=port, state_path=state_path, backfill_months=4))
        where = f"chạy ở {sandbox.base_url}, trạng thái lưu trong {state_path}"
    except Exception:  # the port is taken: a sandbox started earlier (agri sandbox / agri serve --with-sandbox)
        sandbox = RemoteSandbox(ctx.settings.sandbox_url)
        ctx.stack.callback(sandbox.close)
        sandbox.state()
        where = f"dùng sàn giả lập đang chạy ở {sandbox.base_url}"
    ctx.facts["sandbox"] = sandbox
    return f"sàn giả lập voso, postmart, generic {where}; ảnh phục vụ ở {media_url}"


def _register_and_train(session: Any, producer_id: int) -> None:
    """The cooperatives that open shops in the demo are on the register and were trained, as in life."""
    from sqlmodel import select

    from connector.onboarding.models import Registration, TrainingRecord

    if session.exec(select(Registration).where(Registration.producer_id == producer_id)).first() is None:
        session.add(Registration(producer_id=producer_id, registered_on=local_today() - timedelta(days=150),
                                 source="demo"))
        session.add(TrainingRecord(producer_id=producer_id, day=local_today() - timedelta(days=140),
                                   topic="Bán hàng trên sàn thương mại điện tử"))


def step_accounts(ctx: DemoContext) -> str:
    from sqlmodel import select

    from catalog.categories import leaf_categories, set_category_mapping
    from catalog.producers import Producer
    from catalog.text import slug
    from connector.accounts import MarketplaceAccount, create_account

    sandbox = ctx.facts["sandbox"]
    made, kept = [], []
    with session_scope(ctx.engine) as session:
        for marketplace in sorted({m for m, _, _ in DEMO_SHOPS}):
            for category in leaf_categories(session=session):
                set_category_mapping(session=session, category_code=category.code, marketplace=marketplace,
                                     remote_id=f"{marketplace[:2].upper()}-{category.code.replace('.', '')}",
                                     remote_path=f"{marketplace} > {category.name}")
        for marketplace, profile, code in DEMO_SHOPS:
            producer = session.exec(select(Producer).where(Producer.code == code)).one()
            assert producer.id is not None
            _register_and_train(session, producer.id)
            name = f"{marketplace}-{slug(code)}"
            if session.exec(select(MarketplaceAccount).where(MarketplaceAccount.name == name)).first() is not None:
                kept.append(name)
                continue
            credentials = sandbox.create_account(marketplace, producer.name)
            account = create_account(session=session, name=name, producer=producer, marketplace=marketplace,
                                     credentials=credentials, key=ctx.settings.secret_key,
                                     base_url=sandbox.url_for(marketplace), profile=profile,
                                     rules={"markup_percent": 5, "price_round_to": 1000, "stock_buffer_percent": 10})
            account.opened_on = local_today() - timedelta(days=130)
            session.add(account)
            made.append(name)
    ctx.facts["accounts"] = [f"{m}-{slug(c)}" for m, _, c in DEMO_SHOPS]
    return f"mở {len(made)} tài khoản ({', '.join(made) or '—'}), dùng lại {len(kept)}; gắn ngành hàng cho 3 sàn"


def step_sync(ctx: DemoContext) -> str:
    import asyncio

    from connector.accounts import get_account
    from connector.cli.sync import print_report, sync_progress
    from connector.sync.engine import sync_accounts

    with session_scope(ctx.engine) as session, sync_progress(True) as (planned, done):
        accounts = [get_account(session=session, name=name) for name in ctx.facts["accounts"]]
        report = asyncio.run(sync_accounts(session=session, accounts=accounts, on_plan=planned, on_result=done))
    print_report(report)
    counts = report.counts()
    ctx.facts["sync"] = counts
    return ", ".join(f"{k} {v}" for k, v in counts.items() if v)


def step_orders(ctx: DemoContext) -> str:
    from connector.orders.pull import pull_all

    sandbox = ctx.facts["sandbox"]
    sandbox.resolve_reviews()
    made = sandbox.generate_orders(3)
    with session_scope(ctx.engine) as session:
        results = pull_all(session=session, account_names=ctx.facts["accounts"])
    failed = [r for r in results if not r.ok]
    totals = [r.to_dict() for r in results]
    orders = sum(t["orders"] for t in totals)
    sales = sum(t["sales"] for t in totals)
    for result in failed:
        ctx.console.print(f"[red]{result.account}[/]: {result.error}")
    return (f"sàn sinh {len(made)} đơn mới; kéo về {orders} đơn (cả lịch sử {4} tháng), {sales} bút toán bán, "
            f"{len(failed)} tài khoản lỗi")


def step_pack(ctx: DemoContext) -> str:
    from connector.accounts import get_account
    from connector.listings.pack import build_pack

    name = ctx.facts["accounts"][0]
    out = ctx.out_dir / "listing-pack"
    with session_scope(ctx.engine) as session:
        result = build_pack(session=session, account=get_account(session=session, name=name), out=out)
    ctx.facts["pack"] = result
    summary = result.summary()
    return (f"gói đăng bán cho {name}: {summary['rows_written']} dòng, {summary['images']} ảnh → "
            f"{result.spreadsheet}, {result.images_zip}")


def _demo_period() -> Any:
    """The last six months, this one included: the sandbox's backfilled history and today's orders."""
    from connector.onboarding.periods import parse_period

    today = local_today()
    first = date(today.year, today.month, 1) - timedelta(days=150)
    return parse_period(f"{first:%Y-%m}..{today:%Y-%m}", today=today)


def step_reports(ctx: DemoContext) -> str:
    from connector.cli.output import table
    from connector.cli.report import output_reports
    from connector.ledger.indicators import indicators
    from connector.ledger.reports import turnover
    from connector.onboarding.funnel import build_funnel
    from connector.onboarding.periods import parse_period

    period = _demo_period()
    with session_scope(ctx.engine) as session:
        by_month = turnover(session=session, period=period, by=["month", "platform"])
        figures = indicators(session=session, period=period, by=())
        funnel = build_funnel(session=session, period=parse_period("all", today=local_today()))
    output_reports([by_month], "table", None, None)
    output_reports([figures], "table", None, None)
    total = funnel.total
    rows = []
    for step in funnel.steps:
        rate = total.rate(step)
        rows.append(("  " * step.detail + step.label, total.counts.get(step.key, 0),
                     f"{rate:.0%}" if rate is not None else ""))
    ctx.console.print(table("Phễu đăng ký hộ (toàn bộ sổ) / onboarding funnel", ["Bước", "Số hộ", "Tỷ lệ"], rows))
    ctx.facts["period"] = period
    amount = int(by_month.total.values.get("amount", 0))
    return f"doanh thu {period.label}: {amount:,} đ".replace(",", ".")


def step_excel(ctx: DemoContext) -> str:
    from connector.ledger.exports import write_chart, write_xlsx
    from connector.ledger.reports import groupings, turnover

    period = ctx.facts["period"]
    by = ["month", "platform", "district"]
    with session_scope(ctx.engine) as session:
        reports = [turnover(session=session, period=period, by=dims) for dims in groupings(by)]
        monthly = turnover(session=session, period=period, by=["month", "platform"])
    excel = write_xlsx(reports, ctx.out_dir / "doanh-thu.xlsx", lang=ctx.settings.lang)
    chart = write_chart(monthly, ctx.out_dir / "doanh-thu.png")
    ctx.facts["files"] = [excel, chart]
    return f"báo cáo Excel {excel} ({len(reports)} trang tính), biểu đồ {chart}"


STEPS: list[tuple[str, Step]] = [
    ("Tạo cơ sở dữ liệu", step_database),
    ("Nạp danh mục mẫu và ảnh", step_catalogue),
    ("Nạp sổ đăng ký hộ, tập huấn, tài khoản sàn", step_register),
    ("In danh mục", step_show_catalogue),
    ("Khóa bí mật cho thông tin đăng nhập sàn", step_secret_key),
    ("Khởi động sàn giả lập (có 4 tháng lịch sử)", step_sandbox),
    ("Mở tài khoản trên voso, postmart, generic", step_accounts),
    ("Đồng bộ sản phẩm lên sàn", step_sync),
    ("Sàn sinh đơn hàng; kéo đơn về", step_orders),
    ("Gói đăng bán thủ công cho một tài khoản", step_pack),
    ("Doanh thu, chỉ tiêu và phễu đăng ký hộ", step_reports),
    ("Báo cáo Excel và biểu đồ", step_excel),
]


def run_demo(*, settings: Settings, engine: Engine, console: Console) -> DemoContext:
    out_dir = settings.data_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = DemoContext(settings=settings, engine=engine, console=console, out_dir=out_dir)
    started = time.perf_counter()
    with ctx.stack:
        for index, (title, step) in enumerate(STEPS, start=1):
            console.rule(f"[bold]{index}/{len(STEPS)} {title}")
            t0 = time.perf_counter()
            outcome = step(ctx)
            console.print(f"[green]✓[/] {outcome} [dim]({time.perf_counter() - t0:.1f} s)[/]")
    console.rule()
    console.print(f"Xong trong {time.perf_counter() - started:.1f} s. Cơ sở dữ liệu: {ctx.settings.database_url}")
    for path in ctx.facts.get("files", []):
        console.print(f"  tệp: {Path(path).resolve()}")
    pack = ctx.facts.get("pack")
    if pack is not None:
        console.print(f"  gói đăng bán: {Path(pack.spreadsheet).resolve()}")
    console.print("Mở ứng dụng web trên cùng dữ liệu (sàn giả lập chạy kèm, các tài khoản vẫn dùng được):\n"
                  "  .venv/bin/agri serve --with-sandbox   rồi mở http://127.0.0.1:8000\n"
                  "  tạo người dùng: .venv/bin/agri users add --help")
    return ctx
