"""Money: integer minor units and an ISO 4217 code, never a float."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_AMOUNT_MINOR = 10**12  # a trillion minor units: far above any price, far below int64


class Money(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    amount_minor: int = Field(ge=0, le=MAX_AMOUNT_MINOR)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


def money(amount_minor: int, currency: str) -> dict[str, int | str]:
    """Return the API's money object."""
    return {"amount_minor": amount_minor, "currency": currency}
