"""The built-in payment provider: deterministic, by Stripe's test tokens.

    tok_visa, tok_mastercard                succeed
    tok_chargeDeclined                      declined: card_declined
    tok_chargeDeclinedInsufficientFunds     declined: insufficient_funds
    tok_timeout                             the first authorization under a key times out;
                                            the same call again (same key) succeeds
    tok_slow                                succeeds after PAYMENT_SIMULATOR_SLOW_SECONDS (1.5)
    any other tok_...                       declined: invalid_token

Like a real provider it remembers each key's answer (for this process's life), so a call
repeated with its key answers the same and takes no money twice; a key reused for another call
is a programming error (ValueError), as Stripe answers it with a 400.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass, field

from functions.payments.adapters.provider import Authorized, Declined, ProviderTimeout, Settled

SUCCEEDING = {"tok_visa": ("visa", "4242"), "tok_mastercard": ("mastercard", "4444"),
              "tok_timeout": ("visa", "4242"), "tok_slow": ("visa", "4242")}
DECLINING = {
    "tok_chargeDeclined": Declined("card_declined", "Your card was declined."),
    "tok_chargeDeclinedInsufficientFunds": Declined("insufficient_funds", "Your card has insufficient funds."),
}
UNKNOWN = Declined("invalid_token", "The payment provider does not know this card token.")


@dataclass
class Simulator:
    slow_seconds: float = 1.5
    timeout_seconds: float = 0.2  # how long the call hangs before it is given up
    _answers: dict[str, tuple[tuple[object, ...], object]] = field(default_factory=dict)
    _timed_out: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_env(cls) -> Simulator:
        return cls(slow_seconds=float(os.environ.get("PAYMENT_SIMULATOR_SLOW_SECONDS", "1.5")))

    def authorize(self, key: str, token: str, amount_minor: int, currency: str) -> Authorized | Declined:
        call = ("authorize", token, amount_minor, currency)
        if (known := self._known(key, call)) is not None:
            return known  # type: ignore[return-value]
        if token == "tok_timeout":
            with self._lock:
                first = key not in self._timed_out
                self._timed_out.add(key)
            if first:
                time.sleep(self.timeout_seconds)
                raise ProviderTimeout(f"authorize {key}: no answer in {self.timeout_seconds} s")
        if token == "tok_slow":
            time.sleep(self.slow_seconds)
        if token in SUCCEEDING:
            brand, last4 = SUCCEEDING[token]
            answer: Authorized | Declined = Authorized(_ref("auth", key), brand, last4)
        else:
            answer = DECLINING.get(token, UNKNOWN)
        return self._remember(key, call, answer)  # type: ignore[return-value]

    def capture(self, key: str, authorization: str, amount_minor: int) -> Settled:
        call = ("capture", authorization, amount_minor)
        return self._known(key, call) or self._remember(key, call, Settled(_ref("ch", key)))  # type: ignore

    def refund(self, key: str, capture: str, amount_minor: int) -> Settled:
        call = ("refund", capture, amount_minor)
        return self._known(key, call) or self._remember(key, call, Settled(_ref("re", key)))  # type: ignore

    def _known(self, key: str, call: tuple[object, ...]) -> object | None:
        with self._lock:
            seen = self._answers.get(key)
        if seen is None:
            return None
        if seen[0] != call:
            raise ValueError(f"provider key {key!r} was used for another call")
        return seen[1]

    def _remember(self, key: str, call: tuple[object, ...], answer: object) -> object:
        with self._lock:  # two racing first calls with one key: the first answer stands
            return self._answers.setdefault(key, (call, answer))[1]


def _ref(prefix: str, key: str) -> str:
    """The provider's id for what a key did: the same key, the same id, in any process."""
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:24]}"
