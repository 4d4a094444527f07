"""The accounts' functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (PEP 562 `__getattr__`), with what
its first request would import (its use cases, SQLAlchemy and the driver; jwt for the signed-in
ones), before gunicorn forks its workers: once for both, and nothing the other targets need
(argon2 for the password functions only, pydantic and email-validator for those parsing a body).
"""

from __future__ import annotations

import importlib
from typing import Any

from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["address", "addresses", "admin_user", "admin_users", "login", "logout", "me",  # noqa: F822
           "me_password", "refresh", "register"]
_SIGNED_IN = ("functions.runtime.auth", "functions.runtime.access", "jwt")
_FIRST_REQUEST: dict[str, tuple[str, ...]] = {
    "register": ("functions.accounts.users", "functions.accounts.commands", "functions.runtime.validation"),
    "login": ("functions.accounts.sessions", "functions.accounts.commands", "functions.runtime.validation"),
    "refresh": ("functions.accounts.sessions", "functions.accounts.commands", "functions.runtime.validation"),
    "logout": ("functions.accounts.sessions", "functions.accounts.commands", "functions.runtime.validation"),
    "me": ("functions.accounts.users", "functions.accounts.views", *_SIGNED_IN),
    "me_password": ("functions.accounts.users", *_SIGNED_IN),
    "addresses": ("functions.accounts.addresses", *_SIGNED_IN),
    "address": ("functions.accounts.addresses", *_SIGNED_IN),
    "admin_users": ("functions.accounts.users", "functions.accounts.commands", *_SIGNED_IN),
    "admin_user": ("functions.accounts.users", "functions.accounts.commands", *_SIGNED_IN),
}
_DRIVER = ("functions.runtime.db", "sqlalchemy.dialects.postgresql.pg8000", "pg8000", "pythonjsonlogger.json")


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(importlib.import_module("functions.accounts.api"), name)
    for needed in _FIRST_REQUEST.get(name, ()) + _DRIVER:
        importlib.import_module(needed)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


answer_framework_errors_as_problems()
