"""The API's shapes of saved payment methods and payments, built from their rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from functions.runtime.money import money


def payment_method_view(row: Mapping[str, Any]) -> dict[str, Any]:
    # The token is the provider's handle for charging the card: it is not shown back, a caller
    # names a saved method by its id.
    return {
        "id": row["id"],
        "brand": row["brand"],
        "last4": row["last4"],
        "exp_month": row["exp_month"],
        "exp_year": row["exp_year"],
        "created_at": row["created_at"],
    }


def payment_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A payment as its shopper (or an admin) sees it; `partially_refunded` is a completed one
    with part of it given back."""
    status = row["status"]
    if status == "completed" and row["refunded_minor"]:
        status = "partially_refunded"
    failure = None
    if row["failure_code"] is not None:
        failure = {"code": row["failure_code"], "message": row["failure_message"]}
    method = None
    if row["brand"] is not None:
        method = {"brand": row["brand"], "last4": row["last4"]}
    return {
        "id": row["id"],
        "order_id": row["order_id"],
        "user_id": row["user_id"],
        "status": status,
        "amount": money(row["amount_minor"], row["currency"]),
        "refunded": money(row["refunded_minor"], row["currency"]),
        "payment_method_id": row["method_id"],
        "card": method,
        "failure": failure,
        "created_at": row["created_at"],
        "completed_at": row["completed_at"],
    }
