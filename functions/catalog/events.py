"""The events the catalog emits and consumes, and the data it reads of those it consumes.

Their contracts (every field, who produces and consumes them) are in events/.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from functions.runtime.access import ACCESS_EVENTS
from functions.runtime.commands import Command, Sku

STOCK_CHANGED = "com.ecom.inventory.stock.changed"

EMITS: tuple[str, ...] = ()
CONSUMES: tuple[str, ...] = (STOCK_CHANGED, *ACCESS_EVENTS)


class StockChanged(Command):
    """The data of com.ecom.inventory.stock.changed, as far as the catalog reads it."""

    model_config = ConfigDict(extra="ignore")  # other fields are inventory's business

    sku: Sku
    available: int = Field(ge=0)
    version: int = Field(ge=1)
