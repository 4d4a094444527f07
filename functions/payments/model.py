"""Payment method rules, and the guard that keeps card numbers out. No I/O.

A full card number (a PAN) must never be accepted, stored or logged: the only card data kept is
the provider's token, the brand, the last four digits and the expiry. `card_number_fields` finds
anything that looks like a PAN (13 to 19 digits, spaces or dashes allowed between them, passing
the Luhn check) in any string of a request, so it can be refused before anything else reads it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from typing import Any

from functions.runtime.exceptions import Conflict, FieldError, InvalidInput

BRANDS = ("visa", "mastercard", "amex", "discover")
TOKEN_PATTERN = r"^tok_[A-Za-z0-9_]{1,64}$"
LAST4_PATTERN = r"^[0-9]{4}$"
MAX_METHODS = 10  # per user
MAX_EXP_YEAR = 2100

# A run of digits, each but the last optionally followed by one space or dash. Lookarounds keep
# the run whole: "12345" inside a longer run of digits is not a run of its own.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9])*(?![0-9])")
# A UUID's groups may be all digits and, read across its dashes, pass Luhn ("12345678-1234-...");
# a UUID is never a card number, so UUIDs are taken out before the digits are looked at.
_UUID = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
                   r"(?![0-9A-Fa-f])")
MIN_PAN_DIGITS, MAX_PAN_DIGITS = 13, 19


def luhn_valid(digits: str) -> bool:
    """True when the string of digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def contains_card_number(text: str) -> bool:
    """True when `text` holds 13 to 19 consecutive digits (spaces, dashes between) passing Luhn.

    A run is cut only where a separator is: a run of 16 digits that fails Luhn is no card number,
    even if 13 of its digits would pass. A run of separated groups longer than 19 digits is
    searched group by group, so "4242 4242 4242 4242 1234" (a PAN followed by more digits) is found.
    """
    for match in _DIGIT_RUN.finditer(_UUID.sub(" ", text)):
        groups = re.split(r"[ -]", match.group())
        for first in range(len(groups)):
            digits = ""
            for group in groups[first:]:
                digits += group
                if len(digits) > MAX_PAN_DIGITS:
                    break
                if len(digits) >= MIN_PAN_DIGITS and luhn_valid(digits):
                    return True
    return False


def mask_card_numbers(text: str) -> str:
    """Return `text` with every run of digits that holds a card number replaced by `[card number]`."""
    parts = re.split(f"({_UUID.pattern})", text)  # UUIDs (the odd parts) are kept as they are
    return "".join(part if i % 2 else _DIGIT_RUN.sub(
        lambda m: "[card number]" if contains_card_number(m.group()) else m.group(), part)
        for i, part in enumerate(parts))


def card_number_fields(value: Any, path: str = "") -> Iterator[str]:
    """Yield the dotted path of every string in `value` (nested dicts, lists) that holds a PAN.

    A key that holds one is reported too: a key is as loggable as a value.
    """
    if isinstance(value, str):
        if contains_card_number(value):
            yield path or "body"
    elif isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and contains_card_number(key):
                yield path or "body"  # never echo the key itself: it is the card number
                continue
            yield from card_number_fields(item, name)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from card_number_fields(item, f"{path}.{index}" if path else str(index))


CARD_NUMBER_MESSAGE = "must not contain a card number; send the payment provider's token instead"


def refuse_card_numbers(value: Any) -> None:
    """Raise a 422 naming each field of `value` that holds a card number."""
    fields = list(dict.fromkeys(card_number_fields(value)))
    if fields:
        raise InvalidInput([FieldError(name, CARD_NUMBER_MESSAGE) for name in fields])


def check_expiry(exp_month: int, exp_year: int, today_year: int, today_month: int) -> None:
    """A card is usable through the last day of its expiry month: that month may not be past."""
    if (exp_year, exp_month) < (today_year, today_month):
        raise InvalidInput.of("exp_year", "the card has expired (exp_month/exp_year is in the past)")


def check_room_for_method(count: int) -> None:
    if count >= MAX_METHODS:
        raise Conflict(f"A user keeps at most {MAX_METHODS} payment methods; delete one first.", "token")


# A payment: processing while the provider is asked, then completed or failed; refunded when all
# of it went back (a part refunded leaves it completed, with `refunded_minor`).
PROCESSING, COMPLETED, FAILED, REFUNDED = "processing", "completed", "failed", "refunded"
TAKEN = (PROCESSING, COMPLETED, REFUNDED)  # at most one such payment per order
# A request settles its payment within this (PAYMENT_LEASE_SECONDS), or its key, sent again, may
# take it over: longer than the provider's slowest answer, times its attempts.
LEASE_SECONDS = int(os.environ.get("PAYMENT_LEASE_SECONDS", "30"))
PROVIDER_ATTEMPTS = 3  # calls per step while the provider times out, with the same key


def check_one_way_to_pay(payment_method_id: object, token: object) -> None:
    if payment_method_id is None and token is None:
        raise InvalidInput.of("payment_method_id", "or token is required: say how to pay")
    if payment_method_id is not None and token is not None:
        raise InvalidInput.of("token", "cannot be sent with payment_method_id: send one of them")


def check_payable(status: str) -> None:
    if status != "awaiting_payment":
        raise Conflict(f"The order is {status}: only an order awaiting payment can be paid.", "order_id")


def refundable(amount_minor: int, refunded_minor: int, status: str, asked: int | None) -> int:
    """How much a refund of `asked` (None: all that is left) gives back; refuse more than is left."""
    if status not in (COMPLETED,):
        raise Conflict(f"A {status} payment cannot be refunded: only a completed one can.", "status")
    left = amount_minor - refunded_minor
    amount = left if asked is None else asked
    if amount > left:
        raise InvalidInput.of("amount_minor", f"is more than is left to refund ({left})")
    return amount
