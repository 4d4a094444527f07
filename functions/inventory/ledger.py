"""How every stock change is made: the SKU's turn, the ledger row, and the stock events.

Every use case that changes a SKU's on_hand or reserved does it as
`begin_change(sku)` → its conditional UPDATEs → `publish(turn, moved)` with a `Movement` per row
changed, for its SKUs in SKU order. `publish` writes the movements to the ledger in the statement
that reads the totals after the change (a WITH clause): one statement for both. `begin_change`
bumps the SKU's version row first: it numbers the change for the event and makes concurrent
changes of one SKU take turns, so the totals an event carries are the ones its version stands
for. The UPDATEs stay conditional and the CHECK constraint stays the last word on reserved never
passing on_hand.

`publish` appends stock.changed (the totals, for whoever follows the levels) and, only when the
change takes the SKU in or out of stock, availability.changed (for the catalog's in-stock flag,
which most changes leave as it was: a reservation or its commit of a well-stocked SKU). What the
last availability.changed said is kept in the version row, read with the turn, so knowing
whether this change flips it costs no statement, and telling it one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import Connection, Select, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from functions.inventory.events import AVAILABILITY_CHANGED, STOCK_CHANGED
from functions.inventory.tables import skus, stock_levels, stock_movements, warehouses
from functions.runtime.db import UnitOfWork
from functions.runtime.rows import insert_rows


class Turn(NamedTuple):
    """A SKU's change in the making: its SKU, the version it will carry, and whether the SKU was in
    stock as far as the last availability.changed said (None: none was published yet)."""

    sku: str
    version: int
    was_in_stock: bool | None


def begin_change(conn: Connection, sku: str) -> Turn:
    """Take the SKU's turn (held until commit): the version this change will carry, and the
    availability last published (the upsert leaves `in_stock` as it was, so it returns that)."""
    stmt = upsert(skus).values(sku=sku, version=1)
    row = conn.execute(stmt.on_conflict_do_update(
        index_elements=[skus.c.sku], set_={"version": skus.c.version + 1})
        .returning(skus.c.version, skus.c.in_stock)).one()
    return Turn(sku, row.version, row.in_stock)


class Movement(NamedTuple):
    """One ledger row of a change of one warehouse's level of the turn's SKU."""
    warehouse_id: UUID
    cause: str
    on_hand_delta: int = 0
    reserved_delta: int = 0
    order_id: UUID | None = None
    reason: str = ""
    actor: str | None = None


def _totals_query(sku: str) -> Select:
    s, w = stock_levels, warehouses
    counted = lambda column: func.coalesce(func.sum(case((w.c.active, column), else_=0)), 0)  # noqa: E731
    return select(counted(s.c.on_hand), counted(s.c.reserved)) \
        .select_from(s.join(w, w.c.id == s.c.warehouse_id)).where(s.c.sku == sku)


def totals(conn: Connection, sku: str) -> tuple[int, int]:
    """Return the SKU's (on_hand, reserved) over its active warehouses (inactive ones promise nothing)."""
    row = conn.execute(_totals_query(sku)).one()
    return int(row[0]), int(row[1])


def _recorded_totals(conn: Connection, sku: str, moved: Sequence[Movement]) -> tuple[int, int]:
    """Append `moved` to the ledger and return the SKU's totals, in one statement (the totals
    read the levels as this transaction's earlier UPDATEs left them; the ledger rows change no level)."""
    query = _totals_query(sku)
    if moved:
        query = query.add_cte(insert_rows(
            stock_movements, [{"sku": sku, **movement._asdict()} for movement in moved]).cte("moved"))
    row = conn.execute(query).one()
    return int(row[0]), int(row[1])


def publish(uow: UnitOfWork, turn: Turn, moved: Sequence[Movement] = ()) -> dict[str, object]:
    """Record the change's ledger rows, then append stock.changed with the SKU's totals after it,
    and availability.changed when it takes the SKU in or out of stock; return stock.changed's data."""
    on_hand, reserved = _recorded_totals(uow.conn, turn.sku, moved)
    available = max(0, on_hand - reserved)
    changed_at = datetime.now(timezone.utc)
    data = {"sku": turn.sku, "on_hand": on_hand, "reserved": reserved, "available": available,
            "version": turn.version, "changed_at": changed_at}
    uow.emit(STOCK_CHANGED, turn.sku, data)
    in_stock = available > 0
    if in_stock != turn.was_in_stock:
        uow.conn.execute(update(skus).where(skus.c.sku == turn.sku).values(in_stock=in_stock))
        uow.emit(AVAILABILITY_CHANGED, turn.sku, {"sku": turn.sku, "in_stock": in_stock,
                                                  "version": turn.version, "changed_at": changed_at})
    return data
