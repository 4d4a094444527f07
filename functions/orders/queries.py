"""Reading orders: a shopper's own history and one of their orders; an admin's search over all."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by

from functions.orders.tables import order_items, order_status_history, orders
from functions.orders.views import order_summary_view, order_view
from functions.runtime.exceptions import NotFound
from functions.runtime.paging import envelope

if TYPE_CHECKING:
    from functions.orders.commands import ListOwnOrders, SearchOrders


def _json_list(table, order_by, *columns) -> Any:
    """A scalar subquery: the order's rows of `table` as a JSON list of objects, in `order_by` order."""
    row = func.json_build_object(*[part for c in columns for part in (literal_column(f"'{c.name}'"), c)])
    return (select(func.coalesce(func.json_agg(aggregate_order_by(row, order_by)), literal_column("'[]'::json")))
            .where(table.c.order_id == orders.c.id).scalar_subquery().cast(JSON))


# The order, its lines and its timeline in one statement (a shopper follows an order by reading it
# every few seconds, and payments reads it before every charge).
_DETAIL = select(
    orders,
    _json_list(order_items, order_items.c.position, order_items.c.sku, order_items.c.name,
               order_items.c.unit_price_minor, order_items.c.quantity).label("items_json"),
    _json_list(order_status_history, order_status_history.c.id, order_status_history.c.from_status,
               order_status_history.c.to_status, order_status_history.c.reason,
               order_status_history.c.at).label("history_json"))


def order_detail(conn: Connection, order_id: UUID, owner: UUID | None = None) -> dict[str, Any]:
    """Return the order with its lines and timeline; 404 when absent or, given an owner, not theirs."""
    query = _DETAIL.where(orders.c.id == order_id)
    if owner is not None:
        query = query.where(orders.c.user_id == owner)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound("Order", str(order_id))
    history = [h | {"at": datetime.fromisoformat(h["at"])} for h in row["history_json"]]
    return order_view(row, row["items_json"], history)


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
