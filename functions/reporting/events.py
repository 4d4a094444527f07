"""The events reporting consumes (it emits none), and the data it reads of them.

Their contracts (every field, who produces and consumes them) are in events/. The projection is
built only from these: reporting never asks another domain, over HTTP or otherwise.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints

from functions.runtime.access import ACCESS_EVENTS
from functions.runtime.commands import Command
from functions.runtime.money import MAX_AMOUNT_MINOR

ORDER_PLACED = "com.ecom.orders.order.placed"
ORDER_CONFIRMED = "com.ecom.orders.order.confirmed"
ORDER_CANCELLED = "com.ecom.orders.order.cancelled"
ORDER_REFUNDED = "com.ecom.orders.order.refunded"
PAYMENT_COMPLETED = "com.ecom.payments.payment.completed"
PAYMENT_FAILED = "com.ecom.payments.payment.failed"
STOCK_CHANGED = "com.ecom.inventory.stock.changed"

# What the projection is made of (make rebuild-reports replays exactly these from the outboxes).
PROJECTED: tuple[str, ...] = (ORDER_PLACED, ORDER_CONFIRMED, ORDER_CANCELLED, ORDER_REFUNDED,
                              PAYMENT_COMPLETED, PAYMENT_FAILED, STOCK_CHANGED)
EMITS: tuple[str, ...] = ()
CONSUMES: tuple[str, ...] = (*PROJECTED, *ACCESS_EVENTS)

Sku = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9._-]{0,63}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[int, Field(ge=1, le=MAX_AMOUNT_MINOR)]
Units = Annotated[int, Field(ge=0, le=2**31 - 1)]


class _Data(Command):
    model_config = ConfigDict(extra="ignore")  # the rest is the producer's business


class Line(_Data):
    sku: Sku
    quantity: int = Field(ge=1, le=99)


class OrderPlaced(_Data):
    """com.ecom.orders.order.placed: the order and its lines (kept for the top products)."""

    order_id: UUID
    user_id: UUID
    lines: list[Line] = Field(min_length=1, max_length=50)
    placed_at: AwareDatetime


class OrderConfirmed(_Data):
    """com.ecom.orders.order.confirmed: paid and confirmed, for its total (the revenue)."""

    order_id: UUID
    user_id: UUID
    total_minor: Amount
    currency: Currency
    confirmed_at: AwareDatetime


class OrderCancelled(_Data):
    order_id: UUID
    user_id: UUID
    reason: Literal["customer", "admin", "out_of_stock", "payment_timeout"]
    cancelled_at: AwareDatetime


class OrderRefunded(_Data):
    order_id: UUID
    user_id: UUID
    refunded_at: AwareDatetime


class PaymentCompleted(_Data):
    payment_id: UUID
    order_id: UUID
    amount_minor: Amount
    currency: Currency
    completed_at: AwareDatetime


class PaymentFailed(_Data):
    payment_id: UUID
    order_id: UUID
    code: Literal["card_declined", "insufficient_funds", "invalid_token"]
    failed_at: AwareDatetime


class StockChanged(_Data):
    """com.ecom.inventory.stock.changed: a SKU's levels over every warehouse, numbered by `version`."""

    sku: Sku
    on_hand: Units
    reserved: Units
    available: Units
    version: int = Field(ge=1, le=2**53 - 1)
    changed_at: AwareDatetime
