"""Hostile input is a 4xx problem naming the field, never a 500."""

import uuid

import pytest

from tests.integration.inventory.conftest import assert_problem

NUL = "\x00"


class TestHostileReads:
    @pytest.mark.parametrize("path, field", [
        ("/api/inventory/%00", "sku"),
        ("/api/inventory/A%00B", "sku"),
        ("/api/inventory/" + "A" * 5000, "sku"),
    ])
    def test_a_hostile_sku_in_the_path_is_a_422(self, client_for, path, field):
        assert_problem(client_for("availability").get(path), 422, "validation-error", field=field)

    @pytest.mark.parametrize("target, path, params, field", [
        ("stock", "/api/admin/stock", {"sku": f"A{NUL}"}, "sku"),
        ("stock", "/api/admin/stock", {"warehouse_id": NUL}, "warehouse_id"),
        ("stock", "/api/admin/stock", {"page": "99999999999999999999"}, "page"),
        ("stock", "/api/admin/stock", {"low_stock": "maybe"}, "low_stock"),
        ("stock_movements", "/api/admin/stock/movements", {"order_id": "1e400"}, "order_id"),
        ("stock_movements", "/api/admin/stock/movements", {"page_size": "-1"}, "page_size"),
        ("warehouses", "/api/admin/warehouses", {"active": NUL}, "active"),
    ])
    def test_a_hostile_query_is_a_422_naming_the_parameter(self, client_for, admin_headers, target, path,
                                                           params, field):
        response = client_for(target).get(path, query_string=params, headers=admin_headers)
        assert_problem(response, 422, "validation-error", field=field)

    def test_a_repeated_parameter_is_a_422(self, client_for, admin_headers):
        response = client_for("stock").get("/api/admin/stock?sku=A&sku=B", headers=admin_headers)
        assert_problem(response, 422, "validation-error", field="sku")


class TestHostileWrites:
    @pytest.mark.parametrize("fields, field", [
        ({"name": f"Berlin{NUL}"}, "name"),
        ({"address": f"Street{NUL}"}, "address"),
        ({"code": f"B{NUL}"}, "code"),
        ({"code": "B" * 5000}, "code"),
        ({"active": "yes"}, "active"),
        ({"extra": 1}, "extra"),
    ])
    def test_a_hostile_warehouse_is_a_422(self, client_for, admin_headers, fields, field):
        body = {"code": f"H{uuid.uuid4().hex[:6].upper()}", "name": "Hostile"} | fields
        response = client_for("warehouses").post("/api/admin/warehouses", json=body, headers=admin_headers)
        assert_problem(response, 422, "validation-error", field=field)

    @pytest.mark.parametrize("target, path, fields, field", [
        ("stock_receive", "/api/admin/stock/receive", {"quantity": 2**64}, "quantity"),
        ("stock_receive", "/api/admin/stock/receive", {"quantity": 1.5}, "quantity"),
        ("stock_receive", "/api/admin/stock/receive", {"quantity": "3"}, "quantity"),
        ("stock_receive", "/api/admin/stock/receive", {"reason": f"late{NUL}"}, "reason"),
        ("stock_receive", "/api/admin/stock/receive", {"sku": f"A{NUL}"}, "sku"),
        ("stock_receive", "/api/admin/stock/receive", {"warehouse_id": "not-a-uuid"}, "warehouse_id"),
        ("stock_receive", "/api/admin/stock/receive", {"low_stock_threshold": -1}, "low_stock_threshold"),
        ("stock_adjust", "/api/admin/stock/adjust", {"delta": -(2**63)}, "delta"),
        ("stock_adjust", "/api/admin/stock/adjust", {"delta": 2**31}, "delta"),
        ("stock_adjust", "/api/admin/stock/adjust", {"reason": "x" * 501}, "reason"),
    ])
    def test_a_hostile_stock_change_is_a_422(self, client_for, admin_headers, target, path, fields, field):
        body = {"warehouse_id": str(uuid.uuid4()), "sku": "HOSTILE-1", "quantity": 1, "delta": 1,
                "reason": "x"}
        body = {k: v for k, v in body.items() if k != ("delta" if target == "stock_receive" else "quantity")}
        response = client_for(target).post(path, json=body | fields, headers=admin_headers)
        assert_problem(response, 422, "validation-error", field=field)

    @pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e400", "[1]"])
    def test_a_number_json_cannot_store_is_refused(self, client_for, admin_headers, raw):
        body = '{"warehouse_id": "%s", "sku": "A", "delta": %s, "reason": "x"}' % (uuid.uuid4(), raw)
        response = client_for("stock_adjust").post("/api/admin/stock/adjust", data=body,
                                                   headers=admin_headers, content_type="application/json")
        assert response.status_code in (400, 422), response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"

    def test_a_body_that_is_not_json_is_400_and_another_type_415(self, client_for, admin_headers):
        receive = client_for("stock_receive")
        response = receive.post("/api/admin/stock/receive", data="{", headers=admin_headers,
                                content_type="application/json")
        assert_problem(response, 400, "malformed-json")
        response = receive.post("/api/admin/stock/receive", data="x", headers=admin_headers,
                                content_type="text/plain")
        assert response.status_code == 415 and response.mimetype == "application/problem+json"
