"""The typed result of an import: counts per entity, problems, merge candidates, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog.importing.problems import Problem, Severity


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "rejected": self.rejected}

    @property
    def written(self) -> int:
        return self.created + self.updated


@dataclass
class SheetLayout:
    """Where a sheet's header is and which column holds which field (for the report writer)."""

    name: str
    header_row: int  # 1-based
    positions: dict[str, int]  # field → 0-based column
    headers: dict[str, str]  # field → header as written


@dataclass
class ImportResult:
    path: Path
    mode: str
    dry_run: bool
    committed: bool = False
    counts: dict[str, Counts] = field(default_factory=dict)  # producers, products, certifications, images
    problems: list[Problem] = field(default_factory=list)
    merge_candidates: list[Any] = field(default_factory=list)
    layouts: dict[str, SheetLayout] = field(default_factory=dict)
    rows_read: int = 0
    lang: str = "vi"
    same_as: datetime | None = None
    """Set when the file was not read again: the same bytes were imported then, and the catalogue has
    not changed since (:mod:`catalog.importing.fingerprint`)."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.error]

    @property
    def file_errors(self) -> list[Problem]:
        return [p for p in self.errors if p.row is None]

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.counts.values())

    @property
    def unreadable(self) -> bool:
        """Nothing could be read from the file at all (exit code 2)."""
        return bool(self.file_errors) and self.rows_read == 0

    @property
    def changed(self) -> bool:
        return self.committed and any(c.written for c in self.counts.values())

    def summary(self) -> dict[str, Any]:
        return {"file": self.path.name, "mode": self.mode, "dry_run": self.dry_run, "committed": self.committed,
                "rows": self.rows_read, **{k: c.to_dict() for k, c in self.counts.items()},
                "errors": len(self.errors), "warnings": len(self.problems) - len(self.errors),
                "merge_candidates": len(self.merge_candidates),
                "same_file_as": self.same_as.isoformat() if self.same_as else None}

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        lang = lang or self.lang
        return {"summary": self.summary(), "problems": [p.to_dict(lang) for p in self.problems],
                "merge_candidates": [m.to_dict() for m in self.merge_candidates]}

    def write_report(self, out: Path, *, lang: str | None = None) -> Path:
        """The report as .xlsx (the original rows, bad cells highlighted), .csv or .json, by suffix."""
        from catalog.importing.report import write_report

        return write_report(self, out, lang=lang or self.lang)
