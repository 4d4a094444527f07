"""Stock use cases: receive, adjust, a warehouse's count, the public availability, the admin lists."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import BigInteger, Connection, Select, cast, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from functions.inventory import ledger, model
from functions.inventory.tables import stock_levels, stock_movements, warehouses
from functions.inventory.views import availability_view, movement_view, stock_level_view
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import Conflict, InvalidInput, NotFound
from functions.runtime.paging import envelope

if TYPE_CHECKING:  # pydantic is the cost of the functions that parse a body, not of every one
    from functions.inventory.commands import AdjustStock, ListMovements, ListStock, ReceiveStock


def _big(units: int) -> Any:
    """A bound integer as bigint: on_hand + it cannot overflow before the WHERE compares it."""
    return cast(literal(units), BigInteger)


def level_query() -> Select[Any]:
    s, w = stock_levels, warehouses
    return select(s, w.c.code.label("warehouse_code")).select_from(s.join(w, w.c.id == s.c.warehouse_id))


def availability(conn: Connection, sku: str) -> dict[str, Any]:
    """Return what a shopper may buy of `sku` now (0 for a SKU no warehouse holds)."""
    return availability_view(sku, *ledger.totals(conn, sku))


def list_stock(conn: Connection, query: ListStock) -> dict[str, Any]:
    """Return a page of stock levels (by SKU, then warehouse code), filtered."""
    s = stock_levels
    where = []
    if query.warehouse_id is not None:
        where.append(s.c.warehouse_id == query.warehouse_id)
    if query.sku is not None:
        where.append(s.c.sku == query.sku)
    if query.low_stock is not None:
        low = s.c.on_hand - s.c.reserved <= s.c.low_stock_threshold  # model.is_low, in SQL
        where.append(low if query.low_stock else ~low)
    total = conn.scalar(select(func.count()).select_from(s).where(*where))
    rows = conn.execute(level_query().where(*where).order_by(s.c.sku, warehouses.c.code)
                        .limit(query.page_size).offset((query.page - 1) * query.page_size)).mappings()
    return envelope([stock_level_view(row) for row in rows], total, query.page, query.page_size)


def list_movements(conn: Connection, query: ListMovements) -> dict[str, Any]:
    """Return a page of the ledger, newest first, filtered."""
    m = stock_movements
    where = [column == value for column, value in (
        (m.c.warehouse_id, query.warehouse_id), (m.c.sku, query.sku), (m.c.cause, query.cause),
        (m.c.order_id, query.order_id)) if value is not None]
    total = conn.scalar(select(func.count()).select_from(m).where(*where))
    rows = conn.execute(select(m).where(*where).order_by(m.c.id.desc())
                        .limit(query.page_size).offset((query.page - 1) * query.page_size)).mappings()
    return envelope([movement_view(row) for row in rows], total, query.page, query.page_size)


def _warehouse(conn: Connection, warehouse_id: UUID) -> Any:
    row = conn.execute(select(warehouses.c.id, warehouses.c.active)
                       .where(warehouses.c.id == warehouse_id)).first()
    if row is None:
        raise InvalidInput.of("warehouse_id", "no such warehouse")
    return row


def _level(conn: Connection, warehouse_id: UUID, sku: str) -> Any:
    return conn.execute(level_query().where(stock_levels.c.warehouse_id == warehouse_id,
                                            stock_levels.c.sku == sku)).mappings().first()


def _ensure_level(conn: Connection, warehouse_id: UUID, sku: str) -> None:
    conn.execute(upsert(stock_levels).values(id=uuid.uuid4(), warehouse_id=warehouse_id, sku=sku)
                 .on_conflict_do_nothing(constraint="stock_levels_warehouse_sku_key"))


def _threshold(changes: dict[str, Any], threshold: int | None) -> dict[str, Any]:
    return changes if threshold is None else changes | {"low_stock_threshold": threshold}


def receive(uow: UnitOfWork, cmd: ReceiveStock, *, known: bool) -> dict[str, Any]:
    """Put `quantity` units of a SKU the catalog sells on a warehouse's shelf (a receipt)."""
    if not known:
        raise InvalidInput.of("sku", "is not a SKU the catalog knows")
    conn = uow.conn
    if not _warehouse(conn, cmd.warehouse_id).active:
        raise Conflict("The warehouse is inactive: it receives no stock.", "warehouse_id")
    turn = ledger.begin_change(conn, cmd.sku)
    _ensure_level(conn, cmd.warehouse_id, cmd.sku)
    s = stock_levels
    changed = conn.execute(update(s).where(
        s.c.warehouse_id == cmd.warehouse_id, s.c.sku == cmd.sku,
        s.c.on_hand + _big(cmd.quantity) <= model.MAX_UNITS)  # bigint arithmetic: cannot overflow
        .values(**_threshold({"on_hand": s.c.on_hand + cmd.quantity}, cmd.low_stock_threshold),
                version=s.c.version + 1, updated_at=func.now()).returning(s.c.id)).first()
    if changed is None:
        raise InvalidInput.of("quantity", f"on hand may not pass {model.MAX_UNITS} units")
    return _finish(uow, cmd.warehouse_id, turn, "stock.received", model.RECEIPT,
                   cmd.quantity, cmd.reason, "quantity")


