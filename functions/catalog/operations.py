"""The catalog's operations as the OpenAPI document shows them, one `Endpoint` per HTTP function."""

from __future__ import annotations

from functions.catalog import responses as answers
from functions.catalog.commands import (
    CreateCategory,
    CreateProduct,
    SearchProducts,
    UpdateCategory,
    UpdateProduct,
)
from functions.runtime.openapi import (
    ADMIN,
    ADMIN_ERRORS,
    ANONYMOUS,
    BODY_ERRORS,
    NO_CONTENT,
    NOT_FOUND,
    TOKEN_OPTIONAL,
    Answer,
    Endpoint,
    Operation,
    Param,
)
from functions.runtime.skus import MAX_SKU_LIST

ADMIN_WRITE = ADMIN_ERRORS | BODY_ERRORS | {409: "Conflict"}
LOCATION = {"Location": "Location"}
# Public reads are conditional: an ETag on every 200, a 304 when If-None-Match names it.
CACHEABLE = {"ETag": "ETag", "Cache-Control": {"description": "`public, max-age=5`; `private, no-cache` "
                                                            "for a caller with a token.",
                                             "schema": {"type": "string"}}}
NOT_MODIFIED = Answer("Not modified (the `If-None-Match` ETag is current); no body.", headers={"ETag": "ETag"})
REF_SCHEMA = {"type": "string", "minLength": 1}
ID_SCHEMA = {"type": "string", "format": "uuid"}
CATEGORY_REF = Param("CategoryRef", "ref", "The category's id (UUID) or slug.", REF_SCHEMA)
CATEGORY_ID = Param("CategoryId", "ref", "The category's id; anything but a UUID is 422 (field `id`).", ID_SCHEMA)
PRODUCT_REF = Param("ProductRef", "ref", "The product's id (UUID), slug or SKU.", REF_SCHEMA)
PRODUCT_ID = Param("ProductId", "ref", "The product's id; anything but a UUID is 422 (field `id`).", ID_SCHEMA)

CATEGORIES = Endpoint("/api/categories", {
    "GET": Operation(
        "getCategoryTree", "categories", "The category tree", (
            "Every category, roots first, each with its `children` nested (ordered by `position`, "
            "then `name`) and `product_count`: active products in it and in its descendants. The "
            "whole tree is one page: `page` is 1, `total` and `page_size` are the number of roots. "
            "A deactivated category and everything below it are left out, except for admins."
        ), ANONYMOUS, {200: Answer("The tree.", answers.CategoryTree, CACHEABLE), 304: NOT_MODIFIED}),
    "POST": Operation(
        "createCategory", "categories", "Create a category (admin)", (
            "Needs role `admin`. The slug is derived from the name unless given. 409 when the slug "
            "is taken; 422 when `parent_id` names no category."
        ), ADMIN, {201: Answer("Created; the body is the category as `GET /api/categories/{ref}` shows it.",
                               answers.Category, LOCATION)},
        ADMIN_WRITE, body=CreateCategory),
})

CATEGORY = Endpoint("/api/categories/{ref}", {
    "GET": Operation(
        "getCategory", "categories", "One category with its subtree and path", (
            "The category by id or slug, with its `children` (the whole subtree) and `path`: the "
            "chain of categories from the root down to this one, itself included. 404 for a "
            "deactivated category, or one below it, except to admins."
        ), ANONYMOUS, {200: Answer("The category.", answers.Category, CACHEABLE), 304: NOT_MODIFIED},
        NOT_FOUND, params=(CATEGORY_REF,)),
    "PATCH": Operation(
        "updateCategory", "categories", "Rename, re-slug, move, reorder or deactivate a category (admin)", (
            "Needs role `admin`; the category is named by id. Fields left out stay as they are; "
            "only `parent_id` may be null (it makes the category a root). A category cannot move "
            "below itself (422). 409 when the slug is taken. `active: false` hides the category and "
            "everything below it from the storefront (the tree, its page, the search's `category` "
            "filter and facets); its products stay for sale and are found by search. `active: true` "
            "shows it again."
        ), ADMIN, {200: Answer("The updated category.", answers.Category)},
        ADMIN_WRITE | NOT_FOUND, body=UpdateCategory, params=(CATEGORY_ID,)),
    "DELETE": Operation(
        "deleteCategory", "categories", "Delete an empty category (admin)", (
            "Needs role `admin`; the category is named by id. 409 while products or subcategories "
            "still belong to it."
        ), ADMIN, {204: NO_CONTENT}, ADMIN_ERRORS | NOT_FOUND | {409: "Conflict"}, params=(CATEGORY_ID,)),
})

