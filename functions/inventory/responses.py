"""The inventory's answers as models: the OpenAPI document's response schemas (views.py builds them)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from functions.inventory.model import CAUSES, MAX_UNITS
from functions.runtime.openapi.shapes import Shape, Timestamp, Uuid

Units = Field(ge=0, le=MAX_UNITS)


class Warehouse(Shape):
    id: Uuid
    code: str = Field(description="Unique, upper case letters, digits, `_` and `-` (1-32).")
    name: str
    address: str
    active: bool = Field(description="An inactive warehouse receives nothing, is never reserved from, "
                                     "and its stock does not count as available.")
    created_at: Timestamp
    updated_at: Timestamp


class WarehousePage(Shape):
    items: list[Warehouse] = Field(max_length=100)
    total: int = Field(ge=0)
    page: int = Field(ge=1, le=10_000)
    page_size: int = Field(ge=1, le=100)


class StockLevel(Shape):
    """What one warehouse holds of one SKU."""

    id: Uuid
    warehouse_id: Uuid
    warehouse_code: str
    sku: str
    on_hand: int = Units
    reserved: int = Field(ge=0, le=MAX_UNITS,
                          description="Held for orders awaiting payment; never above on_hand.")
    available: int = Field(ge=0, le=MAX_UNITS, description="on_hand - reserved.")
    low_stock_threshold: int = Units
    low_stock: bool = Field(description="available is at or below low_stock_threshold.")
    version: int = Field(ge=0, description="Grows with every change of this level.")
    updated_at: Timestamp


class StockLevelPage(Shape):
    items: list[StockLevel] = Field(max_length=100)
    total: int = Field(ge=0)
    page: int = Field(ge=1, le=10_000)
    page_size: int = Field(ge=1, le=100)


class Availability(Shape):
    sku: str
    available: int = Field(ge=0, le=MAX_UNITS, description="Units that can be bought now, over every active "
                                                            "warehouse; 0 for a SKU none holds.")
    in_stock: bool


class Movement(Shape):
    """One row of the append-only ledger of stock changes."""

    id: int = Field(ge=1)
    at: Timestamp
    warehouse_id: Uuid
    sku: str
    cause: Literal[CAUSES]  # type: ignore[valid-type]
    on_hand_delta: int
    reserved_delta: int
    order_id: UUID | None = Field(description="The order a reservation, release, commit or restock was for.")
    reason: str
    actor: str | None = Field(description="The admin behind a receipt or adjustment; null for the system.")


class MovementPage(Shape):
    items: list[Movement] = Field(max_length=100)
    total: int = Field(ge=0)
    page: int = Field(ge=1, le=10_000)
    page_size: int = Field(ge=1, le=100)
