"""The demo stock: what the demo catalog (functions/catalog/seed/) says is in stock, held in a
`DEMO` warehouse, so inventory agrees with the catalog's seeded availability from the start.

Each product marked in stock gets `units` on hand, with a receipt in the ledger (the ledger
always sums to the stock levels). Loading it again changes nothing: the warehouse is there.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, func, insert, select

from functions.inventory.tables import skus, stock_levels, stock_movements, warehouses

DEMO_CODE = "DEMO"
DEMO_UNITS = 50


def seed_demo_stock(conn: Connection, catalog_seed: Mapping[str, Any], units: int = DEMO_UNITS) -> int:
    """Stock the demo catalog's in-stock products; return how many SKUs (0 when done before)."""
    if conn.scalar(select(warehouses.c.id).where(warehouses.c.code == DEMO_CODE)) is not None:
        return 0
    in_stock = [p["sku"] for p in catalog_seed["products"] if p.get("in_stock", True)]
    warehouse_id = uuid.uuid4()
    conn.execute(insert(warehouses).values(id=warehouse_id, code=DEMO_CODE, name="Demo stock", address="",
                                           active=True, created_at=func.now(), updated_at=func.now()))
    if not in_stock:
        return 0
    conn.execute(insert(skus), [{"sku": sku, "version": 1} for sku in in_stock])
    conn.execute(insert(stock_levels), [
        {"id": uuid.uuid4(), "warehouse_id": warehouse_id, "sku": sku, "on_hand": units, "reserved": 0,
         "low_stock_threshold": 0, "version": 1, "updated_at": func.now()} for sku in in_stock])
    conn.execute(insert(stock_movements), [
        {"warehouse_id": warehouse_id, "sku": sku, "cause": "receipt", "on_hand_delta": units, "reserved_delta": 0,
         "reason": "demo stock", "actor": None} for sku in in_stock])
    return len(in_stock)
