"""The orders' event handlers: inventory's answer to an order (stock held, refused, lapsed),
payments' (paid, declined, refunded), and the copy of who may act (accounts' events).

Events arrive in any order and more than once: each handler acts only from the statuses its
event moves an order from, and leaves an order that moved on as it is (the other domains learn
of the order's fate by its own events). An order that does not exist is a domain error: the
runtime records the event as rejected and answers 400, so it is never retried.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from functions.orders import model
from functions.orders.events import (
    PAYMENT_COMPLETED,
    PAYMENT_FAILED,
    PAYMENT_REFUNDED,
    RESERVATION_EXPIRED,
    STOCK_REJECTED,
    STOCK_RESERVED,
    PaymentCompleted,
    PaymentFailed,
    PaymentRefunded,
    ReservationExpired,
    StockRejected,
    StockReserved,
)
from functions.orders.status import change_status
from functions.orders.tables import orders
from functions.runtime import access, access_changes
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import Conflict, NotFound
from functions.runtime.handlers import Event, event_handler


def _actor(event: Event) -> str:
    return f"event:{event.type}"


@event_handler(types=(STOCK_RESERVED,), data=StockReserved)
def on_stock_reserved(uow: UnitOfWork, event: Event, data: StockReserved) -> None:
    """Every line is held: the order may be paid until the reservation lapses.

    An order cancelled before inventory's answer came stays cancelled: its order.cancelled
    releases the hold (inventory remembers the cancellation, whichever arrives first).
    """
    if _locked_status(uow, data.order_id) == model.PENDING:
        change_status(uow, data.order_id, model.AWAITING_PAYMENT, actor=_actor(event),
                      payable_until=data.expires_at, locked_status=model.PENDING)


@event_handler(types=(STOCK_REJECTED,), data=StockRejected)
def on_stock_rejected(uow: UnitOfWork, event: Event, data: StockRejected) -> None:
    """Some line could not be held: the order is cancelled, out of stock (unless it was already)."""
    if _locked_status(uow, data.order_id) == model.PENDING:
        change_status(uow, data.order_id, model.CANCELLED, actor=_actor(event), reason="out_of_stock",
                      locked_status=model.PENDING)


@event_handler(types=(RESERVATION_EXPIRED,), data=ReservationExpired)
def on_reservation_expired(uow: UnitOfWork, event: Event, data: ReservationExpired) -> None:
    """The hold ran out unpaid: the order is cancelled (payment_timeout), and order.cancelled
    releases the stock. An order paid in time (its payment's event came first) keeps it: its
    order.confirmed commits the hold."""
    if (status := _locked_status(uow, data.order_id)) in (model.PENDING, model.AWAITING_PAYMENT):
        change_status(uow, data.order_id, model.CANCELLED, actor=_actor(event), reason="payment_timeout",
                      locked_status=status)


def _locked(uow: UnitOfWork, order_id: UUID) -> Any:
    """The order, locked until commit: what a handler decides on stays true while it acts."""
    row = uow.conn.execute(select(orders).where(orders.c.id == order_id).with_for_update()).mappings().first()
    if row is None:
        raise NotFound("Order", str(order_id))
    return row


def _locked_status(uow: UnitOfWork, order_id: UUID) -> str:
    """The order's status, its row locked until commit (as `_locked`, reading one column)."""
    status = uow.conn.scalar(select(orders.c.status).where(orders.c.id == order_id).with_for_update())
    if status is None:
        raise NotFound("Order", str(order_id))
    return status


@event_handler(types=(PAYMENT_COMPLETED,), data=PaymentCompleted)
def on_payment_completed(uow: UnitOfWork, event: Event, data: PaymentCompleted) -> None:
    """The total was captured: paid, then confirmed (inventory commits the stock on order.confirmed).

    An order cancelled meanwhile stays cancelled: payments refunds what it took (it keeps the
    orders' cancellations). A payment of another amount than the total confirms nothing.
    """
    order = _locked(uow, data.order_id)
    if order["status"] == model.CANCELLED or order["payment_id"] == data.payment_id:
        return
    if (data.amount_minor, data.currency) != (order["total_minor"], order["currency"]):
        raise Conflict(f"Payment {data.payment_id} of {data.amount_minor} {data.currency} is not the order's "
                       f"total ({order['total_minor']} {order['currency']}).")
    change_status(uow, data.order_id, model.CONFIRMED, via=model.PAID, actor=_actor(event),
                  payment_id=data.payment_id, locked_status=order["status"])


@event_handler(types=(PAYMENT_FAILED,), data=PaymentFailed)
def on_payment_failed(uow: UnitOfWork, event: Event, data: PaymentFailed) -> None:
    """A declined card: the order stays payable (another card may be tried); the decline is shown."""
    order = _locked(uow, data.order_id)
    if order["status"] != model.AWAITING_PAYMENT:
        return
    failure = {"payment_id": str(data.payment_id), "code": data.code, "message": data.message,
               "at": data.failed_at.isoformat()}
    uow.conn.execute(update(orders).where(orders.c.id == data.order_id).values(last_payment_failure=failure))


@event_handler(types=(PAYMENT_REFUNDED,), data=PaymentRefunded)
def on_payment_refunded(uow: UnitOfWork, event: Event, data: PaymentRefunded) -> None:
    """All of the order's payment went back: refunded (and restocked unless shipped: order.refunded).

    A part refunded changes no status; the refund of a cancelled order's payment neither.
    """
    order = _locked(uow, data.order_id)
    if not data.fully_refunded or order["payment_id"] != data.payment_id:
        return
    if order["status"] in model.sources_of(model.REFUNDED):
        change_status(uow, data.order_id, model.REFUNDED, actor=_actor(event), locked_status=order["status"])


@event_handler(types=access.ACCESS_EVENTS, data=access_changes.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access_changes.AccessChanged) -> None:
    """Keep the orders' copy of ended sessions and current roles (functions/runtime/access.py)."""
    access_changes.record(uow.conn, uow.domain, event.type, data)
