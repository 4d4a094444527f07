"""Order rules: the status machine, what a cart may hold, and how an order's totals are made. No I/O.

The status machine is one table, `TRANSITIONS`: every change of status, by a shopper, an admin
or an event, is checked against it, and a change it does not list is refused (409 over HTTP, a
rejected event in a handler).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from functions.runtime.exceptions import Conflict, InvalidInput
from functions.runtime.money import MAX_AMOUNT_MINOR

PENDING, AWAITING_PAYMENT, PAID, CONFIRMED = "pending", "awaiting_payment", "paid", "confirmed"
SHIPPED, CANCELLED, REFUNDED = "shipped", "cancelled", "refunded"
STATUSES = (PENDING, AWAITING_PAYMENT, PAID, CONFIRMED, SHIPPED, CANCELLED, REFUNDED)

# from -> the statuses it may move to. Stock is held from awaiting_payment until confirmed or
# cancelled; a paid order is refunded rather than cancelled (the money goes back first).
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({AWAITING_PAYMENT, CANCELLED}),
    AWAITING_PAYMENT: frozenset({PAID, CANCELLED}),
    PAID: frozenset({CONFIRMED, REFUNDED}),
    CONFIRMED: frozenset({SHIPPED, REFUNDED}),
    SHIPPED: frozenset({REFUNDED}),
    CANCELLED: frozenset(),
    REFUNDED: frozenset(),
}
# Why an order was cancelled: by its shopper, by an admin, no stock, or never paid in time.
CANCEL_REASONS = ("customer", "admin", "out_of_stock", "payment_timeout")

MIN_QUANTITY, MAX_QUANTITY = 1, 99  # per cart line
MAX_CART_LINES = 50


def sources_of(target: str) -> frozenset[str]:
    """The statuses from which an order may move to `target`."""
    return frozenset(s for s, allowed in TRANSITIONS.items() if target in allowed)


def check_transition(current: str, target: str) -> None:
    """Refuse a change of status the machine does not allow."""
    if target not in TRANSITIONS[current]:
        raise Conflict(f"An order that is {current} cannot become {target}.", "status")


def added_quantity(in_cart: int, adding: int) -> int:
    """The line's quantity once `adding` more are put in a cart that holds `in_cart` already."""
    total = in_cart + adding
    if total > MAX_QUANTITY:
        raise InvalidInput.of("quantity", f"the cart would hold {total} of this item; at most {MAX_QUANTITY}")
    return total


def check_currency(cart_currency: str | None, currency: str) -> None:
    """A cart, like the order it becomes, is priced in one currency."""
    if cart_currency is not None and currency != cart_currency:
        raise Conflict(f"This item is priced in {currency} and the cart in {cart_currency}; "
                       "one order takes one currency.", "sku")


def check_room_for_line(lines_in_cart: int) -> None:
    if lines_in_cart >= MAX_CART_LINES:
        raise Conflict(f"A cart holds at most {MAX_CART_LINES} different items.", "sku")


@dataclass(frozen=True, slots=True)
class Line:
    """One line of an order as priced when it was placed."""

    sku: str
    name: str
    unit_price_minor: int
    currency: str
    quantity: int

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


@dataclass(frozen=True, slots=True)
class PricingRules:
    """Shipping is a flat fee below a threshold and free from it; tax is a rate on the subtotal."""

    tax_rate_basis_points: int  # 825 = 8.25 %
    shipping_flat_minor: int
    free_shipping_from_minor: int

    @classmethod
    def from_env(cls) -> PricingRules:
        env = os.environ.get
        return cls(int(env("ORDER_TAX_RATE_BASIS_POINTS", "800")), int(env("ORDER_SHIPPING_FLAT_MINOR", "499")),
                   int(env("ORDER_FREE_SHIPPING_FROM_MINOR", "5000")))


@dataclass(frozen=True, slots=True)
class Totals:
    currency: str
    subtotal_minor: int
    shipping_minor: int
    tax_minor: int

    @property
    def total_minor(self) -> int:
        return self.subtotal_minor + self.shipping_minor + self.tax_minor


def totals(lines: Iterable[Line], rules: PricingRules) -> Totals:
    """Return the order's totals. Tax is rounded half up to a whole minor unit, in integers only."""
    lines = list(lines)
    currencies = {line.currency for line in lines}
    if len(currencies) != 1:
        raise Conflict("The cart's items are priced in different currencies; one order takes one.", "items")
    subtotal = sum(line.total_minor for line in lines)
    shipping = 0 if subtotal >= rules.free_shipping_from_minor else rules.shipping_flat_minor
    tax = (subtotal * rules.tax_rate_basis_points + 5_000) // 10_000
    found = Totals(currencies.pop(), subtotal, shipping, tax)
    if found.total_minor > MAX_AMOUNT_MINOR:
        raise Conflict("The order's total is larger than one order may be.", "items")
    return found
