"""The reporting's event handlers: each projects one event type (projection.py), its inbox row and
its effect in one statement (a redelivery changes nothing); the copy of who may act (accounts'
events); and the dead letters the dead-letter sink forwards (any type, kept for the dashboard)."""

from __future__ import annotations

from functions.reporting import events
from functions.runtime import access, access_changes
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import (
    DeadLetter,
    Event,
    dead_letter_handler,
    event_handler,
    projection_handler,
)
from functions.runtime.inbox import Effect


@projection_handler(types=(events.ORDER_PLACED,), data=events.OrderPlaced)
def on_order_placed(data: events.OrderPlaced) -> Effect:
    """Count the order as placed and keep its lines (the top products are read from them)."""
    from functions.reporting.projection import order_placed

    return order_placed(data)


@projection_handler(types=(events.ORDER_CONFIRMED,), data=events.OrderConfirmed)
def on_order_confirmed(data: events.OrderConfirmed) -> Effect:
    """Count the order as confirmed, its total as revenue."""
    from functions.reporting.projection import order_confirmed

    return order_confirmed(data)


@projection_handler(types=(events.ORDER_CANCELLED,), data=events.OrderCancelled)
def on_order_cancelled(data: events.OrderCancelled) -> Effect:
    from functions.reporting.projection import order_cancelled

    return order_cancelled(data)


@projection_handler(types=(events.ORDER_REFUNDED,), data=events.OrderRefunded)
def on_order_refunded(data: events.OrderRefunded) -> Effect:
    from functions.reporting.projection import order_refunded

    return order_refunded(data)


@projection_handler(types=(events.PAYMENT_COMPLETED,), data=events.PaymentCompleted)
def on_payment_completed(data: events.PaymentCompleted) -> Effect:
    from functions.reporting.projection import payment_completed

    return payment_completed(data)


@projection_handler(types=(events.PAYMENT_FAILED,), data=events.PaymentFailed)
def on_payment_failed(data: events.PaymentFailed) -> Effect:
    from functions.reporting.projection import payment_failed

    return payment_failed(data)


@projection_handler(types=(events.STOCK_CHANGED,), data=events.StockChanged)
def on_stock_changed(data: events.StockChanged) -> Effect:
    """Keep the SKU's newest levels (by version) for the low-stock list."""
    from functions.reporting.projection import stock_changed

    return stock_changed(data)


@event_handler(types=access.ACCESS_EVENTS, data=access_changes.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access_changes.AccessChanged) -> None:
    """Keep the reporting's copy of ended sessions and current roles (functions/runtime/access.py)."""
    access_changes.record(uow.conn, uow.domain, event.type, data)


# The plain Service every Trigger's deadLetterSink names (knative/eventing/dead-letter-sink.yaml).
DEAD_LETTER_SINK = "dead-letter-sink"


@dead_letter_handler(sink=DEAD_LETTER_SINK)
def on_dead_letter(uow: UnitOfWork, dead: DeadLetter) -> bool:
    """Keep an event the broker gave up on, once per subscriber (the dashboard counts them)."""
    from functions.reporting.projection import dead_lettered

    return dead_lettered(uow.conn, dead)
