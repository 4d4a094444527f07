"""The payments' answers as models: the OpenAPI document's response schemas (views.py builds them)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from functions.payments.model import BRANDS, MAX_METHODS
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
