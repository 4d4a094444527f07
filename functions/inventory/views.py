"""The API's shapes of inventory resources, built from database rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from functions.inventory import model


def warehouse_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "address": row["address"],
        "active": row["active"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def stock_level_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stock level with its warehouse's code (rows from `stock.level_query`)."""
    return {
        "id": row["id"],
        "warehouse_id": row["warehouse_id"],
        "warehouse_code": row["warehouse_code"],
        "sku": row["sku"],
        "on_hand": row["on_hand"],
        "reserved": row["reserved"],
        "available": model.available(row["on_hand"], row["reserved"]),
        "low_stock_threshold": row["low_stock_threshold"],
        "low_stock": model.is_low(row["on_hand"], row["reserved"], row["low_stock_threshold"]),
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def availability_view(sku: str, on_hand: int, reserved: int) -> dict[str, Any]:
    """What anyone may know of a SKU's stock: how many can be bought now."""
    units = model.available(on_hand, reserved)
    return {"sku": sku, "available": units, "in_stock": units > 0}


def movement_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "at": row["at"],
        "warehouse_id": row["warehouse_id"],
        "sku": row["sku"],
        "cause": row["cause"],
        "on_hand_delta": row["on_hand_delta"],
        "reserved_delta": row["reserved_delta"],
        "order_id": row["order_id"],
        "reason": row["reason"],
        "actor": row["actor"],
    }
