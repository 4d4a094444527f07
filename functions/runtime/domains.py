"""Which domain a function belongs to: read from its package (functions/<domain>/), written nowhere."""

from __future__ import annotations

from contextvars import ContextVar

# Set by the HTTP edge for the length of each request.
current_domain: ContextVar[str | None] = ContextVar("current_domain", default=None)


def domain_of(module: str) -> str | None:
    """Return the domain of a module of `functions.<domain>.…`; None for any other module."""
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != "functions" or parts[1] == "runtime":
        return None
    return parts[1]
