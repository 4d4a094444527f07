"""The accounts' answers as models: the OpenAPI document's response schemas (views.py builds them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from functions.accounts.model import MAX_ADDRESSES
from functions.runtime.openapi.shapes import Shape, Timestamp, Uuid, shared

Role = Annotated[str, shared("Role")]



class User(Shape):
    """An account as the API shows it (never its password)."""

    id: Uuid
    email: str = Field(json_schema_extra={"format": "email"}, description="Trimmed and lowercased.")
    name: str
    role: Role
    active: bool = Field(description="False once an admin deactivated the account.")
    created_at: Timestamp
    updated_at: Timestamp


class UserPage(Shape):
    items: list[User] = Field(max_length=100)
    total: int = Field(ge=0, description="How many accounts match (all pages).")
    page: int = Field(ge=1, le=10_000)
    page_size: int = Field(ge=1, le=100)


class Address(Shape):
    id: Uuid
    name: str = Field(description="The recipient.")
    line1: str
    line2: str = Field(description="Empty when not given.")
    city: str
    region: str = Field(description="Empty when not given.")
    postal_code: str
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    phone: str = Field(description="Empty when not given.")
    is_default: bool
    created_at: Timestamp
    updated_at: Timestamp


class AddressList(Shape):
    """The whole address book as one page: `page` is 1, `page_size` 20 (the most a book holds), `total`
    the number of addresses."""

    items: list[Address] = Field(max_length=MAX_ADDRESSES)
    total: int = Field(ge=0, le=MAX_ADDRESSES)
    page: Literal[1]
    page_size: Literal[20]


class TokenPair(Shape):
    """The OAuth 2.0-style token answer (RFC 6749 §5.1)."""

    access_token: str = Field(pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
                              description="The access JWT, to send as `Authorization: Bearer <access_token>`.")
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=1, description="Seconds the access token is valid for (900 by default).")
    refresh_token: str = Field(pattern=r"^[A-Za-z0-9_-]+$", min_length=20, max_length=200, description=(
        "Opaque (256 random bits, URL-safe); valid once, for 30 days by default. Keep it secret: send it "
        "to `POST /api/auth/refresh` for a new pair, or to `POST /api/auth/logout`."))
