"""A SKU's shape, the one every domain checks (catalog defines products by it, others name them by it)."""

from __future__ import annotations

import re

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9._-]{0,63}$"  # upper case: never mistaken for a slug
_SKU = re.compile(SKU_PATTERN)


def is_sku(ref: str) -> bool:
    """Whether ref has a SKU's shape (upper case letters, digits, `.`, `_`, `-`)."""
    return _SKU.match(ref) is not None
