"""The inventory's functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it, with what its first request would
import, before gunicorn forks its workers (functions/runtime/targets.py).
handlers.on_order_confirmed and on_order_refunded join `__all__` once payments sends their events.
"""

from __future__ import annotations

from functions.runtime.targets import lazy_targets
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["availability", "expire_reservations", "on_access_changed", "on_order_cancelled",  # noqa: F822
           "on_order_confirmed", "on_order_placed", "on_order_refunded", "on_stock_counted", "stock", "stock_adjust", "stock_movements", "stock_receive",
           "warehouse", "warehouses"]
_TARGETS = {name: "functions.inventory.handlers" if name.startswith(("on_", "expire_"))
            else "functions.inventory.api" for name in __all__}

# What each HTTP target's first request imports (api.py imports it there); runtime.targets adds the driver.
_PARSING = ("functions.inventory.commands", "functions.runtime.validation")
_FIRST_REQUEST = {
    "warehouses": ("functions.inventory.warehouses", *_PARSING),
    "warehouse": ("functions.inventory.warehouses", *_PARSING),
    "availability": ("functions.inventory.stock",),
    "stock": ("functions.inventory.stock", *_PARSING),
    "stock_receive": ("functions.inventory.stock", "functions.inventory.adapters.catalog", *_PARSING),
    "stock_adjust": ("functions.inventory.stock", *_PARSING),
    "stock_movements": ("functions.inventory.stock", *_PARSING),
}


__getattr__, __dir__ = lazy_targets(globals(), _TARGETS, _FIRST_REQUEST)

answer_framework_errors_as_problems()
