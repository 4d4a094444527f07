"""Placing an order: the cart becomes an order `pending`, priced now, and `order.placed` goes out.

The request carries an Idempotency-Key (functions/runtime/idempotency.py). The cart's row lock
is taken before the key is looked up, so of two requests with one key the second waits for the
first to commit and replays its answer; nothing is ever placed twice.

Catalog is asked for every line's current price and accounts for the shipping address, both at
once (the cart's lock is held for the slower call, not for the two in turn), inside the transaction: the order is written with exactly what was asked, or not at all (a 503 from
either leaves the cart as it was, and the same key may be sent again).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import delete, insert, select

from functions.orders import model
from functions.orders.adapters import accounts, catalog
from functions.orders.carts import lock_cart
from functions.orders.events import ORDER_PLACED
from functions.orders.status import history_insert
from functions.orders.tables import cart_items, order_items, orders
from functions.orders.views import order_view
from functions.runtime import idempotency
from functions.runtime.calls import concurrently
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import Conflict
from functions.runtime.rows import insert_rows

if TYPE_CHECKING:
    from functions.orders.commands import PlaceOrder


def place_order(uow: UnitOfWork, user_id: UUID, cmd: PlaceOrder, key: idempotency.Key,
                authorization: str) -> tuple[idempotency.Replay, bool]:
    """Return (the answer, whether it is a replay of an earlier request with this key)."""
    conn = uow.conn
    lock_cart(conn, user_id)
    if replay := idempotency.find(conn, uow.domain, user_id, key):
        return replay, True
    in_cart = conn.execute(select(cart_items).where(cart_items.c.user_id == user_id)
                           .order_by(cart_items.c.added_at, cart_items.c.sku)).mappings().all()
    if not in_cart:
        raise Conflict("The cart is empty: add items before placing an order.", "items")
    current, address = concurrently(
        lambda: catalog.offers([row["sku"] for row in in_cart]),  # one call for every line
        lambda: accounts.shipping_address(authorization, cmd.shipping_address_id))
    lines = [_priced_now(current, row["sku"], row["quantity"]) for row in in_cart]
    totals = model.totals(lines, model.PricingRules.from_env())

    order_id = uuid.uuid4()
    items = [{"order_id": order_id, "position": i, "sku": line.sku, "name": line.name,
              "unit_price_minor": line.unit_price_minor, "quantity": line.quantity}
             for i, line in enumerate(lines)]
    # One statement: the order's row, with its lines, its first history row and the emptied cart
    # as WITH clauses (the foreign keys are checked once the statement has written them all).
    row = conn.execute(insert(orders).values(
        id=order_id, user_id=user_id, status=model.PENDING, currency=totals.currency,
        subtotal_minor=totals.subtotal_minor, shipping_minor=totals.shipping_minor, tax_minor=totals.tax_minor,
        total_minor=totals.total_minor, shipping_address=address).returning(orders)
        .add_cte(insert_rows(order_items, items).cte("placed_items"))
        .add_cte(history_insert(order_id, [(None, model.PENDING)], actor=str(user_id)).cte("placed_history"))
        .add_cte(delete(cart_items).where(cart_items.c.user_id == user_id).cte("emptied_cart"))
    ).mappings().one()
    uow.emit(ORDER_PLACED, str(order_id), {
        "order_id": order_id, "user_id": user_id, "placed_at": row["placed_at"],
        "lines": [{"sku": line.sku, "quantity": line.quantity} for line in lines]})
    history = [{"from_status": None, "to_status": model.PENDING, "reason": None, "at": row["placed_at"]}]
    answer = idempotency.Replay(201, order_view(row, items, history), f"/api/orders/{order_id}")
    idempotency.remember(conn, uow.domain, user_id, key, answer.status, answer.body, answer.location)
    uow.business_event("order_placed", currency=totals.currency)
    uow.commit()
    return answer, False


def _priced_now(current: dict[str, catalog.Offer], sku: str, quantity: int) -> model.Line:
    found = current.get(sku)
    if found is None:
        raise Conflict(f"{sku} is no longer for sale: remove it from the cart to place the order.", "items")
    return model.Line(sku, found.name, found.price_minor, found.currency, quantity)
