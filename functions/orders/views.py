"""The API's shapes of carts and orders, built from database rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from functions.runtime.money import money


def cart_view(rows: Iterable[Mapping[str, Any]], updated_at: Any = None) -> dict[str, Any]:
    """Return the cart: its lines at the prices catalog gave, and their sum (null when empty)."""
    items = [cart_item_view(row) for row in rows]
    subtotal = None
    if items:  # a cart holds one currency (model.check_currency)
        subtotal = money(sum(i["line_total"]["amount_minor"] for i in items), items[0]["unit_price"]["currency"])
    return {"items": items, "item_count": sum(i["quantity"] for i in items), "subtotal": subtotal,
            "updated_at": updated_at}


def cart_item_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "sku": row["sku"],
        "name": row["name"],
        "quantity": row["quantity"],
        "unit_price": money(row["unit_price_minor"], row["currency"]),
        "line_total": money(row["unit_price_minor"] * row["quantity"], row["currency"]),
        "added_at": row["added_at"],
    }


def order_summary_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """An order as lists show it: no lines, no history."""
    currency = row["currency"]
    return {
        "id": row["id"],
        "user_id": row["user_id"],
        "status": row["status"],
        "cancel_reason": row["cancel_reason"],
        "subtotal": money(row["subtotal_minor"], currency),
        "shipping": money(row["shipping_minor"], currency),
        "tax": money(row["tax_minor"], currency),
        "total": money(row["total_minor"], currency),
        "payable_until": row["payable_until"],
        "payment_id": row["payment_id"],
        "last_payment_failure": row["last_payment_failure"],
        "placed_at": row["placed_at"],
        "updated_at": row["updated_at"],
    }


def order_view(row: Mapping[str, Any], items: Iterable[Mapping[str, Any]],
               history: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """An order with its lines, its shipping address and its status timeline (oldest first)."""
    currency = row["currency"]
    return {
        **order_summary_view(row),
        "items": [{
            "sku": i["sku"],
            "name": i["name"],
            "quantity": i["quantity"],
            "unit_price": money(i["unit_price_minor"], currency),
            "line_total": money(i["unit_price_minor"] * i["quantity"], currency),
        } for i in items],
        "shipping_address": row["shipping_address"],
        "history": [{"from_status": h["from_status"], "status": h["to_status"], "reason": h["reason"],
                     "at": h["at"]} for h in history],
    }
