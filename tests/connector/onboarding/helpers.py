"""Small register files written on the fly, and a snapshot of the register tables."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "onboarding"
TEAM_FILES = sorted(FIXTURES.glob("to-*"))
HEADERS = {"code": "Mã hộ", "name": "Tên hộ", "phone": "Số điện thoại", "village": "Thôn/bản", "commune": "Xã/phường",
           "district": "Huyện (cũ)", "member": "Thành viên tổ CNS", "member_phone": "SĐT thành viên tổ",
           "trained": "Ngày tập huấn", "topic": "Nội dung tập huấn", "platform": "Sàn TMĐT",
           "shop": "Mã gian hàng / SĐT đăng nhập", "opened": "Ngày mở tài khoản", "status": "Trạng thái tài khoản",
           "registered": "Ngày đăng ký"}
TABLES = ("producer", "team_member", "onboarding_registration", "training_record", "marketplace_account",
          "merge_candidate")


def write_register(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A CSV with the union of the rows' keys as columns (Vietnamese headers)."""
    keys = [k for k in HEADERS if any(k in r for r in rows)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([HEADERS[k] for k in keys])
        for row in rows:
            writer.writerow([row.get(k, "") for k in keys])
    return path


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the register's tables, without timestamps (they are not data)."""
    out = {}
    for table in TABLES:
        rows = session.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings().all()
        out[table] = [tuple(v for k, v in r.items() if k not in ("created_at", "updated_at")) for r in rows]
    return out


def count(session: Session, sql: str, **params: Any) -> int:
    return int(session.execute(text(sql), params).scalar() or 0)
