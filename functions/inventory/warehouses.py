"""Warehouse use cases: list, create, rename or (de)activate."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from functions.inventory import ledger
from functions.inventory.tables import stock_levels, warehouses
from functions.inventory.views import warehouse_view
from functions.runtime.db import UnitOfWork, violated_constraint
from functions.runtime.exceptions import Conflict, NotFound
from functions.runtime.paging import envelope

if TYPE_CHECKING:  # pydantic is the cost of the functions that parse a body, not of every one
    from functions.inventory.commands import CreateWarehouse, ListWarehouses, UpdateWarehouse


def list_warehouses(conn: Connection, query: ListWarehouses) -> dict[str, Any]:
    """Return a page of warehouses by code."""
    where = [] if query.active is None else [warehouses.c.active == query.active]
    total = conn.scalar(select(func.count()).select_from(warehouses).where(*where))
    rows = conn.execute(select(warehouses).where(*where).order_by(warehouses.c.code)
                        .limit(query.page_size).offset((query.page - 1) * query.page_size)).mappings()
    return envelope([warehouse_view(row) for row in rows], total, query.page, query.page_size)


def get_warehouse(conn: Connection, warehouse_id: UUID) -> dict[str, Any]:
    row = conn.execute(select(warehouses).where(warehouses.c.id == warehouse_id)).mappings().first()
    if row is None:
        raise NotFound("Warehouse", str(warehouse_id))
    return warehouse_view(row)


def create_warehouse(uow: UnitOfWork, cmd: CreateWarehouse) -> dict[str, Any]:
    """Create a warehouse; 409 when its code is taken."""
    warehouse_id = uuid.uuid4()
    try:
        with uow.conn.begin_nested():
            uow.conn.execute(insert(warehouses).values(id=warehouse_id, **cmd.model_dump()))
    except IntegrityError as exc:
        if violated_constraint(exc) == "warehouses_code_key":
            raise Conflict(f"A warehouse with code '{cmd.code}' already exists.", "code") from None
        raise
    created = get_warehouse(uow.conn, warehouse_id)
    uow.audit("warehouse.created", warehouse_id, cmd.model_dump())
    uow.commit()
    return created


def update_warehouse(uow: UnitOfWork, warehouse_id: UUID, cmd: UpdateWarehouse) -> dict[str, Any]:
    """Apply the fields sent. (De)activating changes what the warehouse's SKUs have available:
    each of them gets a stock.changed, as any other change of availability."""
    conn = uow.conn
    before = conn.execute(select(warehouses).where(warehouses.c.id == warehouse_id)
                         .with_for_update(key_share=True)) \
        .mappings().first()
    if before is None:
        raise NotFound("Warehouse", str(warehouse_id))
    changes = {name: value for name, value in cmd.changes().items() if before[name] != value}
    if changes:
        skus_held = sorted(conn.scalars(select(stock_levels.c.sku).where(
            stock_levels.c.warehouse_id == warehouse_id, stock_levels.c.on_hand > 0)))
        activity_changes = "active" in changes
        turns = [ledger.begin_change(conn, sku) for sku in skus_held] if activity_changes else []
        conn.execute(update(warehouses).where(warehouses.c.id == warehouse_id)
                     .values(**changes, updated_at=func.now()))
        for turn in turns:
            ledger.publish(uow, turn)
        uow.audit("warehouse.updated", warehouse_id,
                  {name: {"from": before[name], "to": value} for name, value in changes.items()})
    updated = get_warehouse(conn, warehouse_id)
    uow.commit()
    return updated
