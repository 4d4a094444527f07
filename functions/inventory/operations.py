"""The inventory's operations as the OpenAPI document shows them, one `Endpoint` per HTTP function."""

from __future__ import annotations

from functions.inventory import responses as answers
from functions.inventory.commands import (
    AdjustStock,
    CreateWarehouse,
    ListMovements,
    ListStock,
    ListWarehouses,
    ReceiveStock,
    UpdateWarehouse,
)
from functions.runtime.openapi import (
    ADMIN,
    ADMIN_ERRORS,
    ANONYMOUS,
    BODY_ERRORS,
    NOT_FOUND,
    Answer,
    Endpoint,
    Operation,
    Param,
)
from functions.runtime.skus import SKU_PATTERN

ADMIN_WRITE = ADMIN_ERRORS | BODY_ERRORS | {409: "Conflict"}
ADMIN_READ = ADMIN_ERRORS | {422: "ValidationFailed"}
PAGES = {"page": "The page number.", "page_size": "Rows per page."}
WAREHOUSE_ID = Param("WarehouseId", "id", "The warehouse's id; anything but a UUID is 422 (field `id`).",
                     {"type": "string", "format": "uuid"})
SKU = Param("Sku", "sku", "The SKU (upper case letters, digits, `.`, `_`, `-`).",
            {"type": "string", "pattern": SKU_PATTERN}, example="ELE-AUD-0009")

WAREHOUSES = Endpoint("/api/admin/warehouses", {
    "GET": Operation(
        "listWarehouses", "inventory", "List warehouses (admin)",
        "Needs role `admin`. Every warehouse, by code; `active` filters.",
        ADMIN, {200: Answer("One page of warehouses.", answers.WarehousePage)}, ADMIN_READ,
        query=ListWarehouses,
        query_help={"active": "`true`: only active ones; `false`: only inactive.", **PAGES}),
    "POST": Operation(
        "createWarehouse", "inventory", "Create a warehouse (admin)",
        "Needs role `admin`. 409 when the code is taken. Audited.",
        ADMIN, {201: Answer("Created.", answers.Warehouse, {"Location": "Location"})}, ADMIN_WRITE,
        body=CreateWarehouse),
})

WAREHOUSE = Endpoint("/api/admin/warehouses/{id}", {"PATCH": Operation(
    "updateWarehouse", "inventory", "Rename or (de)activate a warehouse (admin)", (
        "Needs role `admin`. Fields left out stay as they are; none may be null; the code cannot "
        "change. Deactivating takes the warehouse's stock out of what is available (its SKUs get "
        "a `stock.changed` event); reservations already held there stay held. Audited."
    ), ADMIN, {200: Answer("The updated warehouse.", answers.Warehouse)}, ADMIN_WRITE | NOT_FOUND,
    body=UpdateWarehouse, params=(WAREHOUSE_ID,))})

AVAILABILITY = Endpoint("/api/inventory/{sku}", {"GET": Operation(
    "getAvailability", "inventory", "How many units of a SKU can be bought", (
        "Anyone. The units on hand minus those reserved, summed over the active warehouses, "
        "never negative; a SKU no warehouse holds is 0, not 404. A 404 is only a path that names "
        "no SKU at all, such as one holding a newline."
    ), ANONYMOUS, {200: Answer("The SKU's availability.", answers.Availability)},
    NOT_FOUND, params=(SKU,))})

STOCK = Endpoint("/api/admin/stock", {"GET": Operation(
    "listStock", "inventory", "Stock levels (admin)", (
        "Needs role `admin`. One row per warehouse and SKU, by SKU then warehouse code."
    ), ADMIN, {200: Answer("One page of stock levels.", answers.StockLevelPage)}, ADMIN_READ,
    query=ListStock, query_help={
        "warehouse_id": "Only this warehouse's levels.",
        "sku": "Only this SKU's levels.",
        "low_stock": "`true`: only levels whose available is at or below their threshold; "
                     "`false`: the others.",
        **PAGES})})

STOCK_RECEIVE = Endpoint("/api/admin/stock/receive", {"POST": Operation(
    "receiveStock", "inventory", "Receive stock into a warehouse (admin)", (
        "Needs role `admin`. Adds `quantity` (> 0) units of a SKU to an active warehouse (409 for an "
        "inactive one), optionally setting the level's low-stock threshold. The catalog is asked "
        "whether it sells the SKU: an unknown or deactivated one is 422 (field `sku`); the catalog "
        "not answering is 503. Recorded as a `receipt` movement, audited, and the SKU's "
        "`stock.changed` emitted."
    ), ADMIN, {200: Answer("The stock level after the receipt.", answers.StockLevel)}, ADMIN_WRITE,
    body=ReceiveStock)})

STOCK_ADJUST = Endpoint("/api/admin/stock/adjust", {"POST": Operation(
    "adjustStock", "inventory", "Correct a stock level (admin)", (
        "Needs role `admin`. Adds the signed `delta` (not 0) to on hand. On hand may never drop "
        "below what is reserved (409, field `delta`); 404 when the warehouse holds none of the SKU. "
        "Recorded as an `adjustment` movement, audited, and the SKU's `stock.changed` emitted."
    ), ADMIN, {200: Answer("The stock level after the adjustment.", answers.StockLevel)},
    ADMIN_WRITE | {404: "NotFound"}, body=AdjustStock)})

STOCK_MOVEMENTS = Endpoint("/api/admin/stock/movements", {"GET": Operation(
    "listStockMovements", "inventory", "The stock movements ledger (admin)", (
        "Needs role `admin`. Every change of on hand or reserved, newest first, with its cause "
        "(`receipt`, `adjustment`, `reservation`, `release`, `commit`, `restock`)."
    ), ADMIN, {200: Answer("One page of movements.", answers.MovementPage)}, ADMIN_READ,
    query=ListMovements, query_help={
        "warehouse_id": "Only this warehouse's movements.", "sku": "Only this SKU's movements.",
        "cause": "Only movements of this cause.", "order_id": "Only this order's movements.", **PAGES})})
