"""Load the demo catalog from seed/catalog.json, idempotently (ids derive from slugs and SKUs)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert

from functions.catalog.model import slugify
from functions.catalog.tables import availability, categories, product_images, products

SEED_FILE = Path(__file__).resolve().parents[1] / "seed" / "catalog.json"
_NAMESPACE = uuid.UUID("6f1c2f3e-8a8e-4d59-9a0e-2f6f0c9e7b11")
_FIRST_LISTED = datetime(2026, 8, 1, tzinfo=timezone.utc)


def seed_id(kind: str, key: str) -> uuid.UUID:
    """Return the stable id of a seeded record, so re-seeding updates instead of duplicating."""
    return uuid.uuid5(_NAMESPACE, f"{kind}:{key}")


def load_seed(path: Path = SEED_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def is_empty(conn: Connection) -> bool:
    return conn.scalar(select(func.count()).select_from(products)) == 0


def _upsert(conn: Connection, table: Any, rows: list[dict[str, Any]], key: str) -> None:
    if not rows:
        return
    stmt = upsert(table).values(rows)
    keep = {"id", key, "created_at"}
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[key],
        set_={col: stmt.excluded[col] for col in rows[0] if col not in keep} | {"updated_at": func.now()}))


def seed_catalog(conn: Connection, data: dict[str, Any]) -> int:
    """Upsert the categories and products of `data`; return the number of products."""
    category_ids = {c["slug"]: seed_id("category", c["slug"]) for c in data["categories"]}
    _upsert(conn, categories, [{
        "id": category_ids[c["slug"]], "slug": c["slug"], "name": c["name"],
        "description": c.get("description", ""), "position": c.get("position", 0),
        "parent_id": category_ids[c["parent"]] if c.get("parent") else None,
    } for c in data["categories"]], "slug")

    rows, images, stock = [], [], []
    for index, p in enumerate(data["products"]):
        product_id = seed_id("product", p["sku"])
        rows.append({
            "id": product_id, "sku": p["sku"], "slug": p.get("slug") or slugify(p["name"]),
            "name": p["name"], "description": p["description"],
            "price_minor": p["price"]["amount_minor"], "currency": p["price"]["currency"],
            "category_id": category_ids[p["category"]], "attributes": p.get("attributes", {}),
            "active": p.get("active", True),
            "created_at": _FIRST_LISTED + timedelta(hours=7 * index),  # "newest" means something
        })
        images += [{"product_id": product_id, "position": i, "url": img["url"], "alt": img["alt"]}
                   for i, img in enumerate(p.get("images", []))]
        stock.append({"sku": p["sku"], "in_stock": p.get("in_stock", True)})
    _upsert(conn, products, rows, "sku")
    ids = [row["id"] for row in rows]
    conn.execute(delete(product_images).where(product_images.c.product_id.in_(ids)))
    if images:
        conn.execute(insert(product_images), images)
    _upsert(conn, availability, stock, "sku")
    return len(rows)
