"""The API's shapes of account resources, built from database rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def user_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return a user as the API shows it (never the password hash)."""
    return {
        "id": row["id"],
        "email": row["email"],
        "name": row["name"],
        "role": row["role"],
        "active": row["active"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


ADDRESS_FIELDS = ("id", "name", "line1", "line2", "city", "region", "postal_code", "country",
                  "phone", "is_default", "created_at", "updated_at")


def address_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {field: row[field] for field in ADDRESS_FIELDS}
