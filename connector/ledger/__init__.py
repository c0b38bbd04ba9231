"""The sales ledger: append-only entries, stock movements, period close, reports and indicators."""
