"""The orders' functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (PEP 562 `__getattr__`), so a
function process loads its own target's modules only (catalog's main.py says why): the HTTP
functions (api.py) or the event handlers (handlers.py). What the target's first request imports
is imported then too, before gunicorn forks its workers.
"""

from __future__ import annotations

import importlib
from typing import Any

from functions.runtime.web import answer_framework_errors_as_problems

__all__ = [  # noqa: F822
    "cart", "cart_items", "cart_item", "orders", "order", "order_cancel",
    "admin_orders", "admin_order", "admin_order_ship", "admin_order_cancel",
    "on_stock_reserved", "on_stock_rejected", "on_reservation_expired", "on_access_changed",
]
_TARGETS = {name: "functions.orders.handlers" if name.startswith("on_") else "functions.orders.api"
            for name in __all__}

_CART = ("functions.orders.carts", "functions.runtime.calls", "functions.runtime.auth")
_ORDER = ("functions.orders.queries", "functions.orders.status", "functions.runtime.auth")
_FIRST_REQUEST = {
    "cart": _CART,
    "cart_items": (*_CART, "functions.orders.commands", "functions.runtime.validation"),
    "cart_item": (*_CART, "functions.orders.commands", "functions.runtime.validation"),
    "orders": ("functions.orders.checkout", "functions.orders.queries", "functions.orders.commands",
               "functions.runtime.idempotency", "functions.runtime.validation", "functions.runtime.auth"),
    "order": _ORDER,
    "order_cancel": _ORDER,
    "admin_orders": (*_ORDER, "functions.orders.commands", "functions.runtime.validation"),
    "admin_order": _ORDER,
    "admin_order_ship": _ORDER,
    "admin_order_cancel": _ORDER,
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
