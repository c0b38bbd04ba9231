"""The sales ledger: append-only entries, stock movements, period close, reports and indicators."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "ENTRY_COLUMNS",
    "FORMATS",
    "SALES_COLUMNS",
    "Columns",
    "CountingPolicy",
    "Entries",
    "EntryRows",
    "LedgerEntry",
    "LedgerSummary",
    "PeriodClose",
    "Report",
    "ReportedTotal",
    "StockMovement",
    "Writer",
    "add_reported_total",
    "adjustments",
    "channel_kind",
    "close_period",
    "closed_periods",
    "groupings",
    "import_sales",
    "indicators",
    "load_booking",
    "month_key",
    "policy_from_env",
    "record_entry_rows",
    "report_cells",
    "reported_totals",
    "sale_steps",
    "sqlite_stamp",
    "turnover",
    "write_chart",
    "write_csv",
    "write_json",
    "write_sales_template",
    "write_xlsx",
]

if TYPE_CHECKING:
    from connector.ledger.booking import load_booking, month_key
    from connector.ledger.close import adjustments, close_period, closed_periods
    from connector.ledger.ecommerce import indicators
    from connector.ledger.entries import (
        ENTRY_COLUMNS,
        Columns,
        Entries,
        EntryRows,
        Writer,
        record_entry_rows,
        sqlite_stamp,
    )
    from connector.ledger.exports import FORMATS, report_cells, write_chart, write_csv, write_json, write_xlsx
    from connector.ledger.funnel_steps import sale_steps
    from connector.ledger.models import LedgerEntry, LedgerSummary, PeriodClose, ReportedTotal, StockMovement
    from connector.ledger.policy import CountingPolicy, channel_kind, policy_from_env
    from connector.ledger.reported import add_reported_total, reported_totals
    from connector.ledger.reports import Report, groupings, turnover
    from connector.ledger.sales import SALES_COLUMNS, import_sales, write_sales_template


def __getattr__(name: str) -> object:
    """A declared name, loaded on first use (PEP 562): ``import connector.ledger`` stays cheap."""
    if name in {"load_booking", "month_key"}:
        from connector.ledger import booking

        value = getattr(booking, name)
    elif name in {"adjustments", "close_period", "closed_periods"}:
        from connector.ledger import close

        value = getattr(close, name)
    elif name in {"indicators"}:
        from connector.ledger import ecommerce

        value = getattr(ecommerce, name)
    elif name in {"Columns", "ENTRY_COLUMNS", "Entries", "EntryRows", "Writer", "record_entry_rows", "sqlite_stamp"}:
        from connector.ledger import entries

        value = getattr(entries, name)
    elif name in {"FORMATS", "report_cells", "write_chart", "write_csv", "write_json", "write_xlsx"}:
        from connector.ledger import exports

        value = getattr(exports, name)
    elif name in {"sale_steps"}:
        from connector.ledger import funnel_steps

        value = getattr(funnel_steps, name)
    elif name in {"LedgerEntry", "LedgerSummary", "PeriodClose", "ReportedTotal", "StockMovement"}:
        from connector.ledger import models

        value = getattr(models, name)
    elif name in {"CountingPolicy", "channel_kind", "policy_from_env"}:
        from connector.ledger import policy

        value = getattr(policy, name)
    elif name in {"add_reported_total", "reported_totals"}:
        from connector.ledger import reported

        value = getattr(reported, name)
    elif name in {"Report", "groupings", "turnover"}:
        from connector.ledger import reports

        value = getattr(reports, name)
    elif name in {"SALES_COLUMNS", "import_sales", "write_sales_template"}:
        from connector.ledger import sales

        value = getattr(sales, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # loaded once
    return value
