"""The catalog's functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (PEP 562 `__getattr__`), so a
function process loads its own target's modules only: the HTTP functions (api.py) or the event
handlers (handlers.py, SQLAlchemy and the event payloads), never both. What that target's first
request would import (its use case, SQLAlchemy and the driver) is imported then too, before
gunicorn forks its workers: once, shared by both workers, rather than once per worker on each
one's first request (functions-framework loads the app in gunicorn's arbiter, as --preload).
"""

from __future__ import annotations

import importlib
from typing import Any

from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["categories", "category", "media", "on_access_changed", "on_stock_changed", "product", "products"]  # noqa: F822
_TARGETS = {name: "functions.catalog.handlers" if name.startswith("on_") else "functions.catalog.api"
            for name in __all__}


# What each HTTP target's first request imports (api.py imports it there); the driver for all.
_FIRST_REQUEST = {
    "categories": ("functions.catalog.categories", "functions.runtime.paging"),
    "category": ("functions.catalog.categories",),
    "products": ("functions.catalog.search", "functions.catalog.commands", "functions.runtime.validation"),
    "product": ("functions.catalog.products",),
    "media": ("functions.catalog.adapters.media",),
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
