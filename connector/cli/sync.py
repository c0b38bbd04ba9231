"""``agri sync [ACCOUNT…] [--dry-run]``: push the catalogue to the marketplaces, or show the plan."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
from sqlmodel import Session

from catalog.errors import CatalogueValidationError
from connector.accounts import MarketplaceAccount, get_account, list_accounts
from connector.cli.context import open_session
from connector.cli.output import ExitCode, JsonOption, emit_json, finish, lang, reporting, run_outcome
from connector.console import console, print_sync_report, sync_progress, table
from connector.sync import (
    ACTION_LABELS,
    AccountPlan,
    Action,
    plan_sync,
    sync_accounts,
    write_report,
)

sync_app = typer.Typer(invoke_without_command=True, context_settings={"allow_interspersed_args": True})


def chosen_accounts(session: Session, names: list[str]) -> list[MarketplaceAccount]:
    """The named accounts, or every connected account when no name is given."""
    if names:
        return [get_account(session=session, name=name) for name in names]
    return [a for a in list_accounts(session=session) if a.connected]


def _details(plan: AccountPlan, language: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for item in plan.items:
        if item.action == Action.unchanged:
            continue
        if item.action == Action.blocked:
            detail = "; ".join(r.message(language) for r in item.reasons)
        elif item.action in (Action.update, Action.stock_price):
            detail = ", ".join(f"{k}: {a!s:.30} → {b!s:.30}" for k, (a, b) in item.diff.items())
        elif item.resolve:
            detail = "tra theo SKU trước / look up the SKU first"
        else:
            detail = ""
        rows.append((plan.account_name, item.sku, ACTION_LABELS[item.action], detail))
    return rows


def print_plans(plans: list[AccountPlan]) -> None:
    language = lang()
    counts = [(p.account_name, p.marketplace, *p.counts().values()) for p in plans]
    console.print(table("Kế hoạch đồng bộ (chạy thử) / sync plan (dry run)",
                        ["Tài khoản", "Sàn", *(ACTION_LABELS[a] for a in Action)], counts))
    rows = [row for plan in plans for row in _details(plan, language)]
    if rows:
        console.print(table(None, ["Tài khoản", "SKU", "Việc", "Chi tiết / details"], rows))


@sync_app.callback(invoke_without_command=True)
def sync(
    ctx: typer.Context,
    accounts: list[str] = typer.Argument(None, help="Tài khoản (mặc định: mọi tài khoản đã kết nối). Accounts."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ lập kế hoạch, không gửi gì. Plan only."),
    report: Path | None = typer.Option(None, "--report", help="Báo cáo từng sản phẩm .csv/.xlsx/.json. Report."),
    concurrency: int = typer.Option(16, "--concurrency", min=1, max=256,
                                    help="Số yêu cầu song song mỗi tài khoản. Requests in flight per account."),
    json_mode: bool = JsonOption,
) -> None:
    """Đồng bộ sản phẩm lên sàn (--dry-run: xem trước). Push the catalogue (--dry-run: preview).

    Kết thúc với mã 1 nếu có sản phẩm lỗi, bị từ chối hoặc bị chặn; mã 3 nếu không tài khoản nào chạy được
    (sàn không trả lời…). Exits 1 if any listing failed, 3 if no account could run (marketplace unreachable…).
    """
    if ctx.invoked_subcommand is not None:
        return
    with reporting(json_mode):
        if report is not None and report.suffix.lower() not in (".csv", ".xlsx", ".json"):
            raise CatalogueValidationError("sync.report_format", value=report.suffix or report.name)
        with open_session() as session:
            chosen = chosen_accounts(session, accounts or [])
            if dry_run:
                plans = [plan_sync(session=session, account=a) for a in chosen]
            else:
                with sync_progress(not json_mode) as (planned, done):
                    outcome = asyncio.run(sync_accounts(session=session, accounts=chosen, concurrency=concurrency,
                                                        on_plan=planned, on_result=done))
    if dry_run:
        if json_mode:
            totals = {a.value: sum(p.counts()[a.value] for p in plans) for a in Action}
            emit_json(data=[p.to_dict(lang()) for p in plans], summary={"dry_run": True, **totals})
        else:
            print_plans(plans)
        finish(ExitCode.OK)
        return
    if report is not None:
        write_report(report, outcome)
    if json_mode:
        errors = [{"account": r.account, "sku": r.sku, "code": r.code, "message": r.message,
                   "outcome": r.outcome.value, "fields": r.fields} for r in outcome.failures]
        emit_json(data=[r.to_dict() for r in outcome.results], errors=[*errors, *outcome.account_errors],
                  summary={**outcome.counts(), "report": str(report) if report else None})
    else:
        print_sync_report(outcome)
        if report is not None:
            console.print(f"Báo cáo / report: [bold]{report}[/]")
    stopped = {str(e.get("account")) for e in outcome.account_errors}
    nothing_done = bool(chosen) and stopped >= {a.name for a in chosen}  # every account stopped: exit 3
    finish(run_outcome(ok=outcome.ok, nothing_done=nothing_done, errors=outcome.account_errors))
