"""Inventory rules: units, what a line needs, how a reservation's warehouses are chosen. No I/O here.

Warehouse choice (reserve): a line takes units from the active warehouse with the most available
first (ties: the lower warehouse code), then from the next, until it has them all: a line may be
split across warehouses, so a line is short only when the SKU's total availability is. An order
is reserved whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.runtime.exceptions import Conflict, InvalidInput

WAREHOUSE_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9_-]{0,31}$"
MAX_UNITS = 2**31 - 1  # a Postgres integer column, and every event's maximum
MAX_LINES = 50  # an order's lines, one per SKU (the orders' contract: a cart holds at most 50)
MAX_LINE_QUANTITY = 99  # units of one line (the orders' contract: a cart line holds 1 to 99)

RECEIPT, ADJUSTMENT, RESERVATION, RELEASE, COMMIT, RESTOCK = (
    "receipt", "adjustment", "reservation", "release", "commit", "restock")
CAUSES = (RECEIPT, ADJUSTMENT, RESERVATION, RELEASE, COMMIT, RESTOCK)

# A reservation's states: held until the order is paid (committed), cancelled (released) or too
# late (expired); a committed one goes back on the shelf when refunded before shipping (restocked).
HELD, RELEASED, COMMITTED, EXPIRED, RESTOCKED = "held", "released", "committed", "expired", "restocked"
# An order's decision, made once: reserved, rejected, or cancelled before it was placed (events of
# two Triggers may arrive in either order: a cancellation first means nothing is ever held).
RESERVED, REJECTED, CANCELLED = "reserved", "rejected", "cancelled"
COUNT_REASON = "count"


def available(on_hand: int, reserved: int) -> int:
    """Units that can still be promised; never negative, whatever the rows say."""
    return max(0, on_hand - reserved)


def merge_lines(lines: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Return (sku, quantity) with one line per SKU, in SKU order.

    One line per SKU means one reservation per SKU and warehouse; SKU order is the order every
    change takes its SKUs' locks in, so two orders sharing SKUs never deadlock.
    """
    merged: dict[str, int] = {}
    for sku, quantity in lines:
        merged[sku] = merged.get(sku, 0) + quantity
    # What reserve emits (stock.reserved, stock.rejected) holds to the orders' limits too.
    if len(merged) > MAX_LINES:
        raise InvalidInput.of("lines", f"an order has at most {MAX_LINES} SKUs")
    if any(not 1 <= quantity <= MAX_LINE_QUANTITY for quantity in merged.values()):
        raise InvalidInput.of("lines", f"a SKU's quantity is 1 to {MAX_LINE_QUANTITY}")
    return sorted(merged.items())


@dataclass(frozen=True)
class Short:
    """A line an order could not have: how many it asked for, how many were available."""

    sku: str
    requested: int
    available: int

    def as_json(self) -> dict[str, int | str]:
        return {"sku": self.sku, "requested": self.requested, "available": self.available}


def check_adjustment(on_hand: int, reserved: int, delta: int) -> None:
    """Raise unless on_hand + delta stays between reserved and MAX_UNITS."""
    if on_hand + delta < reserved:
        raise Conflict(f"On hand would drop to {on_hand + delta}, below the {reserved} units reserved.",
                       "delta")
    if on_hand + delta > MAX_UNITS:
        raise InvalidInput.of("delta", f"on hand may not pass {MAX_UNITS} units")


def check_total(total_on_hand: int, field_name: str) -> None:
    """A SKU's total over warehouses is sent in events whose integers a column must hold."""
    if total_on_hand > MAX_UNITS:
        raise InvalidInput.of(field_name,
                              f"the SKU's stock over all warehouses may not pass {MAX_UNITS} units")


def expiry(now: datetime, ttl_seconds: int) -> datetime:
    return now + timedelta(seconds=ttl_seconds)


def is_low(on_hand: int, reserved: int, threshold: int) -> bool:
    """Low stock: available at or below the level's threshold (0 by default: out of stock)."""
    return available(on_hand, reserved) <= threshold
