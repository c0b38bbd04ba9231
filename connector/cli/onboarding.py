"""``agri onboarding``: the register of households, their trainings and marketplace accounts."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import func, select

from catalog.clock import local_today
from catalog.errors import CatalogueValidationError
from catalog.importing import check_report_path, terminal_progress
from catalog.periods import parse_period
from connector.cli.context import open_session
from connector.cli.output import ExitCode, JsonOption, emit_json, finish, lang, reporting
from connector.console import console, err_console, table
from connector.funnel import FUNNEL_STEPS
from connector.onboarding import (
    FORMATS,
    MODES,
    RegisterImport,
    Registration,
    TeamMember,
    build_funnel,
    export_member_households,
    funnel_cells,
    import_register,
    personal_path,
    write_funnel,
    write_template,
)

onboarding_app = typer.Typer(no_args_is_help=True)
_ENTITY_LABELS = {"households": "Hộ / households", "members": "Thành viên tổ / team members",
                  "registrations": "Đăng ký / registrations", "trainings": "Tập huấn / trainings",
                  "accounts": "Tài khoản sàn / accounts"}


@onboarding_app.command("template")
def onboarding_template(
    out: Path = typer.Argument(..., help="Tệp .xlsx sẽ tạo. The .xlsx file to write."),
    json_mode: bool = JsonOption,
) -> None:
    """Tạo tệp Excel mẫu cho danh sách hộ của tổ. Write the register template for the teams."""
    with reporting(json_mode):
        write_template(out)
    if json_mode:
        emit_json(data={"path": str(out)})
    else:
        console.print(f"Đã tạo mẫu / template written: [bold]{out}[/]")


def _report_path(report: Path, file: Path, several: bool) -> Path:
    path = report.with_name(f"{report.stem}-{file.stem}{report.suffix}") if several else report
    return personal_path(path)  # the report repeats the file's rows: names and phones


def _print_run(run: RegisterImport, reports: list[Path]) -> None:
    language = lang()
    title = "Nhập danh sách hộ / register import" + (" (chạy thử / dry run)" if run.dry_run else "")
    rows = [(_ENTITY_LABELS[k], c["created"], c["updated"], c["unchanged"], c["rejected"])
            for k, c in run.totals().items()]
    console.print(table(title, ["", "Tạo mới / created", "Cập nhật / updated", "Không đổi / unchanged",
                                "Bị từ chối / rejected"], rows))
    problems = [p for f in run.files for p in f.problems]
    if problems:
        shown = [(f.path.name, p.row, p.column, p.code, p.message(language)) for f in run.files for p in f.problems]
        console.print(table(f"Vấn đề, gộp hộ / problems and merges ({len(problems)})",
                            ["Tệp", "Dòng", "Cột", "Mã", "Nội dung"], shown[:40]))
    merges = sum(len(f.merges) for f in run.files)
    candidates = sum(len(f.merge_candidates) for f in run.files)
    console.print(f"Gộp hộ / merged: {merges}; cần xem xét / held for review: {candidates}"
                  + (" — `agri producers candidates`" if candidates else ""))
    for path in reports:
        console.print(f"Báo cáo (dữ liệu cá nhân) / report (personal data): [bold]{path}[/]")


@onboarding_app.command("import")
def onboarding_import(
    files: list[Path] = typer.Argument(..., help="Tệp .xlsx, .ods hoặc .csv của các tổ. The teams' files."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chạy thử, không ghi gì. Check only, write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Ghi báo cáo .xlsx/.csv/.json. Write a report."),
    mode: str = typer.Option("keep-valid", "--mode", help="keep-valid (mặc định) hoặc all-or-nothing."),
    json_mode: bool = JsonOption,
) -> None:
    """Nhập danh sách hộ, tập huấn, tài khoản sàn từ tệp của các tổ. Import the teams' register files."""
    if mode not in MODES:
        err_console.print(f"--mode: {' | '.join(MODES)}")
        raise typer.Exit(int(ExitCode.USAGE))
    with reporting(json_mode), open_session() as session, terminal_progress(err_console) as progress:
        if report:
            check_report_path(report)  # a bad --report is said before the import, not after it
        run = import_register(session=session, paths=files, mode=mode, dry_run=dry_run, lang=lang(),
                              progress=None if json_mode else progress, actor="cli")
    with reporting(json_mode):
        written = [f.write_report(_report_path(report, f.path, len(files) > 1), lang=lang())
                   for f in run.files] if report else []
    if json_mode:
        errors = [p.to_dict(lang()) | {"file": f.path.name} for f in run.files for p in f.errors]
        emit_json(data={"files": [f.to_dict(lang()) for f in run.files], "reports": [str(p) for p in written]},
                  errors=errors, summary=run.summary(), ok=not errors)
    else:
        _print_run(run, written)
    unreadable = all(f.unreadable for f in run.files)
    finish(ExitCode.USAGE if unreadable else ExitCode.PARTIAL if run.errors else ExitCode.OK)


