"""The accounts' functions-framework source: each Knative Service picks one target by name.

A target is imported when functions-framework asks for it (PEP 562 `__getattr__`), with what
its first request would import (its use cases, SQLAlchemy and the driver; jwt for the signed-in
ones), before gunicorn forks its workers: once for both, and nothing the other targets need
(argon2 for the password functions only, pydantic and email-validator for those parsing a body).
"""

from __future__ import annotations

from functions.runtime.targets import SIGNED_IN, lazy_targets
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["address", "addresses", "admin_user", "admin_users", "login", "logout", "me",  # noqa: F822
           "me_password", "refresh", "register"]
_SIGNED_IN = SIGNED_IN
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


__getattr__, __dir__ = lazy_targets(globals(), dict.fromkeys(__all__, "functions.accounts.api"), _FIRST_REQUEST)

answer_framework_errors_as_problems()
