"""The catalog's answers as models: the OpenAPI document's response schemas (views.py builds them)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from functions.runtime.money import Money
from functions.runtime.openapi.shapes import Shape, Timestamp, Uuid, shared

AttributeValue = Annotated[str | int | float | bool, shared("AttributeValue")]
SortOrder = Annotated[str, shared("SortOrder")]
ParentId = Annotated[UUID | None, Field(description="The parent category; null for a root.")]


class Image(Shape):
    url: str
    alt: str
    position: int = Field(ge=0, description="0-based, in the order the images were sent.")


class CategoryRef(Shape):
    """A category named by id, slug and name."""

    id: Uuid
    slug: str
    name: str


class Product(Shape):
    id: Uuid
    sku: str
    slug: str
    name: str
    description: str
    price: Money
    category: CategoryRef | None = Field(description="The product's category, or null when it has none.")
    attributes: dict[str, AttributeValue]
    images: list[Image]
    in_stock: bool = Field(description="Availability as inventory last reported it (false until it has).")
    active: bool = Field(description="False once deactivated (only admins still see such a product).")
    created_at: Timestamp
    updated_at: Timestamp


class CategoryFacet(Shape):
    """How many matching products are in a category (its descendants included)."""

    id: Uuid
    slug: str
    name: str
    parent_id: UUID | None
    count: int = Field(ge=1)


class ProductFacets(Shape):
    categories: list[CategoryFacet] = Field(description="Per category, most products first (then by name).")


class ProductPage(Shape):
    items: list[Product] = Field(max_length=100)
    total: int = Field(ge=0, description="How many products match (all pages).")
    page: int | None = Field(ge=1, description="The page number; null on a page reached by `cursor`.")
    page_size: int = Field(ge=1, le=100)
    facets: ProductFacets
    sort: SortOrder = Field(description="The sort applied (`newest` when `relevance` had no words to rank by).")
    next_cursor: str | None = Field(min_length=1,
                                    description="Pass as `cursor` for the next page; null on the last page.")


class CategoryNode(Shape):
    """A category in the tree, with its children nested (recursively)."""

    id: Uuid
    parent_id: ParentId
    slug: str
    name: str
    description: str
    position: int = Field(ge=0)
    active: bool = Field(description="False once deactivated: the category, and every one below it, is then "
                                     "hidden from everyone but admins.")
    product_count: int = Field(ge=0, description="Active products in this category and its descendants.")
    created_at: Timestamp
    updated_at: Timestamp
    children: list[CategoryNode]


class Category(CategoryNode):
    """One category with its subtree (`children`) and `path` from the root."""

    path: list[CategoryRef] = Field(min_length=1, description="From the root down to this category, itself included.")


class CategoryTree(Shape):
    """The whole tree as one page of root categories: `page` is 1, `total` and `page_size` are the number of roots."""

    items: list[CategoryNode]
    total: int = Field(ge=0)
    page: Literal[1]
    page_size: int = Field(ge=0)
