"""The catalog's HTTP functions, one per route: parse, call the use case, shape the answer."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from flask import Request, Response

from functions.runtime.web import (
    created_response,
    http_function,
    id_from_path,
    json_response,
    no_content,
    path_ref,
    public_json_response,
)

if TYPE_CHECKING:
    from functions.runtime.db import UnitOfWork

# The use cases (SQLAlchemy), the commands (pydantic) and the token check (jwt) are imported by
# the functions that use them, on their first request: each Knative Service runs one target, so
# none pays at start-up for the others' modules (bench/cold_start.py). A repeated import is a
# dictionary lookup in sys.modules. Their OpenAPI declarations (operations.py, pydantic models) are
# read by the document's builder only: a function that parses no body never imports pydantic.

def _admin_work(request: Request) -> AbstractContextManager[UnitOfWork]:
    """Check the caller is an admin, then return a unit of work that audits as them."""
    from functions.runtime.auth import require_admin
    from functions.runtime.db import unit_of_work

    return unit_of_work(actor=require_admin(request).sub)


def _caller_role(request: Request) -> str | None:
    from functions.runtime.auth import optional_claims

    claims = optional_claims(request)
    return claims.role if claims is not None else None


@http_function("/api/categories", methods=("GET", "POST"))
def categories(request: Request) -> Response:
    """GET: the category tree. POST: create a category (admin)."""
    from functions.catalog import categories as category_cases
    from functions.runtime.db import read_only

    if request.method == "POST":
        from functions.catalog.commands import CreateCategory
        from functions.runtime.validation import parse_body

        work = _admin_work(request)
        command = parse_body(request, CreateCategory)
        with work as uow:
            created = category_cases.create_category(uow, command)
        return created_response(created, f"/api/categories/{created['id']}")
    role = _caller_role(request)
    with read_only() as conn:
        tree = category_cases.category_tree(conn, role)
    from functions.runtime.paging import envelope

    return public_json_response(request, envelope(tree, len(tree), 1, len(tree)))


@http_function("/api/categories/{ref}", methods=("GET", "PATCH", "DELETE"))
def category(request: Request) -> Response:
    """GET a category by id or slug; PATCH or DELETE it by id (admin)."""
    from functions.catalog import categories as category_cases
    from functions.runtime.db import read_only

    if request.method == "GET":
        role = _caller_role(request)
        with read_only() as conn:
            found = category_cases.get_category(conn, path_ref(request), role)
        return public_json_response(request, found)
    work = _admin_work(request)
    category_id = id_from_path(request, "category")
    if request.method == "DELETE":
        with work as uow:
            category_cases.delete_category(uow, category_id)
        return no_content()
    from functions.catalog.commands import UpdateCategory
    from functions.runtime.validation import parse_body

    command = parse_body(request, UpdateCategory)
    with work as uow:
        return json_response(category_cases.update_category(uow, category_id, command))


@http_function("/api/products", methods=("GET", "POST"))
def products(request: Request) -> Response:
    """GET: search products. POST: create a product (admin)."""
    from functions.runtime.validation import parse_body, parse_query

    if request.method == "POST":
        from functions.catalog import products as product_cases
        from functions.catalog.commands import CreateProduct

        work = _admin_work(request)
        command = parse_body(request, CreateProduct)
        with work as uow:
            created = product_cases.create_product(uow, command)
        return created_response(created, f"/api/products/{created['id']}")
    from functions.catalog.commands import SearchProducts
    from functions.catalog.search import search_products
    from functions.runtime.db import read_only

    query = parse_query(request, SearchProducts)
    role = _caller_role(request)
    with read_only() as conn:
        found = search_products(conn, query, role)
    return public_json_response(request, found)


@http_function("/api/products/{ref}", methods=("GET", "PATCH", "DELETE"))
def product(request: Request) -> Response:
    """GET a product by id, slug or SKU; PATCH or DELETE (deactivate) it by id (admin)."""
    from functions.catalog import model
    from functions.catalog import products as product_cases
    from functions.runtime.db import read_only

    if request.method == "GET":
        shown = model.sees_inactive(_caller_role(request))
        with read_only() as conn:
            found = product_cases.get_product(conn, path_ref(request), include_inactive=shown)
        return public_json_response(request, found)
    work = _admin_work(request)
    product_id = id_from_path(request, "product")
    if request.method == "DELETE":
        with work as uow:
            product_cases.deactivate_product(uow, product_id)
        return no_content()
    from functions.catalog.commands import UpdateProduct
    from functions.runtime.validation import parse_body

    command = parse_body(request, UpdateProduct)
    with work as uow:
        return json_response(product_cases.update_product(uow, product_id, command))


@http_function("/media/catalog/{file}", methods=("GET",))
def media(request: Request) -> Response:
    """Serve a product image shipped with the catalog (SVG, cacheable, no active content)."""
    from functions.catalog.adapters.media import read_image
    from functions.runtime.exceptions import NotFound

    name = path_ref(request, "file")
    image = read_image(name)
    if image is None:
        raise NotFound("Image", name)
    body, etag = image
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    return Response(body, mimetype="image/svg+xml", headers={
        "ETag": f'"{etag}"',
        "Cache-Control": "public, max-age=86400",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
    })
