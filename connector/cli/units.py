"""``agri units``: administrative units in both schemes (vn2004, vn2025) and their lineage."""

from __future__ import annotations

import typer

from catalog.admin_units import find_units
from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, reporting
from connector.console import console, table

units_app = typer.Typer(no_args_is_help=True)


@units_app.command("find")
def units_find(
    text: str = typer.Argument(..., help="Tên (mọi cách viết) hoặc mã. A name in any spelling, or a code."),
    scheme: str | None = typer.Option(None, "--scheme", help="vn2004 hoặc vn2025."),
    json_mode: bool = JsonOption,
) -> None:
    """Tìm đơn vị hành chính và các đơn vị cũ/mới tương ứng. Find units and their lineage."""
    with reporting(json_mode), open_session() as session:
        matches = find_units(session=session, text=text, scheme=scheme)
        data = [m.to_dict() for m in matches]
        if json_mode:
            emit_json(data=data, summary={"count": len(data)})
            return
        rows = []
        for m in matches:
            parent = m.parent.name if m.parent else ""
            links = m.successors or m.predecessors
            arrow = "→" if m.successors else "←"
            lineage = f"{arrow} " + ", ".join(f"{u.name} ({u.code})" for u in links) if links else ""
            if m.split:
                lineage += " [tách/split]"
            rows.append((m.unit.scheme, m.unit.code, m.unit.name, parent, lineage))
        console.print(table(f"Đơn vị hành chính: {text}", ["Hệ", "Mã", "Tên", "Thuộc", "Cũ → mới"], rows))
