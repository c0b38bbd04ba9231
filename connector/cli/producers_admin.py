"""``agri producers merge | keep-both | candidates``: a person decides on possible duplicates.

Registered onto the catalogue's ``producers_app`` (``connector/cli/catalogue.py``), so the
producer commands stay under one noun.
"""

from __future__ import annotations

from typing import Any

import typer
from sqlalchemy import select
from sqlmodel import col

from catalog.producers import Producer
from connector.cli.catalogue import producers_app
from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, reporting
from connector.console import console, table
from connector.onboarding import CandidateStatus, MergeCandidate, keep_both, merge_producers


@producers_app.command("merge")
def producers_merge(
    keep: str = typer.Argument(..., help="Mã chủ thể giữ lại. Code of the producer that stays."),
    absorb: str = typer.Argument(..., help="Mã chủ thể gộp vào (sẽ bị xóa). Code of the one merged into it."),
    json_mode: bool = JsonOption,
) -> None:
    """Gộp hai chủ thể là một hộ: chuyển tập huấn, tài khoản, sản phẩm, bán hàng sang A. Merge B into A."""
    with reporting(json_mode), open_session() as session:
        result = merge_producers(session=session, keep_code=keep, absorb_code=absorb, actor="cli")
    data = {"survivor": result.survivor, "absorbed": result.absorbed, "moved": result.moved,
            "folded": result.folded, "filled": result.filled}
    if json_mode:
        emit_json(data=data, summary={"moved": sum(result.moved.values())})
        return
    console.print(f"Đã gộp / merged [bold]{result.absorbed}[/] → [bold]{result.survivor}[/]")
    rows = [(t, n, result.folded.get(t, 0)) for t, n in sorted(result.moved.items())]
    if rows:
        console.print(table(None, ["Bảng / table", "Đã chuyển / moved", "Trùng, bỏ / duplicates dropped"], rows))


@producers_app.command("keep-both")
def producers_keep_both(
    a: str = typer.Argument(..., help="Mã chủ thể thứ nhất. First producer code."),
    b: str = typer.Argument(..., help="Mã chủ thể thứ hai. Second producer code."),
    json_mode: bool = JsonOption,
) -> None:
    """Ghi nhận hai chủ thể là hai hộ khác nhau. Record that two producers are two households."""
    with reporting(json_mode), open_session() as session:
        closed = keep_both(session=session, a_code=a, b_code=b, actor="cli")
    if json_mode:
        emit_json(data={"a": a, "b": b, "closed": closed})
    else:
        console.print(f"Đã ghi nhận {a} và {b} là hai hộ / kept as two households.")


@producers_app.command("candidates")
def producers_candidates(
    status: CandidateStatus = typer.Option(CandidateStatus.open, "--status", help="open, merged hoặc kept."),
    json_mode: bool = JsonOption,
) -> None:
    """Các cặp chủ thể có thể trùng (cùng SĐT, khác tên). Possible duplicates held for a person."""
    with reporting(json_mode), open_session() as session:
        rows = list(session.execute(select(MergeCandidate).where(col(MergeCandidate.status) == status)
                                    .order_by(col(MergeCandidate.id))).scalars())
        ids = {i for c in rows for i in (c.producer_a_id, c.producer_b_id) if i is not None}
        producers = {p.id: p for p in session.execute(select(Producer).where(col(Producer.id).in_(ids))).scalars()}
        data: list[dict[str, Any]] = []
        for c in rows:
            a, b = producers.get(c.producer_a_id), producers.get(c.producer_b_id)
            data.append({"id": c.id, "a": a.code if a else None, "a_name": a.name if a else None,
                         "b": b.code if b else None, "b_name": b.name if b else (c.incoming or {}).get("name"),
                         "reason": c.reason, "status": c.status, "source": c.source, "decided_by": c.decided_by})
    if json_mode:
        emit_json(data=data, summary={"count": len(data)})
        return
    headers = ["#", "A", "Tên A", "B", "Tên B", "Lý do", "Nguồn"]
    console.print(table(f"Cặp cần xem xét / candidates ({len(data)})", headers,
                        [(d["id"], d["a"], d["a_name"], d["b"], d["b_name"], d["reason"], d["source"]) for d in data]))
    if data and status is CandidateStatus.open:
        console.print("`agri producers merge A B` (một hộ / one household) hoặc `agri producers keep-both A B`.")
