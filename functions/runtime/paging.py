"""The collection envelope every list answers with."""

from __future__ import annotations

from typing import Any

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def envelope(items: list[Any], total: int, page: int | None, page_size: int,
             **extra: Any) -> dict[str, Any]:
    """Return `{"items", "total", "page", "page_size"}` plus any extra keys (facets, cursors)."""
    return {"items": items, "total": total, "page": page, "page_size": page_size, **extra}
