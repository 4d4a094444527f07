"""The orders' answers as models: the OpenAPI document's response schemas (views.py builds them)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from functions.orders.model import CANCEL_REASONS, MAX_CART_LINES, STATUSES
from functions.runtime.money import Money
from functions.runtime.openapi.shapes import Shape, Timestamp, Uuid

Status = Literal[STATUSES]  # type: ignore[valid-type]
CancelReason = Literal[CANCEL_REASONS]  # type: ignore[valid-type]


class CartItem(Shape):
    sku: str
    name: str
    quantity: int = Field(ge=1, le=99)
    unit_price: Money = Field(description="The catalog's current price (as of adding, when catalog is down).")
    line_total: Money
    added_at: Timestamp


class Cart(Shape):
    items: list[CartItem] = Field(max_length=MAX_CART_LINES, description="Oldest first.")
    item_count: int = Field(ge=0, description="Units in the cart, all lines together.")
    subtotal: Money | None = Field(description="The lines' sum; null for an empty cart.")
    updated_at: Timestamp | None = Field(description="Null for a cart that never held anything.")


class OrderItem(Shape):
    sku: str
    name: str = Field(description="As the catalog named the product when the order was placed.")
    quantity: int = Field(ge=1, le=99)
    unit_price: Money = Field(description="The price when the order was placed.")
    line_total: Money


class ShippingAddress(Shape):
    """A copy of the address as it was when the order was placed."""

    address_id: Uuid
    name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str


class StatusChange(Shape):
    from_status: Status | None = Field(description="Null for the first entry (the order placed).")
    status: Status
    reason: str | None
    at: Timestamp


class LastPaymentFailure(Shape):
    payment_id: Uuid
    code: str = Field(description="`card_declined`, `insufficient_funds`, `invalid_token`.")
    message: str = Field(description="For the shopper.")
    at: Timestamp


class OrderSummary(Shape):
    id: Uuid
    user_id: Uuid
    status: Status
    cancel_reason: CancelReason | None = Field(description="Set once `status` is `cancelled`.")
    subtotal: Money
    shipping: Money = Field(description="A flat fee, nothing from the free-shipping threshold up.")
    tax: Money = Field(description="The tax rate on the subtotal, rounded half up.")
    total: Money
    payable_until: Timestamp | None = Field(
        description="While `awaiting_payment`: when the stock reservation lapses and the order is cancelled.")
    payment_id: Uuid | None = Field(description="The completed payment that paid the order.")
    last_payment_failure: LastPaymentFailure | None = Field(
        description="The latest declined payment while awaiting payment (the shopper may try another card).")
    placed_at: Timestamp
    updated_at: Timestamp


class Order(OrderSummary):
    items: list[OrderItem]
    shipping_address: ShippingAddress
    history: list[StatusChange] = Field(description="Every change of status, oldest first.")


class OrderPage(Shape):
    items: list[OrderSummary] = Field(max_length=100)
    total: int = Field(ge=0)
    page: int = Field(ge=1, le=10_000)
    page_size: int = Field(ge=1, le=100)
