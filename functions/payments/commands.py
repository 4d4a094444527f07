"""Commands: what a caller may ask of payments, validated field by field (pydantic).

Every command of the domain derives from `PaymentsCommand`, which refuses a card number in any
field before the field's own type or pattern is checked (model.refuse_card_numbers): the API
scans the raw body and query first (api.py), this keeps a command built any other way honest.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from functions.payments.model import (
    BRANDS,
    CARD_NUMBER_MESSAGE,
    LAST4_PATTERN,
    MAX_EXP_YEAR,
    TOKEN_PATTERN,
    card_number_fields,
)
from functions.runtime.commands import Command
from functions.runtime.money import MAX_AMOUNT_MINOR

Brand = Literal[BRANDS]  # type: ignore[valid-type]
Token = Annotated[str, StringConstraints(pattern=TOKEN_PATTERN)]


class PaymentsCommand(Command):
    @field_validator("*", mode="before")
    @classmethod
    def _no_card_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if any(True for _ in card_number_fields(value)):
            raise ValueError(CARD_NUMBER_MESSAGE)
        return value


class AddPaymentMethod(PaymentsCommand):
    token: Token = Field(
        description="The payment provider's token for the card (`tok_visa`); never the card number.")
    brand: Brand
    last4: Annotated[str, StringConstraints(pattern=LAST4_PATTERN)] = Field(
        description="The card's last four digits, as the provider returned them.")
    exp_month: int = Field(ge=1, le=12)
    exp_year: int = Field(ge=2000, le=MAX_EXP_YEAR, description="Four digits; the month may not be past.")


class MakePayment(PaymentsCommand):
    order_id: UUID = Field(description="The caller's order, awaiting payment; the amount is its total.")
    payment_method_id: UUID | None = Field(default=None, description="One of the caller's saved methods.")
    token: Token | None = Field(default=None, description=(
        "A one-off provider token instead of a saved method (the simulator's: `tok_visa`, "
        "`tok_mastercard`, `tok_chargeDeclined`, `tok_chargeDeclinedInsufficientFunds`, `tok_timeout`, "
        "`tok_slow`)."))
    # Exactly one of payment_method_id and token: model.check_one_way_to_pay names the field.


class RefundPayment(PaymentsCommand):
    amount_minor: int | None = Field(default=None, ge=1, le=MAX_AMOUNT_MINOR, description=(
        "How much to give back, in minor units; all that is left of the capture when left out."))
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
