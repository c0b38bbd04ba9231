"""``agri worker [--every 5m] [--once]``: pull orders, push stock, retry failures, poll reviews."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import typer

from catalog.jsonable import to_jsonable
from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, finish, reporting, run_outcome
from connector.console import console, err_console
from connector.worker import WorkerPass, parse_interval, run_pass


def _summary(result: WorkerPass) -> dict[str, Any]:
    return {"orders": to_jsonable(result.orders) if result.orders is not None else None,
            "orders_notice": result.orders_notice, "sync": result.sync.counts(), "reviews": result.sync.reviews,
            "failures": [r.to_dict() for r in result.sync.failures], "account_errors": result.sync.account_errors}


def _print(result: WorkerPass) -> None:
    stamp = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    if result.orders_notice:
        err_console.print(result.orders_notice)
    pulled = len(result.orders or [])
    counts = result.sync.counts()
    console.print(f"[{stamp}] đơn hàng / orders: {pulled} tài khoản; đồng bộ / synced: {counts['done']} xong, "
                  f"{counts['failed'] + counts['rejected']} lỗi; duyệt / reviews: {result.sync.reviews or '-'}")
    for failure in result.sync.failures[:20]:
        console.print(f"  {failure.account} {failure.sku}: {failure.message}")
    for error in result.sync.account_errors:
        err_console.print(f"  {error.get('account')}: {error.get('message')}")


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        accounts: list[str] = typer.Argument(None, help="Tài khoản (mặc định: mọi tài khoản đã kết nối). Accounts."),
        every: str = typer.Option("5m", "--every", help="Chu kỳ, ví dụ 30s, 5m, 1h. Interval between passes."),
        once: bool = typer.Option(False, "--once", help="Chạy một lượt rồi thoát (cho systemd timer). One pass."),
        json_mode: bool = JsonOption,
    ) -> None:
        """Chạy định kỳ: lấy đơn, đẩy tồn kho/giá, thử lại lỗi, hỏi kết quả duyệt.
        Scheduled work: pull orders, push stock and prices, retry failures, poll reviews."""
        with reporting(json_mode):
            interval = parse_interval(every)
        while True:
            with reporting(json_mode), open_session() as session:
                result = run_pass(session=session, account_names=accounts or None)
            if json_mode:
                emit_json(data=_summary(result), ok=result.ok, errors=result.account_errors())
            else:
                _print(result)
            if once:
                finish(run_outcome(ok=result.ok, nothing_done=result.nothing_done, errors=result.account_errors()))
                return
            try:
                time.sleep(interval.total_seconds())  # the schedule, not a retry: each pass is complete
            except KeyboardInterrupt:
                return
