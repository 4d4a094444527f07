"""Cart use cases: the signed-in shopper's own cart, priced by catalog when an item goes in.

Every write takes the cart's row lock first (an upsert or SELECT ... FOR UPDATE), so a shopper's
concurrent requests (two tabs) apply one after the other, and placing an order sees a whole cart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from functions.orders import model
from functions.orders.adapters import catalog
from functions.orders.tables import cart_items, carts
from functions.orders.views import cart_view
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import InvalidInput, NotFound, Unavailable

if TYPE_CHECKING:
    from functions.orders.commands import AddCartItem


def _rows(conn: Connection, user_id: UUID) -> list[Any]:
    return list(conn.execute(select(cart_items).where(cart_items.c.user_id == user_id)
                             .order_by(cart_items.c.added_at, cart_items.c.sku)).mappings())


def lock_cart(conn: Connection, user_id: UUID) -> bool:
    """Lock the user's cart row for this transaction; False when the user has no cart yet."""
    return conn.scalar(select(carts.c.user_id).where(carts.c.user_id == user_id).with_for_update()) is not None


def get_cart(conn: Connection, user_id: UUID) -> dict[str, Any]:
    """Return the cart with each line at catalog's current price (the stored one if catalog is down)."""
    rows = [dict(row) for row in _rows(conn, user_id)]
    try:
        current = catalog.offers([row["sku"] for row in rows])
    except Unavailable:
        current = {}  # show the prices from when the items went in rather than no cart at all
    for row in rows:
        if (found := current.get(row["sku"])) is not None:
            row.update(name=found.name, unit_price_minor=found.price_minor, currency=found.currency)
    updated_at = conn.scalar(select(carts.c.updated_at).where(carts.c.user_id == user_id))
    return cart_view(rows, updated_at)


def add_item(uow: UnitOfWork, user_id: UUID, cmd: AddCartItem) -> dict[str, Any]:
    """Put `quantity` more of a SKU in the cart, at the price catalog asks for it now."""
    found = catalog.offer(cmd.sku)  # before any lock: a slow catalog holds up no other request
    if found is None:
        raise InvalidInput.of("sku", "is not a product for sale")
    conn = uow.conn
    cart = insert(carts).values(user_id=user_id)
    updated_at = conn.scalar(cart.on_conflict_do_update(index_elements=[carts.c.user_id],
                                                        set_={"updated_at": func.now()}).returning(carts.c.updated_at))
    # The cart's lines are read once, under the cart's lock: the answer is them with this line
    # as the upsert returned it (no read after the write).
    lines = {row["sku"]: row for row in _rows(conn, user_id)}
    model.check_currency(next(iter(lines.values()))["currency"] if lines else None, found.currency)
    in_cart = lines[cmd.sku]["quantity"] if cmd.sku in lines else 0
    if not in_cart:
        model.check_room_for_line(len(lines))
    quantity = model.added_quantity(in_cart, cmd.quantity)
    line = insert(cart_items).values(user_id=user_id, sku=cmd.sku, name=found.name, quantity=quantity,
                                     unit_price_minor=found.price_minor, currency=found.currency)
    lines[cmd.sku] = conn.execute(line.on_conflict_do_update(
        index_elements=[cart_items.c.user_id, cart_items.c.sku],
        set_={"quantity": quantity, "name": found.name, "unit_price_minor": found.price_minor,
              "updated_at": func.now()}).returning(cart_items)).mappings().one()
    answer = cart_view(sorted(lines.values(), key=lambda row: (row["added_at"], row["sku"])), updated_at)
    uow.commit()
    return answer


def set_quantity(uow: UnitOfWork, user_id: UUID, sku: str, quantity: int) -> dict[str, Any]:
    """Set a line's quantity (1..99); a SKU that is not in the cart is a 404."""
    conn = uow.conn
    lock_cart(conn, user_id)
    changed = conn.execute(update(cart_items).where(cart_items.c.user_id == user_id, cart_items.c.sku == sku)
                           .values(quantity=quantity, updated_at=func.now())).rowcount
    if not changed:
        raise NotFound("Cart item", sku)
    return _touched(uow, user_id)


def remove_item(uow: UnitOfWork, user_id: UUID, sku: str) -> dict[str, Any]:
    conn = uow.conn
    lock_cart(conn, user_id)
    if not conn.execute(delete(cart_items).where(cart_items.c.user_id == user_id, cart_items.c.sku == sku)).rowcount:
        raise NotFound("Cart item", sku)
    return _touched(uow, user_id)


def _touched(uow: UnitOfWork, user_id: UUID) -> dict[str, Any]:
    conn = uow.conn
    updated_at = conn.scalar(update(carts).where(carts.c.user_id == user_id).values(updated_at=func.now())
                             .returning(carts.c.updated_at))
    answer = cart_view(_rows(conn, user_id), updated_at)
    uow.commit()
    return answer
