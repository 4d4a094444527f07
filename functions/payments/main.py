"""The payments' functions-framework source: each Knative Service picks one target by name.

As catalog's main.py: a target is imported when functions-framework asks for it (PEP 562
`__getattr__`), with what its first request would import, before gunicorn forks its workers.
"""

from __future__ import annotations

import importlib
from typing import Any

from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["payment_methods", "payment_method", "on_access_changed"]  # noqa: F822
_TARGETS = {name: "functions.payments.handlers" if name.startswith("on_") else "functions.payments.api"
            for name in __all__}

_METHODS = ("functions.payments.methods", "functions.payments.model", "functions.runtime.auth")
_FIRST_REQUEST = {
    "payment_methods": (*_METHODS, "functions.payments.commands", "functions.runtime.validation"),
    "payment_method": _METHODS,
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
