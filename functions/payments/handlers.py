"""The payments' event handlers: orders' cancellations (what was paid goes back), and the copy of
who may act (accounts' events)."""

from __future__ import annotations

from functions.payments.events import ORDER_CANCELLED, OrderCancelled
from functions.runtime import access, access_changes
from functions.runtime.db import UnitOfWork
from functions.runtime.handlers import Event, event_handler


@event_handler(types=(ORDER_CANCELLED,), data=OrderCancelled)
def on_order_cancelled(uow: UnitOfWork, event: Event, data: OrderCancelled) -> None:
    """The order may no longer be paid; a payment taken for it anyway is refunded (charges.py)."""
    from functions.payments.adapters.provider import configured
    from functions.payments.charges import settle_cancelled_order

    settle_cancelled_order(uow, data.order_id, data.cancelled_at, configured())


@event_handler(types=access.ACCESS_EVENTS, data=access_changes.AccessChanged)
def on_access_changed(uow: UnitOfWork, event: Event, data: access_changes.AccessChanged) -> None:
    """Keep the payments' copy of ended sessions and current roles (functions/runtime/access.py)."""
    access_changes.record(uow.conn, uow.domain, event.type, data)