def adjust(uow: UnitOfWork, cmd: AdjustStock) -> dict[str, Any]:
    """Correct on_hand by a signed delta (damage, a find); never below what is reserved (409)."""
    conn = uow.conn
    _warehouse(conn, cmd.warehouse_id)
    turn = ledger.begin_change(conn, cmd.sku)
    _apply_delta(conn, cmd.warehouse_id, cmd.sku, cmd.delta, cmd.low_stock_threshold)
    return _finish(uow, cmd.warehouse_id, turn, "stock.adjusted", model.ADJUSTMENT,
                   cmd.delta, cmd.reason, "delta")


def _apply_delta(conn: Connection, warehouse_id: UUID, sku: str, delta: int, threshold: int | None) -> None:
    s = stock_levels
    changed = conn.execute(update(s).where(
        s.c.warehouse_id == warehouse_id, s.c.sku == sku,
        s.c.on_hand + _big(delta) >= s.c.reserved, s.c.on_hand + _big(delta) <= model.MAX_UNITS)
        .values(**_threshold({"on_hand": s.c.on_hand + delta}, threshold),
                version=s.c.version + 1, updated_at=func.now()).returning(s.c.id)).first()
    if changed is None:  # say why: the row is ours until commit (the SKU's turn), so it is current
        level = _level(conn, warehouse_id, sku)
        if level is None:
            raise NotFound("Stock level", sku, f"Warehouse {warehouse_id} holds no stock of '{sku}'.")
        model.check_adjustment(level["on_hand"], level["reserved"], delta)
        raise RuntimeError("the conditional update refused a valid adjustment")


def _finish(uow: UnitOfWork, warehouse_id: UUID, turn: ledger.Turn, action: str, cause: str,
            on_hand_delta: int, reason: str, field_name: str) -> dict[str, Any]:
    """Ledger, event, audit and commit of an admin's change; return the level after it."""
    conn, sku = uow.conn, turn.sku
    after = ledger.publish(uow, turn, [ledger.Movement(warehouse_id, cause, on_hand_delta, reason=reason,
                                                       actor=uow.actor)])
    model.check_total(after["on_hand"], field_name)  # refused: the unit of work rolls back
    level = _level(conn, warehouse_id, sku)
    uow.audit(action, level["id"], {"warehouse_id": warehouse_id, "sku": sku, field_name: on_hand_delta,
                                    "reason": reason})
    uow.commit()
    return stock_level_view(level)


def count(uow: UnitOfWork, warehouse_code: str, sku: str, counted: int) -> bool:
    """Set on_hand to a physical count (an adjustment, reason "count"); False when nothing changed.

    A count below what is reserved cannot be applied (Conflict): the warehouse must recount or
    the reservations be released first.
    """
    conn = uow.conn
    warehouse_id = conn.scalar(select(warehouses.c.id).where(warehouses.c.code == warehouse_code))
    if warehouse_id is None:
        raise NotFound("Warehouse", warehouse_code)
    turn = ledger.begin_change(conn, sku)
    _ensure_level(conn, warehouse_id, sku)
    level = _level(conn, warehouse_id, sku)  # current: the SKU's turn is ours
    delta = counted - level["on_hand"]
    if delta == 0:
        return False
    _apply_delta(conn, warehouse_id, sku, delta, None)
    after = ledger.publish(uow, turn, [ledger.Movement(warehouse_id, model.ADJUSTMENT, delta,
                                                       reason=model.COUNT_REASON)])
    model.check_total(after["on_hand"], "counted")  # refused: the unit of work rolls back
    return True
