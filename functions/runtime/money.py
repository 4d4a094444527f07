"""Money: integer minor units and an ISO 4217 code, never a float."""

from __future__ import annotations

from typing import Any

MAX_AMOUNT_MINOR = 10**12  # a trillion minor units: far above any price, far below int64


def money(amount_minor: int, currency: str) -> dict[str, int | str]:
    """Return the API's money object."""
    return {"amount_minor": amount_minor, "currency": currency}


def _define_money() -> type:
    from pydantic import BaseModel, ConfigDict, Field

    class Money(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        amount_minor: int = Field(ge=0, le=MAX_AMOUNT_MINOR)
        currency: str = Field(pattern=r"^[A-Z]{3}$")

    Money.__module__, Money.__qualname__ = __name__, "Money"
    return Money


def __getattr__(name: str) -> Any:
    # `Money` (a pydantic model, for commands) is defined on first use: answers that only show
    # money (views, through `money()`) need not import pydantic.
    if name == "Money":
        value = globals()["Money"] = _define_money()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
