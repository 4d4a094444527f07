"""Ids: every resource id is a UUID; references from outside are parsed in one place."""

from __future__ import annotations

from uuid import UUID


def parse_uuid(value: str) -> UUID | None:
    """Return `value` as a UUID, or None when it is not one."""
    try:
        return UUID(value)
    except ValueError:
        return None
