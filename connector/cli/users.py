"""``agri users add | list | reset``: logins of the web app (``agri serve``)."""

from __future__ import annotations

from typing import Any

import typer

from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, reporting
from connector.console import console, table
from connector.web import NewUser, create_user, get_user, issue_code, list_users, parse_role, set_password

users_app = typer.Typer(no_args_is_help=True)


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Tên đăng nhập hoặc số điện thoại. User name or phone."),
    role: str = typer.Option(..., "--role", help="producer | staff | province | admin."),
    name: str = typer.Option("", "--name", help="Tên hiển thị. Display name."),
    producer: str | None = typer.Option(None, "--producer", help="Mã chủ thể (vai trò producer). Producer code."),
    commune: list[str] = typer.Option([], "--commune",
                                      help="Mã xã/phường vn2025 (cán bộ, lặp lại được). vn2025 commune, repeatable."),
    member_phone: str | None = typer.Option(None, "--member-phone",
                                            help="SĐT thành viên tổ CNS để gắn (cán bộ). Team member phone to link."),
    password: str | None = typer.Option(None, "--password", help="Mật khẩu; bỏ trống thì in mã dùng một lần. "
                                        "Password; without it a one-time code is printed.",
                                        envvar="AGRI_NEW_PASSWORD"),
    json_mode: bool = JsonOption,
) -> None:
    """Tạo người dùng web. Create a web user."""
    with reporting(json_mode), open_session() as session:
        user = create_user(session=session, data=NewUser(
            username=username, display_name=name or username, role=parse_role(role), producer_code=producer,
            communes=tuple(commune), team_member_phone=member_phone), password=password)
        code = None if password else issue_code(session=session, user=user)
        data = {"id": user.id, "username": user.username, "role": user.role, "producer_id": user.producer_id,
                "communes": user.communes, "team_member_id": user.team_member_id, "one_time_code": code}
    if json_mode:
        emit_json(data=data)
        return
    console.print(f"Đã tạo / created [bold]{data['username']}[/] ({data['role']})")
    if code:
        console.print(f"Mã dùng một lần / one-time code: [bold]{code}[/] — đặt mật khẩu tại /code (7 ngày).")


@users_app.command("list")
def users_list(json_mode: bool = JsonOption) -> None:
    """Danh sách người dùng web. Web users."""
    with reporting(json_mode), open_session() as session:
        data: list[dict[str, Any]] = [{"id": u.id, "username": u.username, "name": u.display_name, "role": u.role,
                 "producer_id": u.producer_id, "communes": u.communes, "active": u.active,
                 "has_password": u.password_hash is not None} for u in list_users(session=session)]
    if json_mode:
        emit_json(data=data, summary={"count": len(data)})
        return
    console.print(table(f"Người dùng / users ({len(data)})", ["#", "Tên đăng nhập", "Tên", "Vai trò", "Xã", "Mật khẩu"],
                        [(d["id"], d["username"], d["name"], d["role"], ", ".join(d["communes"]),
                          "có" if d["has_password"] else "chưa") for d in data]))


@users_app.command("reset")
def users_reset(
    username: str = typer.Argument(..., help="Tên đăng nhập. User name."),
    password: str | None = typer.Option(None, "--password", envvar="AGRI_NEW_PASSWORD",
                                        help="Mật khẩu mới; bỏ trống thì in mã dùng một lần. New password, or a code."),
    json_mode: bool = JsonOption,
) -> None:
    """Đặt lại mật khẩu (hoặc cấp mã dùng một lần). Reset a password or issue a one-time code."""
    with reporting(json_mode), open_session() as session:
        user = get_user(session=session, username=username)
        code = None
        if password:
            set_password(session=session, user=user, password=password)  # every session of theirs ends
        else:
            code = issue_code(session=session, user=user)
        data = {"username": user.username, "one_time_code": code, "password_set": code is None}
    if json_mode:
        emit_json(data=data)
    elif code:
        console.print(f"Mã dùng một lần cho / one-time code for {data['username']}: [bold]{code}[/]")
    else:
        console.print(f"Đã đặt mật khẩu mới / password set for {data['username']}")