PRODUCTS = Endpoint("/api/products", {
    "GET": Operation(
        "searchProducts", "products", "Search products", (
            "Full-text search (ranked; every word matches as a prefix, up to 12 words) with filters, "
            "a sort, and either page numbers or a cursor. `facets.categories` counts the matching "
            "products per category (descendants included) across all categories, ignoring the "
            "`category` filter. Only active products, and only the categories the caller sees, unless "
            "an admin asks for `status`. Unknown or repeated query parameters are refused (422)."
        ), ANONYMOUS, {200: Answer("One page of matching products.", answers.ProductPage, CACHEABLE),
                       304: NOT_MODIFIED},
        {403: "Forbidden", 422: "ValidationFailed"}, query=SearchProducts, query_help={
            "q": "Search words; each matches as a prefix (`mug` finds \"mugs\"), all must match.",
            "category": "A category id or slug: only its products and its descendants'. An unknown "
                        "category (or one hidden from the caller) gives an empty page, not 404.",
            "status": "`active` (the default), `inactive` (deactivated products only) or `any`; other "
                      "than `active` needs role `admin` (403).",
            "min_price": "Lowest price, in minor units.",
            "max_price": "Highest price, in minor units; not below `min_price` (422).",
            "in_stock": "`true`: only products in stock; `false`: only those out of stock.",
            "sku": f"Only these SKUs: a comma-separated list of at most {MAX_SKU_LIST} (`ELE-AUD-0001,SPO-CMP-0002`). "
                   "SKUs no product has are left out, as are deactivated ones unless `status` says otherwise.",
            "sort": "`relevance` (best match first; needs search words), `price` (lowest first), `-price` "
                    "(highest first), `newest` (latest created first) or `name`. Default: `relevance` "
                    "when `q` has words, `newest` otherwise. Ties break on id.",
            "page": "The page number (default 1). Give either `page` or `cursor`, not both (422).",
            "page_size": "Products per page.",
            "cursor": "The `next_cursor` of the previous page: continues after its last product, stable "
                      "under inserts. Only valid with the same `sort` it was made for (422 otherwise).",
        }),
    "POST": Operation(
        "createProduct", "products", "Create a product (admin)", (
            "Needs role `admin`. The slug is derived from the name (numbered when taken: `-2`, "
            "`-3`...) unless given. 409 when the SKU or a given slug is taken; 422 when "
            "`category_id` names no category. Images get positions in the order sent."
        ), ADMIN, {201: Answer("Created.", answers.Product, LOCATION)}, ADMIN_WRITE, body=CreateProduct),
})

PRODUCT = Endpoint("/api/products/{ref}", {
    "GET": Operation(
        "getProduct", "products", "One product", (
            "The product by id, slug or SKU, with its images and availability. Inactive (deleted) "
            "products are 404, except for a caller with role `admin`. A token is optional here: a "
            "missing, invalid or expired one means an anonymous caller, never an error."
        ), TOKEN_OPTIONAL, {200: Answer("The product.", answers.Product, CACHEABLE), 304: NOT_MODIFIED},
        NOT_FOUND, params=(PRODUCT_REF,)),
    "PATCH": Operation(
        "updateProduct", "products", "Change a product (admin)", (
            "Needs role `admin`; the product is named by id. Fields left out stay as they are; only "
            "`category_id` may be null. `images` replaces the whole list. The SKU cannot change "
            "(422 `unknown field`). 409 when the slug is taken."
        ), ADMIN, {200: Answer("The updated product.", answers.Product)},
        ADMIN_WRITE | NOT_FOUND, body=UpdateProduct, params=(PRODUCT_ID,)),
    "DELETE": Operation(
        "deactivateProduct", "products", "Deactivate a product (admin)", (
            "Needs role `admin`; the product is named by id. The product leaves the storefront "
            "(search, public reads) but is kept for order history. Repeating it is harmless (204)."
        ), ADMIN, {204: NO_CONTENT}, ADMIN_ERRORS | NOT_FOUND, params=(PRODUCT_ID,)),
})


def _header(description: str, **schema: str) -> dict[str, object]:
    return {"description": description, "required": True, "schema": {"type": "string", **schema}}


MEDIA = Endpoint("/media/catalog/{file}", {
    "GET": Operation(
        "getCatalogImage", "media", "A product image shipped with the catalog", (
            "An SVG image of the demo catalog, cacheable for a day, with an `ETag` (send it back in "
            "`If-None-Match` for a 304) and a Content-Security-Policy that forbids active content. "
            "Any other name is 404."
        ), ANONYMOUS, {
            200: Answer("The image.", headers={
                "ETag": "ETag",
                "Cache-Control": _header("`public, max-age=86400`."),
                "Content-Security-Policy": _header("`default-src 'none'; style-src 'unsafe-inline'`."),
                "X-Content-Type-Options": _header("`nosniff`.", const="nosniff"),
            }, media="image/svg+xml", schema={"type": "string"}),
            304: Answer("Not modified (the `If-None-Match` ETag is current); no body.", headers={"ETag": "ETag"}),
        }, NOT_FOUND, params=(
            Param("ImageFile", "file", "The image's file name.",
                  {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*\.svg$"}, example="camping-1.svg"),
            Param("IfNoneMatch", "If-None-Match", "An `ETag` from an earlier answer.", {"type": "string"},
                  where="header"),
        )),
})
