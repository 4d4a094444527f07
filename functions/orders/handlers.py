"""The orders' event handlers: inventory's answer to an order (stock held, refused, lapsed), and
the copy of who may act (accounts' events).

A status change the machine does not allow (the order was cancelled meanwhile, say) is a domain
error: the runtime records the event as rejected and answers 400, so it is never retried.
"""

from __future__ import annotations

from functions.orders import model
from functions.orders.events import (
    RESERVATION_EXPIRED,
    STOCK_REJECTED,
    STOCK_RESERVED,
    ReservationExpired,
    StockRejected,
    StockReserved,
)
from functions.orders.status import change_status
from functions.runtime import access
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import Event, event_handler


def _actor(event: Event) -> str:
    return f"event:{event.type}"


@event_handler(types=(STOCK_RESERVED,), data=StockReserved)
def on_stock_reserved(uow: UnitOfWork, event: Event, data: StockReserved) -> None:
    """Every line is held: the order may be paid until the reservation lapses."""
    change_status(uow, data.order_id, model.AWAITING_PAYMENT, actor=_actor(event), payable_until=data.expires_at)


@event_handler(types=(STOCK_REJECTED,), data=StockRejected)
def on_stock_rejected(uow: UnitOfWork, event: Event, data: StockRejected) -> None:
    """Some line could not be held: the order is cancelled, out of stock."""
    change_status(uow, data.order_id, model.CANCELLED, actor=_actor(event), reason="out_of_stock")


@event_handler(types=(RESERVATION_EXPIRED,), data=ReservationExpired)
def on_reservation_expired(uow: UnitOfWork, event: Event, data: ReservationExpired) -> None:
    """The stock was released unpaid: the order is cancelled, payment timed out."""
    change_status(uow, data.order_id, model.CANCELLED, actor=_actor(event), reason="payment_timeout")


@event_handler(types=access.ACCESS_EVENTS, data=access.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access.AccessChanged) -> None:
    """Keep the orders' copy of ended sessions and current roles (functions/runtime/access.py)."""
    access.record(uow.conn, uow.domain, event.type, data)
