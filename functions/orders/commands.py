"""Commands: what a caller may ask of orders, validated field by field (pydantic)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from functions.orders.model import MAX_QUANTITY, MIN_QUANTITY, STATUSES
from functions.runtime.commands import Command, Sku
from functions.runtime.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

Quantity = Annotated[int, Field(ge=MIN_QUANTITY, le=MAX_QUANTITY)]
Page = Annotated[int, Field(ge=1, le=10_000)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
Status = Literal[STATUSES]  # type: ignore[valid-type]


class AddCartItem(Command):
    sku: Sku
    quantity: Quantity = 1


class SetCartItemQuantity(Command):
    quantity: Quantity


class PlaceOrder(Command):
    shipping_address_id: UUID | None = Field(
        default=None, description="One of the caller's addresses; the default address when left out.")


class ListOwnOrders(Command):
    status: Status | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class SearchOrders(Command):
    status: Status | None = None
    customer: UUID | None = Field(default=None, description="Only this user's orders.")
    placed_from: AwareDatetime | None = Field(default=None, description="Placed at or after (ISO 8601).")
    placed_to: AwareDatetime | None = Field(default=None, description="Placed before (ISO 8601).")
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE
