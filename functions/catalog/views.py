"""The API's shapes of catalog resources, built from database rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from functions.runtime.money import money


def category_ref(category_id: UUID | None, slug: str | None, name: str | None) -> dict[str, Any] | None:
    return None if category_id is None else {"id": category_id, "slug": slug, "name": name}


def product_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return a product as the API shows it (row from `products.product_query`)."""
    return {
        "id": row["id"],
        "sku": row["sku"],
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "price": money(row["price_minor"], row["currency"]),
        "category": category_ref(row["category_id"], row["category_slug"], row["category_name"]),
        "attributes": row["attributes"],
        "images": row["images"],  # already [{url, alt, position}], built by the query
        "in_stock": row["in_stock"],
        "active": row["active"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def category_view(row: Mapping[str, Any], product_count: int = 0) -> dict[str, Any]:
    return {
        "id": row["id"],
        "parent_id": row["parent_id"],
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "position": row["position"],
        "active": row["active"],
        "product_count": product_count,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
