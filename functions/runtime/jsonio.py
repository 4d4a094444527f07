"""One JSON encoding for answers, events and audit entries: UUIDs as text, times as UTC ISO 8601."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timezone
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> str:
    """Return `data` as compact JSON text."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_default)


def plain(data: Any) -> Any:
    """Return `data` with only JSON types in it (for JSONB columns)."""
    return json.loads(dumps(data))
