"""The reporting's event handlers: each projects one event type (projection.py), its inbox row and
its effect in one statement (a redelivery changes nothing); the copy of who may act (accounts'
events); and the dead letters the dead-letter sink forwards (any type, kept for the dashboard)."""

from __future__ import annotations

from functions.reporting import events, projection
from functions.runtime import access, access_changes
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import (
    DeadLetter,
    Event,
    dead_letter_handler,
    event_handler,
    projection_handler,
)


def _projecting(event_type: str):
    """The handler of `event_type`: its use case in projection.PROJECTORS, made a projection handler."""
    data, project = projection.PROJECTORS[event_type]
    return projection_handler(types=(event_type,), data=data)(project)


on_order_placed = _projecting(events.ORDER_PLACED)  # counted as placed, its lines kept (top products)
on_order_confirmed = _projecting(events.ORDER_CONFIRMED)  # counted as confirmed, its total as revenue
on_order_cancelled = _projecting(events.ORDER_CANCELLED)
on_order_refunded = _projecting(events.ORDER_REFUNDED)
on_payment_completed = _projecting(events.PAYMENT_COMPLETED)
on_payment_failed = _projecting(events.PAYMENT_FAILED)
on_stock_changed = _projecting(events.STOCK_CHANGED)  # the SKU's newest levels (by version): low stock


@event_handler(types=access.ACCESS_EVENTS, data=access_changes.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access_changes.AccessChanged) -> None:
    """Keep the reporting's copy of ended sessions and current roles (functions/runtime/access.py)."""
    access_changes.record(uow.conn, uow.domain, event.type, data)


# The plain Service every Trigger's deadLetterSink names (knative/eventing/dead-letter-sink.yaml).
DEAD_LETTER_SINK = "dead-letter-sink"


@dead_letter_handler(sink=DEAD_LETTER_SINK)
def on_dead_letter(uow: UnitOfWork, dead: DeadLetter) -> bool:
    """Keep an event the broker gave up on, once per subscriber (the dashboard counts them)."""
    return projection.dead_lettered(uow.conn, dead)
