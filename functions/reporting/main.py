"""The reporting's functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it, with what its first request would
import, before gunicorn forks its workers (functions/runtime/targets.py).
"""

from __future__ import annotations

from functions.runtime.targets import SIGNED_IN, lazy_targets
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["admin_sales_report", "on_order_placed", "on_order_confirmed", "on_order_cancelled",  # noqa: F822
           "on_order_refunded", "on_payment_completed", "on_payment_failed", "on_stock_changed",
           "on_access_changed", "on_dead_letter"]
_TARGETS = {name: "functions.reporting.handlers" if name.startswith("on_") else "functions.reporting.api"
            for name in __all__}

_PROJECTING = ("functions.reporting.projection",)
_FIRST_REQUEST = {
    "admin_sales_report": ("functions.reporting.reports", "functions.reporting.commands", "functions.reporting.model",
                           "functions.runtime.validation", *SIGNED_IN),
    **{name: _PROJECTING for name in __all__ if name.startswith("on_") and name != "on_access_changed"},
}

__getattr__, __dir__ = lazy_targets(globals(), _TARGETS, _FIRST_REQUEST)

answer_framework_errors_as_problems()
