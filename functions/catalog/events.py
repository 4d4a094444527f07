"""The events the catalog emits and consumes, and the data it reads of those it consumes.

Their contracts (every field, who produces and consumes them) are in events/.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from functions.runtime.access import ACCESS_EVENTS
from functions.runtime.commands import Command, Sku

AVAILABILITY_CHANGED = "com.ecom.inventory.availability.changed"

EMITS: tuple[str, ...] = ()
CONSUMES: tuple[str, ...] = (AVAILABILITY_CHANGED, *ACCESS_EVENTS)


class AvailabilityChanged(Command):
    """The data of com.ecom.inventory.availability.changed, as far as the catalog reads it."""

    model_config = ConfigDict(extra="ignore")  # changed_at: inventory's record

    sku: Sku
    in_stock: bool
    version: int = Field(ge=1)
