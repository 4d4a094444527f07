"""The orders' functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (PEP 562 `__getattr__`), so a
function process loads its own target's modules only (functions/runtime/targets.py says why): the HTTP
functions (api.py) or the event handlers (handlers.py). What the target's first request imports
is imported then too, before gunicorn forks its workers.
"""

from __future__ import annotations

from functions.runtime.targets import SIGNED_IN, lazy_targets
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = [  # noqa: F822
    "cart", "cart_items", "cart_item", "orders", "order", "order_cancel",
    "admin_orders", "admin_order", "admin_order_ship", "admin_order_cancel",
    "on_stock_reserved", "on_stock_rejected", "on_reservation_expired",
    "on_payment_completed", "on_payment_failed", "on_payment_refunded", "on_access_changed",
]
_TARGETS = {name: "functions.orders.handlers" if name.startswith("on_") else "functions.orders.api"
            for name in __all__}

_CART = ("functions.orders.carts", "functions.runtime.calls", *SIGNED_IN)
_ORDER = ("functions.orders.queries", "functions.orders.status", *SIGNED_IN)
_FIRST_REQUEST = {
    "cart": _CART,
    "cart_items": (*_CART, "functions.orders.commands", "functions.runtime.validation"),
    "cart_item": (*_CART, "functions.orders.commands", "functions.runtime.validation"),
    "orders": ("functions.orders.checkout", "functions.orders.queries", "functions.orders.commands",
               "functions.runtime.idempotency", "functions.runtime.validation", *SIGNED_IN),
    "order": _ORDER,
    "order_cancel": _ORDER,
    "admin_orders": (*_ORDER, "functions.orders.commands", "functions.runtime.validation"),
    "admin_order": _ORDER,
    "admin_order_ship": _ORDER,
    "admin_order_cancel": _ORDER,
}


__getattr__, __dir__ = lazy_targets(globals(), _TARGETS, _FIRST_REQUEST)

answer_framework_errors_as_problems()
