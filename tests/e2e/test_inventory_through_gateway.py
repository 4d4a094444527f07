"""The inventory as an admin and a shopper meet it: through the gateway, real processes, real DB.

Receiving stock asks the real catalog (catalog-product, through the local cluster-local gateway)
whether it sells the SKU.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from functions.catalog.adapters.seed import load_seed
from localrun.gateway.server import Gateway
from tests.e2e.conftest import call, local_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gateway(signing_key) -> Iterator[Gateway]:
    with local_stack(signing_key) as (gateway, _, _):
        yield gateway


@pytest.fixture(scope="module")
def admin(mint) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint('admin')}"}


def new_warehouse(gateway: Gateway, admin: dict[str, str]) -> dict:
    code = f"E2E-{uuid.uuid4().hex[:6].upper()}"
    status, headers, body = call(gateway, "POST", "/api/admin/warehouses",
                                 {"code": code, "name": "Leipzig", "address": "Am Hafen 2"}, admin)
    assert status == 201, body
    created = json.loads(body)
    assert headers["Location"] == f"/api/admin/warehouses/{created['id']}"
    return created


class TestAdmin:
    def test_an_admin_receives_stock_and_anyone_sees_it_available(self, gateway, admin):
        sku = load_seed()["products"][3]["sku"]
        before = json.loads(call(gateway, "GET", f"/api/inventory/{sku}")[2])["available"]
        first, second = new_warehouse(gateway, admin), new_warehouse(gateway, admin)
        for warehouse, units in ((first, 5), (second, 2)):
            status, _, body = call(gateway, "POST", "/api/admin/stock/receive",
                                   {"warehouse_id": warehouse["id"], "sku": sku, "quantity": units,
                                    "reason": "first delivery"}, admin)
            assert status == 200, body
            assert json.loads(body)["on_hand"] == units
        status, _, body = call(gateway, "GET", f"/api/inventory/{sku}")
        assert status == 200 and json.loads(body) == {"sku": sku, "available": before + 7, "in_stock": True}
        status, _, body = call(gateway, "GET", f"/api/admin/stock?sku={sku}", headers=admin)
        assert status == 200 and json.loads(body)["total"] >= 2
        status, _, body = call(gateway, "GET", f"/api/admin/stock/movements?sku={sku}&cause=receipt",
                               headers=admin)
        assert status == 200 and [m["on_hand_delta"] for m in json.loads(body)["items"]][:2] == [2, 5]

    def test_a_sku_the_catalog_does_not_sell_is_a_422_naming_sku(self, gateway, admin):
        warehouse = new_warehouse(gateway, admin)
        status, headers, body = call(gateway, "POST", "/api/admin/stock/receive",
                                     {"warehouse_id": warehouse["id"], "sku": "NOT-SOLD-HERE-1",
                                      "quantity": 1, "reason": "x"}, admin)
        assert status == 422 and headers["Content-Type"] == "application/problem+json"
        assert [e["field"] for e in json.loads(body)["errors"]] == ["sku"]

    def test_adjusting_below_zero_is_a_409_naming_delta(self, gateway, admin):
        sku = load_seed()["products"][4]["sku"]
        warehouse = new_warehouse(gateway, admin)
        call(gateway, "POST", "/api/admin/stock/receive",
             {"warehouse_id": warehouse["id"], "sku": sku, "quantity": 1, "reason": "x"}, admin)
        status, _, body = call(gateway, "POST", "/api/admin/stock/adjust",
                               {"warehouse_id": warehouse["id"], "sku": sku, "delta": -2,
                                "reason": "x"}, admin)
        assert status == 409 and json.loads(body)["errors"][0]["field"] == "delta"


class TestWho:
    @pytest.mark.parametrize("method, path, body", [
        ("GET", "/api/admin/warehouses", None),
        ("POST", "/api/admin/warehouses", {"code": "NOPE", "name": "Nope"}),
        ("PATCH", f"/api/admin/warehouses/{uuid.uuid4()}", {"name": "Nope"}),
        ("GET", "/api/admin/stock", None),
        ("POST", "/api/admin/stock/receive", {}),
        ("POST", "/api/admin/stock/adjust", {}),
        ("GET", "/api/admin/stock/movements", None),
    ])
    def test_a_customer_is_403_and_nobody_401_on_admin_routes(self, gateway, mint, method, path, body):
        customer = {"Authorization": f"Bearer {mint('customer')}"}
        status, headers, answer = call(gateway, method, path, body, customer)
        assert status == 403 and headers["Content-Type"] == "application/problem+json", answer
        assert call(gateway, method, path, body)[0] == 401  # Kong's jwt plugin, before the function

    def test_the_availability_read_needs_no_token(self, gateway):
        status, _, body = call(gateway, "GET", "/api/inventory/NOBODY-HOLDS-THIS")
        assert status == 200 and json.loads(body)["available"] == 0
