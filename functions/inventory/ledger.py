"""How every stock change is made: the SKU's turn, the ledger row, and the stock.changed event.

Every use case that changes a SKU's on_hand or reserved does it as
`begin_change(sku)` → its conditional UPDATEs → `record(...)` per row changed → `publish(sku)`,
for its SKUs in SKU order. `begin_change` bumps the SKU's version row first: it numbers the
change for the event and makes concurrent changes of one SKU take turns, so the totals an event
carries are the ones its version stands for. The UPDATEs stay conditional and the CHECK
constraint stays the last word on reserved never passing on_hand.
"""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID

from sqlalchemy import Connection, case, func, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert

from functions.inventory.events import STOCK_CHANGED
from functions.inventory.tables import skus, stock_levels, stock_movements, warehouses
from functions.runtime.db import UnitOfWork


def begin_change(conn: Connection, sku: str) -> int:
    """Take the SKU's turn (held until commit) and return the version this change will carry."""
    stmt = upsert(skus).values(sku=sku, version=1)
    return conn.scalar(stmt.on_conflict_do_update(
        index_elements=[skus.c.sku], set_={"version": skus.c.version + 1}).returning(skus.c.version))


def record(conn: Connection, warehouse_id: UUID, sku: str, cause: str, on_hand_delta: int = 0,
           reserved_delta: int = 0, *, order_id: UUID | None = None, reason: str = "",
           actor: str | None = None) -> None:
    """Append one row to the movements ledger."""
    conn.execute(insert(stock_movements).values(
        warehouse_id=warehouse_id, sku=sku, cause=cause, on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta, order_id=order_id, reason=reason, actor=actor))


def totals(conn: Connection, sku: str) -> tuple[int, int]:
    """Return the SKU's (on_hand, reserved) over its active warehouses (inactive ones promise nothing)."""
    s, w = stock_levels, warehouses
    counted = lambda column: func.coalesce(func.sum(case((w.c.active, column), else_=0)), 0)  # noqa: E731
    row = conn.execute(select(counted(s.c.on_hand), counted(s.c.reserved))
                       .select_from(s.join(w, w.c.id == s.c.warehouse_id)).where(s.c.sku == sku)).one()
    return int(row[0]), int(row[1])


def publish(uow: UnitOfWork, sku: str, version: int) -> dict[str, object]:
    """Append stock.changed with the SKU's totals after this change; return its data."""
    on_hand, reserved = totals(uow.conn, sku)
    data = {"sku": sku, "on_hand": on_hand, "reserved": reserved,
            "available": max(0, on_hand - reserved), "version": version,
            "changed_at": datetime.now(timezone.utc)}
    uow.emit(STOCK_CHANGED, sku, data)
    return data
