"""What an import found wrong, cell by cell: the per-row report.

A :class:`Problem` locates one finding (sheet, row as Excel numbers it, column as written in
the header, the value) and names it by a stable code from :mod:`catalog.codes`; its message is
rendered in Vietnamese, or English with ``lang="en"``.  ``error`` rejects the row; ``warning``
keeps it (an unknown column, legacy text that was converted).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from catalog.codes import render
from catalog.errors import CatalogueValidationError
from catalog.importing.cells import Cell, cell_text


class Severity(StrEnum):
    error = "error"
    warning = "warning"


@dataclass(slots=True)
class Problem:
    code: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as Excel shows it; None for a whole-sheet or whole-file problem
    column: str | None = None
    value: Cell = None
    params: dict[str, Any] = field(default_factory=dict)
    severity: Severity = Severity.error

    @classmethod
    def from_error(cls, error: CatalogueValidationError, *, sheet: str | None, row: int | None,
                   column: str | None, value: Cell = None) -> Problem:
        params = {k: v for k, v in error.params.items() if k != "value"}
        return cls(error.code, sheet, row, column, value if value is not None else error.value, params)

    def message(self, lang: str = "vi") -> str:
        return render(self.code, lang, {"value": cell_text(self.value), "sheet": self.sheet,
                                        "column": self.column, **self.params})

    def to_dict(self, lang: str = "vi") -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "value": None if self.value is None else cell_text(self.value), "code": self.code,
                "severity": self.severity.value, "message": self.message(lang)}


@dataclass
class ProblemLog:
    """Every problem of one import, with the rows that were rejected."""

    problems: list[Problem] = field(default_factory=list)
    rejected: dict[str, set[int]] = field(default_factory=dict)  # sheet → rejected row numbers

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if problem.severity is Severity.error and problem.row is not None and problem.sheet is not None:
            self.rejected.setdefault(problem.sheet, set()).add(problem.row)

    def error(self, code: str, *, sheet: str | None, row: int | None, column: str | None = None,
              value: Cell = None, **params: Any) -> None:
        self.add(Problem(code, sheet, row, column, value, params))

    def warning(self, code: str, *, sheet: str | None, row: int | None = None, column: str | None = None,
                value: Cell = None, **params: Any) -> None:
        self.add(Problem(code, sheet, row, column, value, params, Severity.warning))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.error]

    @property
    def file_errors(self) -> list[Problem]:
        """Errors not tied to a row (a missing column, an unreadable sheet)."""
        return [p for p in self.errors if p.row is None]
