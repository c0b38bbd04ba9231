"""The result of a sync run, one row per listing, and the report files written from it."""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from catalog.codes import render
from catalog.errors import AgriConnectorError, CatalogueValidationError
from catalog.importing import escape_formula
from connector.sync.plan import ACTION_LABELS, Action


class Outcome(StrEnum):
    done = "done"  # the marketplace holds what the catalogue says
    unchanged = "unchanged"  # nothing to send
    blocked = "blocked"  # not sent: unmapped category, missing field…
    rejected = "rejected"  # the marketplace refused the payload
    skipped = "skipped"  # the marketplace cannot take it now (e.g. under review); retried next run
    failed = "failed"  # could not be done (network, marketplace errors); retried next run


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.done: "Xong",
    Outcome.unchanged: "Không đổi",
    Outcome.blocked: "Bị chặn",
    Outcome.rejected: "Sàn từ chối",
    Outcome.skipped: "Tạm bỏ qua",
    Outcome.failed: "Lỗi",
}
FAILURES = frozenset({Outcome.failed, Outcome.rejected, Outcome.blocked})


@dataclass(slots=True)
class ItemResult:
    account: str
    sku: str
    action: Action
    outcome: Outcome
    remote_id: str | None = None
    state: str | None = None
    code: str | None = None
    message: str = ""  # Vietnamese (the report's language)
    fields: dict[str, str] = field(default_factory=dict)
    replanned: int = 0  # times the product changed under the run and was planned again
    retriable: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome not in FAILURES

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["action"], out["outcome"] = self.action.value, self.outcome.value
        out.pop("retriable")
        return out


@dataclass(slots=True)
class SyncReport:
    results: list[ItemResult] = field(default_factory=list)
    account_errors: list[dict[str, Any]] = field(default_factory=list)  # accounts that could not run at all
    reviews: dict[str, int] = field(default_factory=dict)  # review outcomes polled, by binding state

    @property
    def failures(self) -> list[ItemResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.account_errors

    def counts(self) -> dict[str, int]:
        counter = Counter(r.outcome.value for r in self.results)
        return {o.value: counter.get(o.value, 0) for o in Outcome}

    def merge(self, other: SyncReport) -> None:
        self.results.extend(other.results)
        self.account_errors.extend(other.account_errors)
        for state, count in other.reviews.items():
            self.reviews[state] = self.reviews.get(state, 0) + count


COLUMNS = ("Tài khoản", "SKU", "Việc", "Kết quả", "Mã trên sàn", "Trạng thái", "Mã lỗi", "Nội dung")


def not_attempted(account: str, sku: str, action: Action, remote_id: str | None, error: AgriConnectorError,
                  replanned: int) -> ItemResult:
    """An item never sent because its marketplace stopped answering (its binding is left as it was)."""
    said = render("adapters.not_attempted", "vi", {"marketplace": error.params.get("marketplace", "")})
    return ItemResult(account, sku, action, Outcome.skipped, remote_id, code="adapters.not_attempted",
                      message=said, replanned=replanned)


def report_rows(report: SyncReport) -> list[list[Any]]:
    return [[r.account, r.sku, ACTION_LABELS[r.action], OUTCOME_LABELS[r.outcome], r.remote_id or "",
             r.state or "", r.code or "",
             r.message + ("".join(f"; {k}: {v}" for k, v in r.fields.items()))]
            for r in report.results]


def write_report(path: Path, report: SyncReport) -> Path:
    """Write the per-listing report as .csv, .xlsx or .json (by the file's suffix)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".json"):
        raise CatalogueValidationError("sync.report_format", value=path.suffix or path.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        document = {"counts": report.counts(), "account_errors": report.account_errors,
                    "results": [r.to_dict() for r in report.results]}
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens Vietnamese right
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            # a name or a marketplace's message beginning with = + - @ is shown, never evaluated
            writer.writerows([[escape_formula(v) if isinstance(v, str) else v for v in row]
                              for row in report_rows(report)])
    else:
        import xlsxwriter

        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("Đồng bộ")
        for r, row in enumerate([list(COLUMNS), *report_rows(report)]):
            for c, value in enumerate(row):
                sheet.write_string(r, c, str(value))
        sheet.freeze_panes(1, 0)
        book.close()
    return path
