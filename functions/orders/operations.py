"""The orders' operations as the OpenAPI document shows them, one `Endpoint` per HTTP function."""

from __future__ import annotations

from functions.orders import responses as answers
from functions.orders.commands import (
    AddCartItem,
    ListOwnOrders,
    PlaceOrder,
    SearchOrders,
    SetCartItemQuantity,
)
from functions.runtime.openapi import (
    ADMIN,
    ADMIN_ERRORS,
    BODY_ERRORS,
    IDEMPOTENCY_KEY,
    NOT_FOUND,
    REPLAYED,
    SIGNED_IN,
    Answer,
    Endpoint,
    Operation,
    Param,
)

ERRORS = {401: "Unauthorized", 503: "ServiceUnavailable"}  # 503: catalog or accounts did not answer in time
ID_SCHEMA = {"type": "string", "format": "uuid"}
ORDER_ID = Param("OrderId", "id", "The order's id; anything but a UUID is 422 (field `id`).", ID_SCHEMA)
CART_SKU = Param("CartSku", "sku", "The SKU of a line in the cart; anything else is 422 (field `sku`).",
                 {"type": "string", "pattern": r"^[A-Z0-9][A-Z0-9._-]{0,63}$"})
CANCEL_CONFLICT = {409: ("Conflict", "The order's status does not allow this change (`conflict`, field `status`).")}

CART = Endpoint("/api/cart", {"GET": Operation(
    "getCart", "cart", "The caller's cart", (
        "Any signed-in user; only their own cart (an empty one until something is added). Each "
        "line shows the catalog's current price; while catalog is down, the price it had when the "
        "line was last added to."
    ), SIGNED_IN, {200: Answer("The cart.", answers.Cart)}, ERRORS)})

CART_ITEMS = Endpoint("/api/cart/items", {"POST": Operation(
    "addCartItem", "cart", "Put a product in the cart", (
        "Any signed-in user. Adds `quantity` (1 to 99, default 1) of the SKU; a SKU already in the "
        "cart gets the quantities added, never beyond 99 (422 naming `quantity`). The catalog is "
        "asked for the product's name and current price: a SKU it does not sell (unknown or "
        "deactivated) is 422 naming `sku`; catalog not answering in time is 503. A cart holds at "
        "most 50 different SKUs, all in one currency (409 naming `sku`)."
    ), SIGNED_IN, {201: Answer("Added; the body is the whole cart.", answers.Cart, {"Location": "Location"})},
    ERRORS | BODY_ERRORS | {409: "Conflict"}, body=AddCartItem)})

CART_ITEM = Endpoint("/api/cart/items/{sku}", {
    "PATCH": Operation(
        "setCartItemQuantity", "cart", "Change a line's quantity",
        "Any signed-in user. Sets the quantity (1 to 99) of a SKU in their cart; 404 when it is not in it.",
        SIGNED_IN, {200: Answer("The whole cart.", answers.Cart)}, ERRORS | BODY_ERRORS | NOT_FOUND,
        body=SetCartItemQuantity, params=(CART_SKU,)),
    "DELETE": Operation(
        "removeCartItem", "cart", "Take a line out of the cart",
        "Any signed-in user; 404 when the SKU is not in their cart.",
        SIGNED_IN, {200: Answer("The whole cart.", answers.Cart)}, ERRORS | NOT_FOUND, params=(CART_SKU,)),
})

