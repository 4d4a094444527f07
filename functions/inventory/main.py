"""The inventory's functions-framework source: each Knative Service picks one target by name.

As catalog's main.py: a target is imported when functions-framework asks for it (PEP 562
`__getattr__`), with what its first request would import, before gunicorn forks its workers.
handlers.on_order_confirmed and on_order_refunded join `__all__` once payments sends their events.
"""

from __future__ import annotations

import importlib
from typing import Any

from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["availability", "expire_reservations", "on_access_changed", "on_order_cancelled",  # noqa: F822
           "on_order_placed", "on_stock_counted", "stock", "stock_adjust", "stock_movements", "stock_receive",
           "warehouse", "warehouses"]
_TARGETS = {name: "functions.inventory.handlers" if name.startswith(("on_", "expire_"))
            else "functions.inventory.api" for name in __all__}

# What each HTTP target's first request imports (api.py imports it there); the driver for all.
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
_DRIVER = ("functions.runtime.db", "sqlalchemy.dialects.postgresql.pg8000", "pg8000", "pythonjsonlogger.json")


def __getattr__(name: str) -> Any:
    module = _TARGETS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(module), name)
    for needed in _FIRST_REQUEST.get(name, ()) + _DRIVER:
        importlib.import_module(needed)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TARGETS))


answer_framework_errors_as_problems()
