"""Values as plain JSON: one conversion for the CLI's ``--json`` envelope, the web API and the
ledger's JSON reports, so that a time or an amount reads the same wherever it is written.

Times carry their Việt Nam offset (+07:00, :data:`catalog.clock.LOCAL_TZ`), dates are ISO days,
Decimal becomes a string, enums their value, pydantic models and dataclasses dicts.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from catalog.clock import LOCAL_TZ


def to_jsonable(value: Any) -> Any:
    """Plain JSON values: datetimes with their +07:00 offset, Decimal as string, models as dicts."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(LOCAL_TZ).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral_value() else str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, BaseModel):
        return to_jsonable(value.model_dump())
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value
