"""The events payments emits and consumes, and the data it reads of those it consumes.

Their contracts (every field, who produces and consumes them) are in events/.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, ConfigDict

from functions.runtime.access import ACCESS_EVENTS
from functions.runtime.commands import Command

PAYMENT_COMPLETED = "com.ecom.payments.payment.completed"
PAYMENT_FAILED = "com.ecom.payments.payment.failed"
PAYMENT_REFUNDED = "com.ecom.payments.payment.refunded"
ORDER_CANCELLED = "com.ecom.orders.order.cancelled"

EMITS: tuple[str, ...] = (PAYMENT_COMPLETED, PAYMENT_FAILED, PAYMENT_REFUNDED)
CONSUMES: tuple[str, ...] = (ORDER_CANCELLED, *ACCESS_EVENTS)


class OrderCancelled(Command):
    """com.ecom.orders.order.cancelled: the order is not to be paid; what was paid goes back."""

    model_config = ConfigDict(extra="ignore")  # the rest is the orders domain's business

    order_id: UUID
    cancelled_at: AwareDatetime
