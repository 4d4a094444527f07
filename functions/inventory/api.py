"""The inventory's HTTP functions, one per route: parse, call the use case, shape the answer."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from flask import Request, Response

from functions.runtime.web import created_response, http_function, id_from_path, json_response, path_ref

if TYPE_CHECKING:
    from functions.runtime.db import UnitOfWork

# As in every domain: the use cases, commands and the token check are imported by the functions
# that use them, on their first request; the operations (OpenAPI declarations) by the builder only.


def _admin_work(request: Request) -> AbstractContextManager[UnitOfWork]:
    """Check the caller is an admin, then return a unit of work that audits as them."""
    from functions.runtime.auth import require_admin
    from functions.runtime.db import unit_of_work

    return unit_of_work(actor=require_admin(request).sub)


def _require_admin(request: Request) -> None:
    from functions.runtime.auth import require_admin

    require_admin(request)


@http_function("/api/admin/warehouses", methods=("GET", "POST"))
def warehouses(request: Request) -> Response:
    """GET: the warehouses. POST: create one (admin)."""
    from functions.inventory import warehouses as warehouse_cases
    from functions.runtime.validation import parse_body, parse_query

    if request.method == "POST":
        from functions.inventory.commands import CreateWarehouse

        work = _admin_work(request)
        command = parse_body(request, CreateWarehouse)
        with work as uow:
            created = warehouse_cases.create_warehouse(uow, command)
        return created_response(created, f"/api/admin/warehouses/{created['id']}")
    from functions.inventory.commands import ListWarehouses
    from functions.runtime.db import read_only

    _require_admin(request)
    query = parse_query(request, ListWarehouses)
    with read_only() as conn:
        return json_response(warehouse_cases.list_warehouses(conn, query))


@http_function("/api/admin/warehouses/{id}", methods=("PATCH",))
def warehouse(request: Request) -> Response:
    """PATCH a warehouse: rename, readdress, (de)activate (admin)."""
    from functions.inventory import warehouses as warehouse_cases
    from functions.inventory.commands import UpdateWarehouse
    from functions.runtime.validation import parse_body

    work = _admin_work(request)
    warehouse_id = id_from_path(request, "warehouse")
    command = parse_body(request, UpdateWarehouse)
    with work as uow:
        return json_response(warehouse_cases.update_warehouse(uow, warehouse_id, command))


@http_function("/api/inventory/{sku}", methods=("GET",))
def availability(request: Request) -> Response:
    """How many units of a SKU anyone can buy now."""
    from functions.inventory import stock
    from functions.runtime.db import read_only
    from functions.runtime.errors import invalid_field
    from functions.runtime.skus import is_sku

    sku = path_ref(request, "sku")
    if not is_sku(sku):
        raise invalid_field("sku", "is not a SKU (upper case letters, digits, '.', '_', '-')")
    with read_only() as conn:
        return json_response(stock.availability(conn, sku))


@http_function("/api/admin/stock", methods=("GET",))
def stock(request: Request) -> Response:
    """Stock levels, filtered (admin)."""
    from functions.inventory import stock as stock_cases
    from functions.inventory.commands import ListStock
    from functions.runtime.db import read_only
    from functions.runtime.validation import parse_query

    _require_admin(request)
    query = parse_query(request, ListStock)
    with read_only() as conn:
        return json_response(stock_cases.list_stock(conn, query))


@http_function("/api/admin/stock/receive", methods=("POST",))
def stock_receive(request: Request) -> Response:
    """Receive units of a SKU the catalog sells into a warehouse (admin)."""
    from functions.inventory import stock as stock_cases
    from functions.inventory.adapters.catalog import known_sku
    from functions.inventory.commands import ReceiveStock
    from functions.runtime.validation import parse_body

    work = _admin_work(request)
    command = parse_body(request, ReceiveStock)
    known = known_sku(command.sku)  # before the transaction: no lock is held while catalog answers
    with work as uow:
        return json_response(stock_cases.receive(uow, command, known=known))


@http_function("/api/admin/stock/adjust", methods=("POST",))
def stock_adjust(request: Request) -> Response:
    """Correct a stock level by a signed delta, never below what is reserved (admin)."""
    from functions.inventory import stock as stock_cases
    from functions.inventory.commands import AdjustStock
    from functions.runtime.validation import parse_body

    work = _admin_work(request)
    command = parse_body(request, AdjustStock)
    with work as uow:
        return json_response(stock_cases.adjust(uow, command))


@http_function("/api/admin/stock/movements", methods=("GET",))
def stock_movements(request: Request) -> Response:
    """The movements ledger, filtered, newest first (admin)."""
    from functions.inventory import stock as stock_cases
    from functions.inventory.commands import ListMovements
    from functions.runtime.db import read_only
    from functions.runtime.validation import parse_query

    _require_admin(request)
    query = parse_query(request, ListMovements)
    with read_only() as conn:
        return json_response(stock_cases.list_movements(conn, query))
