"""The events payments emits and consumes. Their contracts are in events/.

This slice (saved payment methods) emits nothing yet; payment.completed, payment.failed and
payment.refunded come with the payments themselves.
"""

from __future__ import annotations

from functions.runtime.access import ACCESS_EVENTS

EMITS: tuple[str, ...] = ()
CONSUMES: tuple[str, ...] = (*ACCESS_EVENTS,)
