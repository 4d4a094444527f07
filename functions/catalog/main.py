"""The catalog's functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (PEP 562 `__getattr__`), so a
function process loads its own target's modules only: the HTTP functions (api.py) or the event
handlers (handlers.py, SQLAlchemy and the event payloads), never both.
"""

from __future__ import annotations

import importlib
from typing import Any

from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["categories", "category", "media", "on_access_changed", "on_stock_changed", "product", "products"]
_TARGETS = {name: "functions.catalog.handlers" if name.startswith("on_") else "functions.catalog.api"
            for name in __all__}


def __getattr__(name: str) -> Any:
    module = _TARGETS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(module), name)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TARGETS))


answer_framework_errors_as_problems()
