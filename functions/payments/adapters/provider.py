"""The payment provider as payments sees it: authorize, capture, refund, each with an idempotency key.

Every call carries a provider-side idempotency key (`key`): the same call repeated with the same
key (after a timeout, or by a request that resumes one a crash cut short) is the same call to
the provider, which answers what it answered the first time and never charges twice. That is
how a real provider (Stripe's `Idempotency-Key`) is driven safely; the built-in simulator
(simulator.py) keeps the same promise. `PAYMENT_PROVIDER` picks the provider (only `simulator`
is built in; a real one implements `Provider`).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Protocol


class ProviderTimeout(Exception):
    """The provider did not answer in time: the call may or may not have happened."""


@dataclass(frozen=True, slots=True)
class Authorized:
    ref: str  # the provider's id of the authorization, to capture it
    brand: str
    last4: str


@dataclass(frozen=True, slots=True)
class Declined:
    code: str  # card_declined, insufficient_funds, invalid_token
    message: str  # for the shopper


@dataclass(frozen=True, slots=True)
class Settled:
    ref: str  # the provider's id of the capture or refund


class Provider(Protocol):
    def authorize(self, key: str, token: str, amount_minor: int, currency: str) -> Authorized | Declined: ...

    def capture(self, key: str, authorization: str, amount_minor: int) -> Settled: ...

    def refund(self, key: str, capture: str, amount_minor: int) -> Settled: ...


@functools.cache
def configured() -> Provider:
    """The process's provider, as PAYMENT_PROVIDER names it (default: the simulator)."""
    name = os.environ.get("PAYMENT_PROVIDER", "simulator")
    if name != "simulator":
        raise RuntimeError(f"PAYMENT_PROVIDER={name!r}: only 'simulator' is built in")
    from functions.payments.adapters.simulator import Simulator

    return Simulator.from_env()
