"""Error codes of the orders area: code -> (Vietnamese, English)."""

CODES: dict[str, tuple[str, str]] = {
    "orders.cursor_loop": (
        "Sàn {marketplace} trả lại cùng một trang đơn hàng nhiều lần (tài khoản {account}); dừng để tránh lặp vô hạn.",
        "Marketplace {marketplace} returned the same page of orders twice (account {account}); stopped (a loop).",
    ),
}
