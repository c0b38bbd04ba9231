"""``agri accounts``: marketplace accounts the connector may act for (credentials stored encrypted)."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from sqlalchemy import func
from sqlmodel import Session, col, select

from catalog.errors import ConfigurationError
from catalog.producers import Producer, get_producer
from connector.account_adapter import adapter_type
from connector.accounts import MarketplaceAccount, create_account, get_account, list_accounts, platform_name
from connector.cli.context import open_session
from connector.cli.output import JsonOption, emit_json, reporting
from connector.console import console, table
from connector.settings import get_settings, http_url_problem
from connector.sync import Binding, PushResult, remove_account

accounts_app = typer.Typer(no_args_is_help=True)

CRED_ENV_PREFIX = "AGRI_CRED_"


def credential_env_name(field: str) -> str:
    """``username`` → ``AGRI_CRED_USERNAME``: where a script puts a credential instead of the prompt."""
    return CRED_ENV_PREFIX + "".join(c if c.isalnum() else "_" for c in field).upper()


def read_credentials(fields: tuple[str, ...], *, marketplace: str, interactive: bool) -> dict[str, str]:
    """Each field from ``AGRI_CRED_<FIELD>``, else from a hidden prompt on a terminal."""
    values: dict[str, str] = {}
    missing = []
    for name in fields:
        value = os.environ.get(credential_env_name(name), "")
        if not value and interactive:
            value = typer.prompt(f"{name}", hide_input=True, default="", show_default=False)
        if value:
            values[name] = value
        else:
            missing.append(credential_env_name(name))
    if missing:
        raise ConfigurationError("sync.credentials_missing", marketplace=marketplace, fields=", ".join(missing))
    return values


def check_base_url(base_url: str | None, *, marketplace: str, sandbox_url: str) -> None:
    """An account added here is reached through its marketplace's API, and no marketplace documents one address
    for every shop: without ``--base-url`` (or with one that is no http(s) address) every later sync, pull and
    worker run would fail, so the account is refused now, before any credential is asked for."""
    example = f"{sandbox_url}/{marketplace}"
    if not base_url:
        raise ConfigurationError("accounts.base_url_required", marketplace=marketplace, example=example)
    problem = http_url_problem(base_url)
    if problem is not None:
        raise ConfigurationError("config.url", name="--base-url", value=base_url, detail=problem, example=example)


def account_public(session: Session, account: MarketplaceAccount) -> dict[str, Any]:
    """What any output shows of an account (never a credential)."""
    producer = session.get(Producer, account.producer_id)
    states = dict(session.exec(select(Binding.state, func.count()).where(Binding.account_id == account.id)
                               .group_by(Binding.state)).all())
    return {"name": account.name, "marketplace": account.marketplace, "platform": platform_name(account),
            "producer_code": producer.code if producer else None, "base_url": account.base_url,
            "profile": account.profile, "shop_id": account.shop_id, "status": account.status.value,
            "connected": account.connected, "rules": account.rules,
            "listings": {str(state): int(count) for state, count in states.items()},
            "last_push_failed": int(session.exec(select(func.count()).select_from(Binding).where(
                Binding.account_id == account.id, col(Binding.push_result) == PushResult.failed.value)).one())}


@accounts_app.command("add")
def accounts_add(
    name: str = typer.Argument(..., help="Tên ngắn của tài khoản (vd. htx-a-voso). Short account name."),
    producer: str = typer.Option(..., "--producer", help="Mã chủ thể sở hữu gian hàng. Producer code."),
    marketplace: str = typer.Option(..., "--marketplace", help="voso | postmart | generic."),
    base_url: str | None = typer.Option(None, "--base-url", help="Địa chỉ API của sàn. The API base URL."),
    profile: str | None = typer.Option(None, "--profile", help="Hồ sơ của bộ kết nối generic. Generic profile."),
    json_mode: bool = JsonOption,
) -> None:
    """Kết nối gian hàng: lưu thông tin đăng nhập đã mã hóa. Connect a shop (credentials encrypted).

    Thông tin đăng nhập lấy từ biến môi trường AGRI_CRED_<TRƯỜNG> (vd. AGRI_CRED_USERNAME,
    AGRI_CRED_PASSWORD) hoặc được hỏi (ẩn). Credentials come from AGRI_CRED_<FIELD> or a hidden prompt.
    """
    with reporting(json_mode):
        settings = get_settings()
        check_base_url(base_url, marketplace=marketplace, sandbox_url=settings.sandbox_url)
        key = settings.secret_key
        if key is None or not key.get_secret_value():
            raise ConfigurationError("config.secret_key_missing")
        fields = adapter_type(marketplace).required_credentials(profile)
        credentials = read_credentials(fields, marketplace=marketplace,
                                       interactive=not json_mode and sys.stdin.isatty())
        with open_session() as session:
            owner = get_producer(session=session, code=producer)
            account = create_account(session=session, name=name, producer=owner, marketplace=marketplace,
                                     credentials=credentials, key=key, base_url=base_url, profile=profile)
            data = account_public(session, account)
    if json_mode:
        emit_json(data=data)
    else:
        console.print(f"Đã kết nối tài khoản / account connected: [bold]{name}[/] ({marketplace}); "
                      f"thông tin đăng nhập đã mã hóa / credentials encrypted: {', '.join(fields) or '-'}")


@accounts_app.command("list")
def accounts_list(
    marketplace: str | None = typer.Option(None, "--marketplace", help="Chỉ một sàn. One marketplace only."),
    json_mode: bool = JsonOption,
) -> None:
    """Liệt kê tài khoản sàn. List marketplace accounts."""
    with reporting(json_mode), open_session() as session:
        rows = [account_public(session, a) for a in list_accounts(session=session, marketplace=marketplace)]
    if json_mode:
        emit_json(data=rows, summary={"count": len(rows)})
        return
    console.print(table("Tài khoản sàn / accounts", ["Tên", "Sàn", "Chủ thể", "Kết nối", "API", "Sản phẩm"],
                        [(r["name"], r["marketplace"], r["producer_code"], "có" if r["connected"] else "không",
                          r["base_url"], ", ".join(f"{k}: {v}" for k, v in r["listings"].items())
                          + (f"; cập nhật lỗi / last update failed: {r['last_push_failed']}"
                             if r["last_push_failed"] else ""))
                         for r in rows]))


@accounts_app.command("remove")
def accounts_remove(
    name: str = typer.Argument(..., help="Tên tài khoản. Account name."),
    force: bool = typer.Option(False, "--force", help="Xóa cả liên kết sản phẩm. Also drop its bindings."),
    json_mode: bool = JsonOption,
) -> None:
    """Ngắt kết nối và xóa tài khoản. Disconnect and remove an account.

    Tài khoản còn đơn hàng hoặc trong sổ đăng ký chỉ bị ngắt kết nối (xóa thông tin đăng nhập).
    An account with orders or register rows is only disconnected.
    """
    with reporting(json_mode), open_session() as session:
        account = get_account(session=session, name=name)
        deleted = remove_account(session=session, account=account, force=force)
    if json_mode:
        emit_json(data={"name": name, "deleted": deleted, "disconnected": True})
    else:
        console.print(f"Đã xóa tài khoản / removed: [bold]{name}[/]" if deleted else
                      f"Đã ngắt kết nối / disconnected (còn dữ liệu khác / other records kept): [bold]{name}[/]")
