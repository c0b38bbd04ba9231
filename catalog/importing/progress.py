"""A Rich progress bar for imports run on a terminal (nothing is drawn otherwise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


@contextmanager
def terminal_progress(console: Console | None = None) -> Iterator[Callable[[str, int, int | None], None] | None]:
    """A ``progress(stage, done, total)`` callback drawing one bar per sheet, or ``None`` off a terminal."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"Đọc / reading {stage}", total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update
