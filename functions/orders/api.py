"""The orders' HTTP functions, one per route: parse, call the use case, shape the answer."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from flask import Request, Response

from functions.runtime.auth import signed_in_user
from functions.runtime.web import created_response, http_function, id_from_path, json_response, path_ref

if TYPE_CHECKING:
    from functions.runtime.db import UnitOfWork

# The use cases (SQLAlchemy, the inter-function client) and the commands (pydantic) are imported
# by the functions that use them, on first use: each Knative Service runs one target.


def _work(actor: str) -> AbstractContextManager[UnitOfWork]:
    from functions.runtime.db import unit_of_work

    return unit_of_work(actor=actor)



def _sku(request: Request) -> str:
    from functions.runtime.errors import invalid_field
    from functions.runtime.skus import is_sku

    sku = path_ref(request, "sku")
    if not is_sku(sku):
        raise invalid_field("sku", "is not a SKU (upper case letters, digits, '.', '_', '-')")
    return sku


@http_function("/api/cart", methods=("GET",))
def cart(request: Request) -> Response:
    """GET the caller's cart."""
    from functions.orders import carts
    from functions.runtime.db import read_only

    _, user_id = signed_in_user(request)
    with read_only() as conn:
        return json_response(carts.get_cart(conn, user_id))


@http_function("/api/cart/items", methods=("POST",))
def cart_items(request: Request) -> Response:
    """POST a product into the caller's cart."""
    from functions.orders import carts
    from functions.orders.commands import AddCartItem
    from functions.runtime.validation import parse_body

    claims, user_id = signed_in_user(request)
    command = parse_body(request, AddCartItem)
    with _work(claims.sub) as uow:
        return created_response(carts.add_item(uow, user_id, command), f"/api/cart/items/{command.sku}")


@http_function("/api/cart/items/{sku}", methods=("PATCH", "DELETE"))
def cart_item(request: Request) -> Response:
    """PATCH a cart line's quantity, or DELETE the line."""
    from functions.orders import carts

    claims, user_id = signed_in_user(request)
    sku = _sku(request)
    if request.method == "DELETE":
        with _work(claims.sub) as uow:
            return json_response(carts.remove_item(uow, user_id, sku))
    from functions.orders.commands import SetCartItemQuantity
    from functions.runtime.validation import parse_body

    command = parse_body(request, SetCartItemQuantity)
    with _work(claims.sub) as uow:
        return json_response(carts.set_quantity(uow, user_id, sku, command.quantity))


@http_function("/api/orders", methods=("GET", "POST"))
def orders(request: Request) -> Response:
    """GET the caller's orders; POST places one from the cart (Idempotency-Key required)."""
    claims, user_id = signed_in_user(request)
    if request.method == "GET":
        from functions.orders import queries
        from functions.orders.commands import ListOwnOrders
        from functions.runtime.db import read_only
        from functions.runtime.validation import parse_query

        query = parse_query(request, ListOwnOrders)
        with read_only() as conn:
            return json_response(queries.own_orders(conn, user_id, query))
    from functions.orders import checkout
    from functions.orders.commands import PlaceOrder
    from functions.runtime import idempotency
    from functions.runtime.validation import parse_body

    key = idempotency.request_key(request)
    command = parse_body(request, PlaceOrder) if request.get_data(cache=True) else PlaceOrder()
    with _work(claims.sub) as uow:
        answer, replayed = checkout.place_order(uow, user_id, command, key, request.headers["Authorization"])
    headers = {"Location": answer.location} if answer.location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return json_response(answer.body, answer.status, headers)


@http_function("/api/orders/{id}", methods=("GET",))
def order(request: Request) -> Response:
    """GET one of the caller's orders with its timeline."""
    from functions.orders import queries
    from functions.runtime.db import read_only

    _, user_id = signed_in_user(request)
    order_id = id_from_path(request, "order")
    with read_only() as conn:
        return json_response(queries.order_detail(conn, order_id, owner=user_id))


@http_function("/api/orders/{id}/cancel", methods=("POST",))
def order_cancel(request: Request) -> Response:
    """POST: the caller cancels their own order before it is paid."""
    from functions.orders import model, queries, status

    claims, user_id = signed_in_user(request)
    order_id = id_from_path(request, "order", segment=-2)
    with _work(claims.sub) as uow:
        status.change_status(uow, order_id, model.CANCELLED, actor=claims.sub, reason="customer", owner=user_id)
        answer = queries.order_detail(uow.conn, order_id)
        uow.commit()
    return json_response(answer)


@http_function("/api/admin/orders", methods=("GET",))
def admin_orders(request: Request) -> Response:
    """Search every order (admin)."""
    from functions.orders import queries
    from functions.orders.commands import SearchOrders
    from functions.runtime.auth import require_admin
    from functions.runtime.db import read_only
    from functions.runtime.validation import parse_query

    require_admin(request)
    query = parse_query(request, SearchOrders)
    with read_only() as conn:
        return json_response(queries.search_orders(conn, query))


@http_function("/api/admin/orders/{id}", methods=("GET",))
def admin_order(request: Request) -> Response:
    """GET any order (admin)."""
    from functions.orders import queries
    from functions.runtime.auth import require_admin
    from functions.runtime.db import read_only

    require_admin(request)
    order_id = id_from_path(request, "order")
    with read_only() as conn:
        return json_response(queries.order_detail(conn, order_id))


def _admin_change(request: Request, target: str, action: str, reason: str | None = None) -> Response:
    from functions.orders import queries, status
    from functions.runtime.auth import require_admin

    admin = require_admin(request)
    order_id = id_from_path(request, "order", segment=-2)
    with _work(admin.sub) as uow:
        status.change_status(uow, order_id, target, actor=admin.sub, reason=reason)
        uow.audit(action, order_id, {"status": target, "reason": reason})
        answer = queries.order_detail(uow.conn, order_id)
        uow.commit()
    return json_response(answer)


@http_function("/api/admin/orders/{id}/ship", methods=("POST",))
def admin_order_ship(request: Request) -> Response:
    """POST: an admin marks a confirmed order shipped."""
    from functions.orders import model

    return _admin_change(request, model.SHIPPED, "order.ship")


@http_function("/api/admin/orders/{id}/cancel", methods=("POST",))
def admin_order_cancel(request: Request) -> Response:
    """POST: an admin cancels an order that is not paid yet."""
    from functions.orders import model

    return _admin_change(request, model.CANCELLED, "order.cancel", reason="admin")
