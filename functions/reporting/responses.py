"""The reporting's answers as models: the OpenAPI document's response schemas (views.py builds them)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from functions.runtime.money import Money
from functions.runtime.openapi.shapes import Shape, Timestamp


class SalesPoint(Shape):
    start: Timestamp = Field(description="The bucket's start (UTC); it spans one hour or one day.")
    placed: int = Field(ge=0, description="Orders placed in the bucket.")
    confirmed: int = Field(ge=0, description="Orders confirmed (paid) in the bucket.")
    cancelled: int = Field(ge=0)
    refunded: int = Field(ge=0)
    payments_completed: int = Field(ge=0)
    payments_failed: int = Field(ge=0)
    dead_lettered: int = Field(ge=0, description="Events the broker dead-lettered in the bucket, one per subscriber.")
    revenue: list[Money] = Field(description="The confirmed orders' totals, one entry per currency, by code.")
    refunds: list[Money] = Field(description="The refunded orders' totals, one entry per currency, by code.")


class SalesTotals(Shape):
    placed: int = Field(ge=0)
    confirmed: int = Field(ge=0)
    cancelled: int = Field(ge=0)
    refunded: int = Field(ge=0)
    dead_lettered: int = Field(ge=0)
    revenue: list[Money]
    refunds: list[Money]


class SalesConversion(Shape):
    placed: int = Field(ge=0, description="Orders placed in the range.")
    confirmed: int = Field(ge=0, description="Of those, the ones confirmed (at any time since).")
    cancelled: int = Field(ge=0, description="Of those, the ones cancelled.")
    rate: float | None = Field(ge=0, le=1, description="confirmed / placed (four decimals); null when none was placed.")


class TopProduct(Shape):
    sku: str
    units: int = Field(ge=1, description="Units of the SKU in orders confirmed in the range.")
    orders: int = Field(ge=1, description="How many of those orders had it.")


class LowStockItem(Shape):
    sku: str
    on_hand: int = Field(ge=0)
    reserved: int = Field(ge=0)
    available: int = Field(ge=0)
    changed_at: Timestamp = Field(description="When inventory last changed it (its newest stock.changed).")


class LowStockList(Shape):
    threshold: int = Field(ge=0, description="SKUs with at most this many units available, over every warehouse.")
    limit: int = Field(ge=1, description="The most items listed (the lowest first).")
    items: list[LowStockItem]


class DeadLetterType(Shape):
    type: str = Field(description="The CloudEvent type.")
    count: int = Field(ge=1, description="Its dead letters in the range.")


class DeadLetterEntry(Shape):
    id: str = Field(description="The CloudEvent's id.")
    source: str = Field(description="The CloudEvent's source.")
    type: str
    subject: str | None
    dest: str = Field(description="The subscriber that could not take it (knativeerrordest).")
    code: int | None = Field(description="Its last HTTP answer (knativeerrorcode); null when none came.")
    error: str | None = Field(description="The last answer's body or the delivery's error (knativeerrordata), cut short.")
    at: Timestamp = Field(description="When the dead-letter sink passed it on.")


class DeadLetters(Shape):
    types_limit: int = Field(ge=1, description="The most types listed.")
    by_type: list[DeadLetterType] = Field(description="The range's dead letters by type, most first.")
    limit: int = Field(ge=1, description="The most dead letters listed.")
    newest: list[DeadLetterEntry] = Field(description="The range's newest dead letters, newest first.")


class SalesReport(Shape):
    model_config = ConfigDict(extra="forbid", defer_build=True, populate_by_name=True)

    start: Timestamp = Field(alias="from", description="The first bucket's start (UTC).")
    end: Timestamp = Field(alias="to", description="The last bucket's end (UTC), exclusive.")
    bucket: Literal["hour", "day"]
    series: list[SalesPoint] = Field(description="Every bucket of the range, oldest first, empty ones too.")
    totals: SalesTotals
    conversion: SalesConversion
    top_products: list[TopProduct] = Field(description="By units, most first, then by SKU.")
    low_stock: LowStockList
    rejected_events: int = Field(ge=0, description=(
        "Events this projection refused (recorded as rejected in its inbox)."))
    dead_letters: DeadLetters = Field(description=(
        "Events the broker gave up on, any domain's, as the dead-letter sink forwarded them: the "
        "sink keeps each one whole (`make dead-letters` lists and replays them locally)."))
