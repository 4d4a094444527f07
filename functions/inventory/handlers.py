"""The inventory's event handlers: warehouse counts, the orders' lifecycle, expiry ticks, access."""

from __future__ import annotations

from typing import Any

from functions.inventory import reservations, stock
from functions.inventory.events import (
    ORDER_CANCELLED,
    ORDER_CONFIRMED,
    ORDER_PLACED,
    ORDER_REFUNDED,
    STOCK_COUNTED,
    OrderCancelled,
    OrderConfirmed,
    OrderPlaced,
    OrderRefunded,
    StockCounted,
)
from functions.runtime import access, access_changes
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import Event, event_handler, ping_handler

EXPIRY_PING = "inventory-expire-reservations"  # the PingSource in knative/eventing/pingsources.yaml


@event_handler(types=(STOCK_COUNTED,), data=StockCounted)
def on_stock_counted(uow: UnitOfWork, event: Event, data: StockCounted) -> None:
    """Set on_hand to the warehouse's physical count (never below what is reserved: rejected)."""
    stock.count(uow, data.warehouse_code, data.sku, data.counted)


@ping_handler(source=EXPIRY_PING)
def expire_reservations(uow: UnitOfWork) -> dict[str, Any]:
    """Every minute: tell orders of the holds past their expiry, one reservation.expired per order."""
    return {"expired": len(reservations.expire_due(uow))}


@event_handler(types=access.ACCESS_EVENTS, data=access_changes.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access_changes.AccessChanged) -> None:
    """Keep the inventory's copy of ended sessions and current roles (functions/runtime/access.py)."""
    access_changes.record(uow.conn, uow.domain, event.type, data)


@event_handler(types=(ORDER_PLACED,), data=OrderPlaced)
def on_order_placed(uow: UnitOfWork, event: Event, data: OrderPlaced) -> None:
    """Reserve every line or none → stock.reserved or stock.rejected (with the short lines)."""
    reservations.reserve(uow, data.order_id, [(line.sku, line.quantity) for line in data.lines])


@event_handler(types=(ORDER_CANCELLED,), data=OrderCancelled)
def on_order_cancelled(uow: UnitOfWork, event: Event, data: OrderCancelled) -> None:
    """Give back what the order holds; before it was placed, make sure nothing ever will be."""
    reservations.release(uow, data.order_id, "expired" if data.reason == "payment_timeout" else "cancelled")


@event_handler(types=(ORDER_CONFIRMED,), data=OrderConfirmed)
def on_order_confirmed(uow: UnitOfWork, event: Event, data: OrderConfirmed) -> None:
    """The order is paid: its held units leave the stock."""
    reservations.commit(uow, data.order_id)


@event_handler(types=(ORDER_REFUNDED,), data=OrderRefunded)
def on_order_refunded(uow: UnitOfWork, event: Event, data: OrderRefunded) -> None:
    """Refunded before shipping: the units go back on the shelf when the refund says so."""
    if data.restock:
        reservations.restock(uow, data.order_id)
