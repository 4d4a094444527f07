"""Reading orders: a shopper's own history and one of their orders; an admin's search over all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, func, select

from functions.orders.tables import order_items, order_status_history, orders
from functions.orders.views import order_summary_view, order_view
from functions.runtime.exceptions import NotFound
from functions.runtime.paging import envelope

if TYPE_CHECKING:
    from functions.orders.commands import ListOwnOrders, SearchOrders


def order_detail(conn: Connection, order_id: UUID, owner: UUID | None = None) -> dict[str, Any]:
    """Return the order with its lines and timeline; 404 when absent or, given an owner, not theirs."""
    query = select(orders).where(orders.c.id == order_id)
    if owner is not None:
        query = query.where(orders.c.user_id == owner)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound("Order", str(order_id))
    items = conn.execute(select(order_items).where(order_items.c.order_id == order_id)
                         .order_by(order_items.c.position)).mappings()
    history = conn.execute(select(order_status_history).where(order_status_history.c.order_id == order_id)
                           .order_by(order_status_history.c.id)).mappings()
    return order_view(row, list(items), list(history))


def _page(conn: Connection, conditions: list[Any], page: int, page_size: int) -> dict[str, Any]:
    total = conn.scalar(select(func.count()).select_from(orders).where(*conditions))
    rows = conn.execute(select(orders).where(*conditions).order_by(orders.c.placed_at.desc(), orders.c.id.desc())
                        .limit(page_size).offset((page - 1) * page_size)).mappings()
    return envelope([order_summary_view(row) for row in rows], total or 0, page, page_size)


def own_orders(conn: Connection, user_id: UUID, query: ListOwnOrders) -> dict[str, Any]:
    """The shopper's orders, newest first."""
    conditions = [orders.c.user_id == user_id]
    if query.status is not None:
        conditions.append(orders.c.status == query.status)
    return _page(conn, conditions, query.page, query.page_size)


def search_orders(conn: Connection, query: SearchOrders) -> dict[str, Any]:
    """Every order matching the filters, newest first (admin)."""
    conditions: list[Any] = []
    if query.status is not None:
        conditions.append(orders.c.status == query.status)
    if query.customer is not None:
        conditions.append(orders.c.user_id == query.customer)
    if query.placed_from is not None:
        conditions.append(orders.c.placed_at >= query.placed_from)
    if query.placed_to is not None:
        conditions.append(orders.c.placed_at < query.placed_to)
    return _page(conn, conditions, query.page, query.page_size)
