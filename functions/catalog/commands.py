"""Commands: what a caller may ask of the catalog, validated field by field (pydantic)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from functions.catalog.model import SLUG_PATTERN, SORTS
from functions.runtime.commands import Command, Patch, Sku
from functions.runtime.money import MAX_AMOUNT_MINOR, Money
from functions.runtime.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from functions.runtime.skus import SKU_LIST_MAX_LENGTH, SKU_LIST_PATTERN

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
Description = Annotated[str, StringConstraints(max_length=5000)]
Url = Annotated[str, StringConstraints(pattern=r"^(/|https?://)\S+$", max_length=2048)]
AttributeValue = str | int | float | bool
MAX_IMAGES = 20


class Image(Command):
    url: Url
    alt: Annotated[str, StringConstraints(max_length=300)] = ""


def _check_attributes(value: dict[str, AttributeValue] | None) -> dict[str, AttributeValue] | None:
    if value is not None and (len(value) > 40 or any(len(k) > 60 or not k for k in value)):
        raise ValueError("at most 40 attributes, names 1 to 60 characters")
    return value


class CreateProduct(Command):
    sku: Sku
    name: Name
    slug: Slug | None = None
    description: Description = ""
    price: Money
    category_id: UUID | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    images: list[Image] = Field(default_factory=list, max_length=MAX_IMAGES)
    active: bool = True

    _attributes = field_validator("attributes")(_check_attributes)


class UpdateProduct(Patch):
    nullable = frozenset({"category_id"})

    name: Name | None = None
    slug: Slug | None = None
    description: Description | None = None
    price: Money | None = None
    category_id: UUID | None = None
    attributes: dict[str, AttributeValue] | None = None
    images: list[Image] | None = Field(default=None, max_length=MAX_IMAGES)
    active: bool | None = None

    _attributes = field_validator("attributes")(_check_attributes)


class CreateCategory(Command):
    name: Name
    slug: Slug | None = None
    description: Description = ""
    parent_id: UUID | None = None
    position: int = Field(default=0, ge=0, le=10_000)


class UpdateCategory(Patch):
    nullable = frozenset({"parent_id"})

    name: Name | None = None
    slug: Slug | None = None
    description: Description | None = None
    parent_id: UUID | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    active: bool | None = None  # false hides it (and what is below it) from the storefront


class SearchProducts(Command):
    """The query string of GET /api/products."""

    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    category: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None
    min_price: int | None = Field(default=None, ge=0, le=MAX_AMOUNT_MINOR)
    max_price: int | None = Field(default=None, ge=0, le=MAX_AMOUNT_MINOR)
    in_stock: bool | None = None
    # Only these SKUs (comma-separated): another domain pricing a cart asks once for all its lines.
    sku: Annotated[str, StringConstraints(pattern=SKU_LIST_PATTERN, max_length=SKU_LIST_MAX_LENGTH)] | None = None
    sort: Literal[SORTS] | None = None  # type: ignore[valid-type]
    status: Literal["active", "inactive", "any"] = "active"  # other than active: admins only
    page: int | None = Field(default=None, ge=1, le=10_000)
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None

    @field_validator("max_price")
    @classmethod
    def _not_below_min(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min_price")
        if value is not None and low is not None and value < low:
            raise ValueError("must not be below min_price")
        return value

    @field_validator("cursor")
    @classmethod
    def _not_with_page(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("page") is not None:
            raise ValueError("give either page or cursor, not both")
        return value

    @property
    def skus(self) -> list[str] | None:
        """The `sku` filter's SKUs, each once; None without the filter."""
        return list(dict.fromkeys(self.sku.split(","))) if self.sku is not None else None

    @property
    def effective_sort(self) -> str:
        """Relevance when there is a query, newest first otherwise, unless the caller chose."""
        return self.sort or ("relevance" if self.q and self.q.strip() else "newest")
