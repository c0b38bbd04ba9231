"""``agri orders``: pull marketplace orders into the ledger."""

from __future__ import annotations

import typer
from sqlalchemy import select

from connector.cli.context import open_session
from connector.cli.listings import listings_orders_import
from connector.cli.output import JsonOption, emit_json, finish, reporting, run_outcome
from connector.console import console, table
from connector.orders import OrderBookmark, pull_all

orders_app = typer.Typer(no_args_is_help=True)


@orders_app.command("pull")
def orders_pull(
    accounts: list[str] = typer.Argument(None, help="Tên tài khoản (mặc định: mọi tài khoản đã kết nối). "
                                                   "Account names (default: every connected account)."),
    json_mode: bool = JsonOption,
) -> None:
    """Lấy đơn hàng mới từ các sàn (tiếp từ lần trước), ghi sổ bán hàng và trừ tồn kho.
    Pull new orders incrementally, record sales and take them off the stock."""
    with reporting(json_mode), open_session() as session:
        results = pull_all(session=session, account_names=accounts or None)
    data = [r.to_dict() for r in results]
    errors = [r.error | {"account": r.account} for r in results if r.error]
    summary = {"accounts": len(results), "failed": len(errors), "orders": sum(r.orders for r in results),
               "new": sum(d["new"] for d in data), "sales": sum(d["sales"] for d in data),
               "reversals": sum(d["reversals"] for d in data)}
    if json_mode:
        emit_json(data=data, errors=errors, summary=summary)
    else:
        console.print(table("Lấy đơn hàng / order pull", ["Tài khoản", "Đơn đọc", "Mới", "Cập nhật", "Bán",
                                                          "Hoàn/hủy", "Điều chỉnh", "SKU lạ", "Lỗi"],
                            [(d["account"], d["orders"], d["new"], d["updated"], d["sales"], d["reversals"],
                              d["adjustments"], ", ".join(d["unknown_skus"][:5]),
                              d["error"]["message"] if d["error"] else "") for d in data]))
    finish(run_outcome(ok=not errors, nothing_done=bool(errors) and len(errors) == len(results), errors=errors))


@orders_app.command("bookmarks")
def orders_bookmarks(json_mode: bool = JsonOption) -> None:
    """Mốc lấy đơn của từng tài khoản. Where each account's next pull resumes."""
    from connector.accounts import MarketplaceAccount

    with reporting(json_mode), open_session() as session:
        mark, acc = OrderBookmark.__table__.c, MarketplaceAccount.__table__.c  # type: ignore[attr-defined]
        rows = session.execute(select(acc.name, mark.pulled_until, mark.last_run_at, mark.orders_seen, mark.last_error)
                               .join_from(mark, MarketplaceAccount.__table__, mark.account_id == acc.id)  # type: ignore[attr-defined]
                               .order_by(acc.name)).all()
    data = [{"account": a, "pulled_until": u, "last_run_at": r, "orders_seen": n, "last_error": e}
            for a, u, r, n, e in rows]
    if json_mode:
        emit_json(data=data, summary={"accounts": len(data)})
        return
    console.print(table("Mốc lấy đơn / order bookmarks", ["Tài khoản", "Đã lấy đến", "Lần chạy", "Số đơn", "Lỗi"],
                        [(d["account"], d["pulled_until"], d["last_run_at"], d["orders_seen"], d["last_error"])
                         for d in data]))


# `agri orders import ACCOUNT FILE`: the seller centre's order export, the same command as
# `agri listings orders-import` (one implementation, two places a support worker looks for it).
orders_app.command("import")(listings_orders_import)
