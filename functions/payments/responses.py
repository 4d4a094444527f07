"""The payments' answers as models: the OpenAPI document's response schemas (views.py builds them)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from functions.payments.model import BRANDS, MAX_METHODS
from functions.runtime.money import Money
from functions.runtime.openapi.shapes import Shape, Timestamp, Uuid

Brand = Literal[BRANDS]  # type: ignore[valid-type]


class PaymentMethod(Shape):
    id: Uuid
    brand: Brand
    last4: str = Field(pattern=r"^[0-9]{4}$")
    exp_month: int = Field(ge=1, le=12)
    exp_year: int
    created_at: Timestamp


class PaymentMethodList(Shape):
    """Every saved method as one page: `page` is 1, `page_size` 10 (the most a user keeps)."""

    items: list[PaymentMethod] = Field(max_length=MAX_METHODS, description="Oldest first.")
    total: int = Field(ge=0, le=MAX_METHODS)
    page: Literal[1]
    page_size: Literal[MAX_METHODS]  # type: ignore[valid-type]


class Card(Shape):
    brand: Brand
    last4: str = Field(pattern=r"^[0-9]{4}$")


class PaymentFailure(Shape):
    code: Literal["card_declined", "insufficient_funds", "invalid_token"]
    message: str = Field(description="For the shopper.")


class Payment(Shape):
    id: Uuid
    order_id: Uuid
    user_id: Uuid
    status: Literal["processing", "completed", "partially_refunded", "refunded", "failed"] = Field(
        description="`processing` while the provider is asked (a request cut short stays so until "
                    "it is sent again); `partially_refunded`: completed, part of it given back.")
    amount: Money = Field(description="The order's total, as charged.")
    refunded: Money = Field(description="How much of it was given back.")
    payment_method_id: Uuid | None = Field(description="The saved method used; null for a one-off token.")
    card: Card | None = Field(description="The card as the provider knows it; null until it answered.")
    failure: PaymentFailure | None = Field(description="Why it failed; null unless `failed`.")
    created_at: Timestamp
    completed_at: Timestamp | None


class PaymentList(Shape):
    items: list[Payment] = Field(description="Oldest first.")
    total: int = Field(ge=0)
    page: Literal[1]
    page_size: int = Field(ge=1)
