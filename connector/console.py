"""What the terminal shows: the Rich consoles, tables, the sync's progress bar and results, a report
as a table.  Shared by the two faces that print to a terminal, the CLI and ``agri demo``, so that
the demo never imports the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from connector.ledger import Report, report_cells
from connector.sync import OUTCOME_LABELS, AccountPlan, ItemResult, Outcome, SyncReport

console = Console()
err_console = Console(stderr=True)


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    out = Table(title=title, show_lines=False, header_style="bold")
    for name in columns:
        out.add_column(name, overflow="fold")
    for row in rows:
        out.add_row(*("" if v is None else str(v) for v in row))
    return out


def thousands(value: int | float | str) -> str:
    """Whole đồng with dots between thousands (1.250.000); anything else as it is."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def print_report_table(report: Report, *, lang: str) -> None:
    """A turnover or indicator report as a table, amounts with dots between thousands, then its notes."""
    head, rows, keys = report_cells(report, lang=lang)
    shown = [[thousands(v) if k else v for v, k in zip(row, krow, strict=True)] for row, krow in zip(rows, keys,
                                                                                                 strict=True)]
    console.print(table(f"{report.title} — {report.period.label}", head, shown))
    for note in report.notes:
        console.print(f"[dim]{note}[/]")


def print_sync_report(report: SyncReport) -> None:
    counts = report.counts()
    console.print(table("Kết quả đồng bộ / sync results", [OUTCOME_LABELS[o] for o in Outcome],
                        [[counts[o.value] for o in Outcome]]))
    shown = [r for r in report.results if not r.ok or r.outcome == Outcome.skipped]
    if shown:
        console.print(table(f"Cần xử lý / needs attention ({len(shown)})", ["Tài khoản", "SKU", "Kết quả", "Nội dung"],
                            [(r.account, r.sku, OUTCOME_LABELS[r.outcome],
                              r.message + "".join(f"; {k}: {v}" for k, v in r.fields.items()))
                             for r in shown[:60]]))
    for error in report.account_errors:
        err_console.print(f"[bold red]{error['account']}[/]: {error['message']}")


@contextmanager
def sync_progress(enabled: bool) -> Iterator[tuple[Callable[[AccountPlan], None], Callable[[ItemResult], None]]]:
    """A Rich bar over every listing to send (drawn on a terminal only)."""
    bar_console = Console(stderr=True)
    if not enabled or not bar_console.is_terminal:
        yield (lambda plan: None), (lambda result: None)
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=bar_console, transient=True) as bar:
        task = bar.add_task("Đồng bộ / syncing", total=0)

        def planned(plan: AccountPlan) -> None:
            bar.update(task, total=(bar.tasks[0].total or 0) + len(plan.items))

        def done(result: ItemResult) -> None:
            bar.advance(task)

        yield planned, done
