"""The payments' functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it, with what its first request would
import, before gunicorn forks its workers (functions/runtime/targets.py).
"""

from __future__ import annotations

from functions.runtime.targets import SIGNED_IN, lazy_targets
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["payment_methods", "payment_method", "payments", "payment", "order_payments",  # noqa: F822
           "admin_payment_refund", "on_order_cancelled", "on_access_changed"]
_TARGETS = {name: "functions.payments.handlers" if name.startswith("on_") else "functions.payments.api"
            for name in __all__}

_METHODS = ("functions.payments.methods", "functions.payments.model", *SIGNED_IN)
_CHARGES = ("functions.payments.charges", "functions.payments.model", *SIGNED_IN)
_PAYING = (*_CHARGES, "functions.payments.commands", "functions.payments.adapters.simulator",
           "functions.runtime.idempotency", "functions.runtime.validation", "functions.runtime.calls")
_FIRST_REQUEST = {
    "payment_methods": (*_METHODS, "functions.payments.commands", "functions.runtime.validation"),
    "payment_method": _METHODS,
    "payments": _PAYING,
    "payment": _CHARGES,
    "order_payments": _CHARGES,
    "admin_payment_refund": _PAYING,
    "on_order_cancelled": ("functions.payments.charges", "functions.payments.adapters.simulator"),
}

__getattr__, __dir__ = lazy_targets(globals(), _TARGETS, _FIRST_REQUEST)

answer_framework_errors_as_problems()