@onboarding_app.command("funnel")
def onboarding_funnel(
    period: str = typer.Option("all", "--period", help="2024, 2024-06, 2024-Q2, 2024-H1, 2023-07..2024-06, all."),
    by: str = typer.Option("", "--by", help="commune, district, team-member, month (cách nhau bởi dấu phẩy)."),
    new: bool = typer.Option(False, "--new", help="Chỉ hộ đăng ký trong kỳ (mặc định: mọi hộ đăng ký đến hết kỳ). "
                                                  "Only households registered within the period (default: "
                                                  "everyone registered by its end)."),
    scheme: str = typer.Option("vn2025", "--scheme", help="Xã theo vn2025 (mới) hoặc vn2004 (cũ)."),
    fmt: str = typer.Option("table", "--format", help="table, csv, xlsx hoặc json."),
    out: Path | None = typer.Option(None, "--out", help="Tệp ra (csv/xlsx/json). Output file."),
    json_flag: bool = JsonOption,
) -> None:
    """Phễu: số hộ đăng ký, tập huấn, có tài khoản sàn (theo xã, huyện cũ, thành viên tổ, tháng).
    Onboarding funnel: distinct households at each step."""
    fmt = "json" if json_flag else fmt
    json_mode = fmt == "json" and out is None
    with reporting(json_mode):
        file_fmt = fmt if fmt != "table" or out is None else out.suffix.lstrip(".").lower()
        if fmt not in FORMATS or file_fmt not in FORMATS:
            raise CatalogueValidationError("onboarding.format_unknown", value=fmt, allowed=", ".join(FORMATS))
        if fmt in ("csv", "xlsx") and out is None:
            raise CatalogueValidationError("onboarding.out_needed", value=fmt)
        with open_session() as session:
            report = build_funnel(session=session, period=parse_period(period, today=local_today()),
                                  sources=FUNNEL_STEPS, dimensions=by, scheme=scheme, new=new)
        if out is not None:
            write_funnel(report, out, file_fmt, lang=lang())
    if json_mode:
        emit_json(data=report.to_dict(), summary={"households": report.total.counts.get("registered", 0),
                                                   "rows": len(report.rows)})
        return
    if out is None:
        headers, rows = funnel_cells(report, lang=lang())
        cohort = ("hộ đăng ký trong kỳ / registered within the period" if report.new
                  else f"hộ đăng ký đến hết {report.period.end:%d/%m/%Y} / registered by the period's end")
        console.print(table(f"Phễu đăng ký hộ / onboarding funnel — {report.period.label} ({cohort})", headers, rows))
    else:
        console.print(f"Đã ghi / written: [bold]{out}[/]")
    if report.open_candidates:
        console.print(f"[yellow]{report.open_candidates} cặp hộ có thể trùng chưa xử lý (open merge candidates): "
                      "số hộ có thể cao hơn thực tế.[/]")


@onboarding_app.command("export")
def onboarding_export(
    team_member: str = typer.Option(..., "--team-member", help="SĐT thành viên tổ. The team member's phone."),
    out: Path = typer.Option(Path("danh-sach-ho.xlsx"), "--out", help="Tệp .xlsx. Output file."),
    json_mode: bool = JsonOption,
) -> None:
    """Xuất danh sách hộ của một thành viên tổ (DỮ LIỆU CÁ NHÂN). Export one team member's households
    (personal data; the file name says so)."""
    with reporting(json_mode), open_session() as session:
        path, count = export_member_households(session=session, phone=team_member, out=out, actor="cli")
    if json_mode:
        emit_json(data={"path": str(path), "households": count, "personal_data": True})
    else:
        console.print(f"Đã xuất {count} hộ (DỮ LIỆU CÁ NHÂN, Nghị định 13/2023/NĐ-CP) → [bold]{path}[/]")


@onboarding_app.command("members")
def onboarding_members(json_mode: bool = JsonOption) -> None:
    """Danh sách thành viên tổ và số hộ đã đăng ký. Team members and their household counts."""
    with reporting(json_mode), open_session() as session:
        reg = Registration.__table__.c  # type: ignore[attr-defined]
        counts = dict(session.execute(select(reg.team_member_id, func.count(func.distinct(reg.producer_id)))
                                      .group_by(reg.team_member_id)).all())
        members = list(session.execute(select(TeamMember).order_by(TeamMember.name)).scalars())
        data = [{"id": m.id, "name": m.name, "phone": f"…{m.phone[-3:]}" if m.phone else None,
                 "user_id": m.user_id, "households": counts.get(m.id, 0)} for m in members]
    if json_mode:
        emit_json(data=data, summary={"count": len(data)})
        return
    console.print(table(f"Thành viên tổ / team members ({len(data)})", ["#", "Tên", "SĐT", "Người dùng web", "Số hộ"],
                        [(d["id"], d["name"], d["phone"], d["user_id"], d["households"]) for d in data]))


@onboarding_app.command("link-member")
def onboarding_link_member(
    phone: str = typer.Argument(..., help="SĐT thành viên tổ. The team member's phone."),
    user_id: int = typer.Option(..., "--user", help="Mã người dùng web. Web user id."),
    json_mode: bool = JsonOption,
) -> None:
    """Gắn thành viên tổ với tài khoản web. Link a team member to a web user."""
    from connector.onboarding import member_by_phone

    with reporting(json_mode), open_session() as session:
        member = member_by_phone(session=session, phone=phone)
        member.user_id = user_id
        session.add(member)
        data = {"id": member.id, "name": member.name, "user_id": user_id}
    if json_mode:
        emit_json(data=data)
    else:
        console.print(f"Đã gắn / linked {data['name']} → user {user_id}")
