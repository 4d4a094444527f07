"""The events orders emits and consumes, and the data it reads of those it consumes.

Their contracts (every field, who produces and consumes them) are in events/.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, ConfigDict

from functions.runtime.access import ACCESS_EVENTS
from functions.runtime.commands import Command

ORDER_PLACED = "com.ecom.orders.order.placed"
ORDER_CANCELLED = "com.ecom.orders.order.cancelled"
ORDER_SHIPPED = "com.ecom.orders.order.shipped"
ORDER_CONFIRMED = "com.ecom.orders.order.confirmed"
ORDER_REFUNDED = "com.ecom.orders.order.refunded"
PAYMENT_COMPLETED = "com.ecom.payments.payment.completed"
PAYMENT_FAILED = "com.ecom.payments.payment.failed"
PAYMENT_REFUNDED = "com.ecom.payments.payment.refunded"
STOCK_RESERVED = "com.ecom.inventory.stock.reserved"
STOCK_REJECTED = "com.ecom.inventory.stock.rejected"
RESERVATION_EXPIRED = "com.ecom.inventory.reservation.expired"

EMITS: tuple[str, ...] = (ORDER_PLACED, ORDER_CANCELLED, ORDER_SHIPPED, ORDER_CONFIRMED, ORDER_REFUNDED)
CONSUMES: tuple[str, ...] = (STOCK_RESERVED, STOCK_REJECTED, RESERVATION_EXPIRED, PAYMENT_COMPLETED,
                             PAYMENT_FAILED, PAYMENT_REFUNDED, *ACCESS_EVENTS)


class _Consumed(Command):
    model_config = ConfigDict(extra="ignore")  # the other fields are inventory's business


class StockReserved(_Consumed):
    """com.ecom.inventory.stock.reserved: every line of the order is held until `expires_at`."""

    order_id: UUID
    expires_at: AwareDatetime


class StockRejected(_Consumed):
    """com.ecom.inventory.stock.rejected: some line could not be held; nothing was."""

    order_id: UUID


class ReservationExpired(_Consumed):
    """com.ecom.inventory.reservation.expired: the order's stock was released, unpaid."""

    order_id: UUID


class _Payment(_Consumed):
    payment_id: UUID
    order_id: UUID


class PaymentCompleted(_Payment):
    """com.ecom.payments.payment.completed: the order's total was captured."""

    amount_minor: int
    currency: str


class PaymentFailed(_Payment):
    """com.ecom.payments.payment.failed: the provider declined; the order stays payable."""

    code: str
    message: str
    failed_at: AwareDatetime


class PaymentRefunded(_Payment):
    """com.ecom.payments.payment.refunded: part or all of the payment went back."""

    fully_refunded: bool
