"""A domain's functions-framework targets, imported when asked for (PEP 562 module `__getattr__`).

Each Knative Service runs one target of its domain's main.py. Importing every target there would
make each function load what all the others need (SQLAlchemy for the handlers, argon2 for the
password functions, pydantic for the body parsers): a cold start pays for the whole domain. So
main.py only names its targets; the one functions-framework asks for is imported then, with what
its first request would import (its use case, the driver), before gunicorn forks its workers:
once for both (functions-framework loads the app in gunicorn's arbiter, as --preload), and not
on the first request.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

# What every function's first request needs: the database and the JSON log formatter.
DRIVER = ("functions.runtime.db", "sqlalchemy.dialects.postgresql.pg8000", "pg8000", "pythonjsonlogger.json")
# What a function for signed-in users adds: the token check and the copy of who may act.
SIGNED_IN = ("functions.runtime.auth", "functions.runtime.access", "jwt")


def lazy_targets(namespace: MutableMapping[str, Any], targets: Mapping[str, str],
                 first_request: Mapping[str, tuple[str, ...]]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return main.py's `__getattr__` and `__dir__`: `targets` maps a target to its module,
    `first_request` a target to the modules its first request imports (DRIVER is added)."""
    module_name = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = targets.get(name)
        if module is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = namespace[name] = getattr(importlib.import_module(module), name)
        for needed in (*first_request.get(name, ()), *DRIVER):
            importlib.import_module(needed)
        # What is loaded now lives as long as the process: out of the collector's sight, a full
        # collection scans only what requests made since. Otherwise it walks these ~95,000
        # objects (SQLAlchemy, pydantic, our modules) each time: 55-70 ms holding the GIL in a
        # serving catalog function, which every request in the worker waits out (1 ms frozen).
        # Before the fork, it also keeps the collector from writing to the pages the two
        # workers share. No collect first: one costs ~40 ms of the cold start, and imports leave
        # next to no garbage.
        gc.freeze()
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(targets))

    return __getattr__, __dir__
