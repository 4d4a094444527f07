"""Commands: what a caller may ask of the inventory, validated field by field (pydantic)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from functions.inventory.model import CAUSES, MAX_LINE_QUANTITY, MAX_LINES, MAX_UNITS, WAREHOUSE_CODE_PATTERN
from functions.runtime.commands import Command, Patch, Sku
from functions.runtime.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

WarehouseCode = Annotated[str, StringConstraints(pattern=WAREHOUSE_CODE_PATTERN)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Units = Annotated[int, Field(ge=1, le=MAX_UNITS)]
Threshold = Annotated[int, Field(ge=0, le=MAX_UNITS)]
Page = Annotated[int, Field(ge=1, le=10_000)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]


class CreateWarehouse(Command):
    code: WarehouseCode
    name: Name
    address: Address = ""
    active: bool = True


class UpdateWarehouse(Patch):
    name: Name | None = None
    address: Address | None = None
    active: bool | None = None


class ListWarehouses(Command):
    active: bool | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class ReceiveStock(Command):
    warehouse_id: UUID
    sku: Sku
    quantity: Units
    reason: Reason
    low_stock_threshold: Threshold | None = None


class AdjustStock(Command):
    warehouse_id: UUID
    sku: Sku
    delta: int = Field(ge=-MAX_UNITS, le=MAX_UNITS)
    reason: Reason
    low_stock_threshold: Threshold | None = None

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be 0")
        return value


class ListStock(Command):
    """The query string of GET /api/admin/stock."""

    warehouse_id: UUID | None = None
    sku: Sku | None = None
    low_stock: bool | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class ListMovements(Command):
    """The query string of GET /api/admin/stock/movements (newest first)."""

    warehouse_id: UUID | None = None
    sku: Sku | None = None
    cause: Literal[CAUSES] | None = None  # type: ignore[valid-type]
    order_id: UUID | None = None
    page: Page = 1
    page_size: PageSize = DEFAULT_PAGE_SIZE


class OrderLine(Command):
    """One line of an order to reserve (as orders sends it: one per SKU, 1 to 99 units)."""

    model_config = ConfigDict(extra="ignore")

    sku: Sku
    quantity: int = Field(ge=1, le=MAX_LINE_QUANTITY)


OrderLines = Annotated[list[OrderLine], Field(min_length=1, max_length=MAX_LINES)]