ORDERS = Endpoint("/api/orders", {
    "GET": Operation(
        "listMyOrders", "orders", "The caller's orders",
        "Any signed-in user; only their own orders, newest first, optionally of one `status`.",
        SIGNED_IN, {200: Answer("A page of orders.", answers.OrderPage)}, ERRORS | {422: "ValidationFailed"},
        query=ListOwnOrders),
    "POST": Operation(
        "placeOrder", "orders", "Place an order from the cart", (
            "Any signed-in user. Turns their cart into an order `pending`: each line priced by the "
            "catalog now (its name and unit price are kept with the order), shipped to "
            "`shipping_address_id` or else to their default address (a copy is kept; later edits do "
            "not change it), with the subtotal, a flat shipping fee (nothing from the free-shipping "
            "threshold up) and tax. The cart is emptied and `com.ecom.orders.order.placed` emitted: "
            "inventory then reserves the stock and the order moves to `awaiting_payment`, or to "
            "`cancelled` (`out_of_stock`). 409 for an empty cart or a line no longer for sale; 422 "
            "naming `shipping_address_id` when it names none of the caller's addresses or there is "
            "no default one; 503 when catalog or accounts did not answer (nothing is placed: send "
            "the same key again)."
        ), SIGNED_IN, {201: Answer("Placed (or the replayed answer to the same key).", answers.Order, REPLAYED)},
        ERRORS | BODY_ERRORS | {409: "Conflict"}, body=PlaceOrder, params=(IDEMPOTENCY_KEY,)),
})

ORDER = Endpoint("/api/orders/{id}", {"GET": Operation(
    "getMyOrder", "orders", "One of the caller's orders", (
        "Any signed-in user. The order with its lines, shipping address and status timeline. "
        "Another user's order is 404, like one that does not exist."
    ), SIGNED_IN, {200: Answer("The order.", answers.Order)}, ERRORS | NOT_FOUND, params=(ORDER_ID,))})

ORDER_CANCEL = Endpoint("/api/orders/{id}/cancel", {"POST": Operation(
    "cancelMyOrder", "orders", "Cancel one of the caller's orders", (
        "Any signed-in user, for their own order while it is `pending` or `awaiting_payment` (409 "
        "otherwise; another user's order is 404). The reserved stock is released. No body."
    ), SIGNED_IN, {200: Answer("The cancelled order.", answers.Order)}, ERRORS | NOT_FOUND | CANCEL_CONFLICT,
    params=(ORDER_ID,))})

ADMIN_ORDERS = Endpoint("/api/admin/orders", {"GET": Operation(
    "searchOrders", "orders", "Every order (admin)", (
        "Needs role `admin`. Newest first, filtered by `status`, `customer` (a user id) and the "
        "time placed (`placed_from` inclusive, `placed_to` exclusive, ISO 8601 with an offset)."
    ), ADMIN, {200: Answer("A page of orders.", answers.OrderPage)}, ADMIN_ERRORS | {422: "ValidationFailed"},
    query=SearchOrders)})

ADMIN_ORDER = Endpoint("/api/admin/orders/{id}", {"GET": Operation(
    "getOrder", "orders", "Any order (admin)", "Needs role `admin`. The order with its lines and timeline.",
    ADMIN, {200: Answer("The order.", answers.Order)}, ADMIN_ERRORS | NOT_FOUND, params=(ORDER_ID,))})

ADMIN_ORDER_SHIP = Endpoint("/api/admin/orders/{id}/ship", {"POST": Operation(
    "shipOrder", "orders", "Mark an order shipped (admin)", (
        "Needs role `admin`. A `confirmed` order becomes `shipped` (409 from any other status); "
        "emits `com.ecom.orders.order.shipped`. Recorded in the audit trail. No body."
    ), ADMIN, {200: Answer("The shipped order.", answers.Order)}, ADMIN_ERRORS | NOT_FOUND | CANCEL_CONFLICT,
    params=(ORDER_ID,))})

ADMIN_ORDER_CANCEL = Endpoint("/api/admin/orders/{id}/cancel", {"POST": Operation(
    "cancelOrder", "orders", "Cancel an order (admin)", (
        "Needs role `admin`. An order `pending` or `awaiting_payment` becomes `cancelled` (reason "
        "`admin`; 409 from any other status); its stock is released. Recorded in the audit trail."
    ), ADMIN, {200: Answer("The cancelled order.", answers.Order)}, ADMIN_ERRORS | NOT_FOUND | CANCEL_CONFLICT,
    params=(ORDER_ID,))})
