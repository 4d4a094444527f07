"""Catalog rules: slugs, the category tree, search terms and cursors. No I/O here."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from functions.runtime.exceptions import Conflict

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

MAX_SLUG_LENGTH = 80
MAX_SEARCH_TERMS = 12
SORTS = ("relevance", "price", "-price", "newest", "name")
ADMIN = "admin"
_WORD = re.compile(r"\w+", re.UNICODE)


def slugify(text: str) -> str:
    """Return the URL slug of `text`: ASCII lowercase words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-") or "item"


def next_free_slug(base: str, taken: Iterable[str]) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever is not taken."""
    taken_set = set(taken)
    if base not in taken_set:
        return base
    n = 2
    while f"{base}-{n}" in taken_set:
        n += 1
    return f"{base}-{n}"


def search_terms(q: str) -> str | None:
    """Return a to_tsquery expression matching every word of `q` as a prefix, or None."""
    words = [w.lower() for w in _WORD.findall(q)][:MAX_SEARCH_TERMS]
    # \w+ admits only letters, digits and "_": nothing in a word can be tsquery syntax.
    return " & ".join(f"{w}:*" for w in words) or None


@dataclass(frozen=True)
class CategoryNode:
    id: UUID
    parent_id: UUID | None
    slug: str
    name: str
    active: bool = True


def descendants(nodes: Iterable[CategoryNode], root: UUID) -> set[UUID]:
    """Return `root` and the ids of every category below it."""
    children: dict[UUID | None, list[UUID]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node.id)
    found, stack = set(), [root]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def ancestors(nodes: Mapping[UUID, CategoryNode], start: UUID | None) -> list[CategoryNode]:
    """Return the chain from the root down to `start` (inclusive); empty for None."""
    chain: list[CategoryNode] = []
    seen: set[UUID] = set()
    while start is not None and start in nodes and start not in seen:
        seen.add(start)
        chain.append(nodes[start])
        start = nodes[start].parent_id
    return chain[::-1]


def would_cycle(nodes: Mapping[UUID, CategoryNode], category: UUID, new_parent: UUID) -> bool:
    """Return True when making `new_parent` the parent of `category` would close a loop."""
    return any(node.id == category for node in ancestors(nodes, new_parent))


def rollup_counts(nodes: Iterable[CategoryNode], direct: Mapping[UUID, int]) -> dict[UUID, int]:
    """Return per category the count of its own items plus those of all its descendants."""
    node_list = list(nodes)
    by_id = {n.id: n for n in node_list}
    totals: dict[UUID, int] = {}
    for category, count in direct.items():
        for node in ancestors(by_id, category):
            totals[node.id] = totals.get(node.id, 0) + count
    return totals


def build_tree(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest category dicts (with `id` and `parent_id`) under `children`, ordered by position, name."""
    items = [{**row, "children": []} for row in rows]
    by_id = {item["id"]: item for item in items}
    roots = []
    for item in sorted(items, key=lambda i: (i["position"], i["name"])):
        parent = by_id.get(item["parent_id"])
        (parent["children"] if parent else roots).append(item)
    return roots


class BadCursor(ValueError):
    """The cursor was not made by this API for this sort."""


_NOT_OURS = "is not a cursor this API made"
MAX_BIGINT = 2**63 - 1


def encode_cursor(sort: str, key: Any, last_id: UUID) -> str:
    """Return an opaque cursor that continues after the row (`key`, `last_id`) in `sort` order."""
    raw = json.dumps([sort, key, str(last_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, UUID]:
    """Return the (key, id) a cursor continues after; raise BadCursor when it does not fit.

    A cursor comes back from the client, so its key is checked as strictly as any input: a
    key this API could not have written (a time outside the years 1-9999 in UTC, a number no
    column holds, a NUL) never reaches the database.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, key, last_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        uid = UUID(last_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor(_NOT_OURS) from None
    if cursor_sort != sort:
        raise BadCursor(f"was made for sort '{cursor_sort}', not '{sort}'")
    return _cursor_key(sort, key), uid


def _cursor_key(sort: str, key: Any) -> Any:
    if isinstance(key, bool):
        raise BadCursor(_NOT_OURS)
    if sort in ("price", "-price") and isinstance(key, int) and abs(key) <= MAX_BIGINT:
        return key
    if sort == "relevance" and isinstance(key, int | float) and math.isfinite(key):
        return float(key)
    if sort == "name" and isinstance(key, str) and "\x00" not in key:
        return key
    if sort == "newest" and isinstance(key, str):
        try:
            moment = datetime.fromisoformat(key)
            if moment.tzinfo is not None:
                return moment.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            pass
    raise BadCursor(_NOT_OURS)


def sees_inactive(role: str | None) -> bool:
    """Admins see deactivated products and categories (to edit or restore them); the storefront never does."""
    return role == ADMIN


def shown_categories(nodes: Mapping[UUID, CategoryNode], role: str | None) -> dict[UUID, CategoryNode]:
    """Return the categories `role` sees: admins every one; others those with no inactive category
    on their path from the root (deactivating a category hides everything below it too)."""
    if sees_inactive(role):
        return dict(nodes)
    return {cid: node for cid, node in nodes.items() if all(n.active for n in ancestors(nodes, cid))}


def check_deletable(has_products: bool, has_subcategories: bool) -> None:
    """Raise Conflict unless the category is empty: products and subcategories are never orphaned."""
    if has_products:
        raise Conflict("The category still has products; move or delete them first.")
    if has_subcategories:
        raise Conflict("The category still has subcategories; move or delete them first.")
