"""A SKU's shape, the one every domain checks (catalog defines products by it, others name them by it)."""

from __future__ import annotations

import re

SKU_PATTERN = r"^[A-Z0-9][A-Z0-9._-]{0,63}$"  # upper case: never mistaken for a slug
MAX_SKU_LIST = 100  # SKUs in one comma-separated list (GET /api/products?sku=A,B: a page's worth)
# A comma-separated list of 1 to MAX_SKU_LIST SKUs, as one query parameter.
SKU_LIST_PATTERN = r"^[A-Z0-9][A-Z0-9._-]{0,63}(,[A-Z0-9][A-Z0-9._-]{0,63}){0,%d}$" % (MAX_SKU_LIST - 1)
SKU_LIST_MAX_LENGTH = MAX_SKU_LIST * 65 - 1  # each SKU at most 64 characters, a comma between two
_SKU = re.compile(SKU_PATTERN)


def is_sku(ref: str) -> bool:
    """Whether ref has a SKU's shape (upper case letters, digits, `.`, `_`, `-`)."""
    return _SKU.match(ref) is not None
