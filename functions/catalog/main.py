"""The catalog's functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (PEP 562 `__getattr__`), so a
function process loads its own target's modules only: the HTTP functions (api.py) or the event
handlers (handlers.py, SQLAlchemy and the event payloads), never both.
"""

from __future__ import annotations

import importlib
from typing import Any

from functions.runtime.web import answer_framework_errors_as_problems

_TARGETS = {
    **dict.fromkeys(("categories", "category", "media", "product", "products"), "functions.catalog.api"),
    **dict.fromkeys(("on_access_changed", "on_stock_changed"), "functions.catalog.handlers"),
}
__all__ = sorted(_TARGETS)


def __getattr__(name: str) -> Any:
    module = _TARGETS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module(module), name)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TARGETS))


answer_framework_errors_as_problems()
