"""The events the inventory emits and consumes, and the data it reads of those it consumes.

Their contracts (every field, who produces and consumes them) are in events/.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import ConfigDict, Field

from functions.inventory.commands import OrderLines, WarehouseCode
from functions.inventory.model import MAX_UNITS
from functions.runtime.access import ACCESS_EVENTS
from functions.runtime.commands import Command, Sku

STOCK_CHANGED = "com.ecom.inventory.stock.changed"
AVAILABILITY_CHANGED = "com.ecom.inventory.availability.changed"
STOCK_RESERVED = "com.ecom.inventory.stock.reserved"
STOCK_REJECTED = "com.ecom.inventory.stock.rejected"
RESERVATION_EXPIRED = "com.ecom.inventory.reservation.expired"
STOCK_COUNTED = "com.ecom.warehouse.stock.counted"
ORDER_PLACED = "com.ecom.orders.order.placed"
ORDER_CANCELLED = "com.ecom.orders.order.cancelled"
ORDER_CONFIRMED = "com.ecom.orders.order.confirmed"
ORDER_REFUNDED = "com.ecom.orders.order.refunded"

EMITS: tuple[str, ...] = (STOCK_CHANGED, AVAILABILITY_CHANGED, STOCK_RESERVED, STOCK_REJECTED, RESERVATION_EXPIRED)
CONSUMES: tuple[str, ...] = (STOCK_COUNTED, ORDER_PLACED, ORDER_CANCELLED, ORDER_CONFIRMED, ORDER_REFUNDED,
                             *ACCESS_EVENTS)


class StockCounted(Command):
    """The data of com.ecom.warehouse.stock.counted: a physical count of a SKU in a warehouse."""

    model_config = ConfigDict(extra="ignore")

    warehouse_code: WarehouseCode
    sku: Sku
    counted: int = Field(ge=0, le=MAX_UNITS)
    counted_at: datetime


class OrderEvent(Command):
    model_config = ConfigDict(extra="ignore")  # the rest is the orders domain's business

    order_id: UUID


class OrderPlaced(OrderEvent):
    lines: OrderLines


class OrderCancelled(OrderEvent):
    reason: str | None = None  # payment_timeout: the hold lapsed unpaid


class OrderConfirmed(OrderEvent):
    pass


class OrderRefunded(OrderEvent):
    restock: bool
