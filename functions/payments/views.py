"""The API's shape of a saved payment method, built from its row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
