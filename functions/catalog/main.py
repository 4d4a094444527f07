"""The catalog's functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (functions/runtime/targets.py), so a
function process loads its own target's modules only: the HTTP functions (api.py) or the event
handlers (handlers.py, SQLAlchemy and the event payloads), never both, with what its first
request would import.
"""

from __future__ import annotations

from functions.runtime.targets import lazy_targets
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["categories", "category", "media", "on_access_changed", "on_availability_changed", "product", "products"]  # noqa: F822
_TARGETS = {name: "functions.catalog.handlers" if name.startswith("on_") else "functions.catalog.api"
            for name in __all__}


# What each HTTP target's first request imports (api.py imports it there); runtime.targets adds the driver.
_FIRST_REQUEST = {
    "categories": ("functions.catalog.categories", "functions.runtime.paging"),
    "category": ("functions.catalog.categories",),
    "products": ("functions.catalog.search", "functions.catalog.commands", "functions.runtime.validation"),
    "product": ("functions.catalog.products",),
    "media": ("functions.catalog.adapters.media",),
}


__getattr__, __dir__ = lazy_targets(globals(), _TARGETS, _FIRST_REQUEST)

answer_framework_errors_as_problems()
