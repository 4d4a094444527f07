"""Receive, adjust, the public availability, the admin lists; every change in the ledger and the outbox."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.integration.inventory.conftest import assert_problem, levels, movements, random_sku, stock_events


def post(client_for, target: str, body: dict, headers: dict):
    path = {"stock_receive": "/api/admin/stock/receive", "stock_adjust": "/api/admin/stock/adjust"}[target]
    return client_for(target).post(path, json=body, headers=headers)


class TestReceive:
    def test_a_receipt_adds_units_records_a_movement_and_emits_stock_changed(
            self, client_for, mint, new_warehouse, sku, catalog, db):
        warehouse = new_warehouse()
        headers = {"Authorization": f"Bearer {mint('admin', sub='admin-r')}"}
        response = post(client_for, "stock_receive", {"warehouse_id": warehouse["id"], "sku": sku,
                                                      "quantity": 12, "reason": "PO 77",
                                                      "low_stock_threshold": 4}, headers)
        assert response.status_code == 200, response.get_json()
        level = response.get_json()
        assert (level["on_hand"], level["reserved"], level["available"], level["low_stock_threshold"],
                level["low_stock"], level["warehouse_code"]) == (12, 0, 12, 4, False, warehouse["code"])
        assert movements(db, sku) == [{"cause": "receipt", "on_hand_delta": 12, "reserved_delta": 0,
                                       "order_id": None, "reason": "PO 77", "actor": "admin-r",
                                       "code": warehouse["code"]}]
        event = stock_events(db, sku)[-1]
        assert (event["sku"], event["on_hand"], event["reserved"], event["available"], event["version"]) == (
            sku, 12, 0, 12, 1)
        assert (f"/api/products/{sku}", "catalog-product.ecom.svc.cluster.local") in catalog.asked

    def test_the_version_grows_with_every_change(self, new_warehouse, receive, sku, db):
        warehouse = new_warehouse()
        for _ in range(3):
            receive(warehouse, sku, 1)
        assert [e["version"] for e in stock_events(db, sku)] == [1, 2, 3]
        assert [e["on_hand"] for e in stock_events(db, sku)] == [1, 2, 3]

    def test_availability_changed_tells_each_flip_in_or_out_of_stock_once(
            self, client_for, admin_headers, new_warehouse, receive, sku, db):
        warehouse = new_warehouse()
        receive(warehouse, sku, 2)  # the first change tells it, whichever way
        receive(warehouse, sku, 1)
        adjust = {"warehouse_id": warehouse["id"], "sku": sku, "reason": "damaged"}
        assert post(client_for, "stock_adjust", adjust | {"delta": -3}, admin_headers).status_code == 200
        receive(warehouse, sku, 4)
        with db.connect() as conn:
            flips = conn.execute(text(
                "SELECT data->>'in_stock', (data->>'version')::int FROM inventory.outbox "
                "WHERE type = 'com.ecom.inventory.availability.changed' AND subject = :sku ORDER BY seq"),
                {"sku": sku}).all()
        assert [tuple(f) for f in flips] == [("true", 1), ("false", 3), ("true", 4)]
        assert [e["available"] for e in stock_events(db, sku)][-1] == 4

    def test_a_sku_the_catalog_does_not_know_is_422_naming_sku(self, client_for, admin_headers,
                                                                new_warehouse, db):
        unknown = random_sku()
        response = post(client_for, "stock_receive", {"warehouse_id": new_warehouse()["id"], "sku": unknown,
                                                      "quantity": 1, "reason": "x"}, admin_headers)
        assert_problem(response, 422, "validation-error", field="sku")
        assert levels(db, unknown) == {} and stock_events(db, unknown) == []

    def test_the_catalog_not_answering_is_a_503(self, client_for, admin_headers, new_warehouse, sku, catalog):
        catalog.down = True
        try:
            response = post(client_for, "stock_receive", {"warehouse_id": new_warehouse()["id"], "sku": sku,
                                                          "quantity": 1, "reason": "x"}, admin_headers)
        finally:
            catalog.down = False
        assert_problem(response, 503, "service-unavailable")

    def test_zero_or_negative_or_huge_quantities_are_422(self, client_for, admin_headers, new_warehouse, sku):
        warehouse = new_warehouse()
        for quantity in (0, -3, 2**31, 2**63):
            response = post(client_for, "stock_receive", {"warehouse_id": warehouse["id"], "sku": sku,
                                                          "quantity": quantity, "reason": "x"}, admin_headers)
            assert_problem(response, 422, "validation-error", field="quantity")

    def test_more_than_a_column_holds_is_422_naming_quantity(self, client_for, admin_headers, new_warehouse,
                                                             receive, sku):
        warehouse = new_warehouse()
        receive(warehouse, sku, 2**31 - 10)
        response = post(client_for, "stock_receive", {"warehouse_id": warehouse["id"], "sku": sku,
                                                      "quantity": 11, "reason": "x"}, admin_headers)
        assert_problem(response, 422, "validation-error", field="quantity")
        other = new_warehouse()  # the SKU's total over warehouses is what events carry: it must fit too
        response = post(client_for, "stock_receive", {"warehouse_id": other["id"], "sku": sku,
                                                      "quantity": 11, "reason": "x"}, admin_headers)
        assert_problem(response, 422, "validation-error", field="quantity")

    def test_an_unknown_warehouse_is_422_and_an_inactive_one_409(self, client_for, admin_headers,
                                                                new_warehouse, sku):
        response = post(client_for, "stock_receive", {"warehouse_id": str(uuid.uuid4()), "sku": sku,
                                                      "quantity": 1, "reason": "x"}, admin_headers)
        assert_problem(response, 422, "validation-error", field="warehouse_id")
        inactive = new_warehouse(active=False)
        response = post(client_for, "stock_receive", {"warehouse_id": inactive["id"], "sku": sku,
                                                      "quantity": 1, "reason": "x"}, admin_headers)
        assert_problem(response, 409, "conflict", field="warehouse_id")

    def test_a_reason_is_required(self, client_for, admin_headers, new_warehouse, sku):
        response = post(client_for, "stock_receive", {"warehouse_id": new_warehouse()["id"], "sku": sku,
                                                      "quantity": 1, "reason": "  "}, admin_headers)
        assert_problem(response, 422, "validation-error", field="reason")

    def test_a_customer_may_not_receive(self, client_for, customer_headers, new_warehouse, sku):
        response = post(client_for, "stock_receive", {"warehouse_id": new_warehouse()["id"], "sku": sku,
                                                      "quantity": 1, "reason": "x"}, customer_headers)
        assert_problem(response, 403, "forbidden")


class TestAdjust:
    def test_a_signed_delta_moves_on_hand_both_ways(self, client_for, admin_headers, new_warehouse, receive,
                                                    sku, db):
        warehouse = new_warehouse()
        receive(warehouse, sku, 10)
        for delta, expected in ((-4, 6), (2, 8)):
            response = post(client_for, "stock_adjust", {"warehouse_id": warehouse["id"], "sku": sku,
                                                         "delta": delta, "reason": "damaged"}, admin_headers)
            assert response.status_code == 200 and response.get_json()["on_hand"] == expected
        assert [(m["cause"], m["on_hand_delta"]) for m in movements(db, sku)] == [
            ("receipt", 10), ("adjustment", -4), ("adjustment", 2)]
        assert [e["on_hand"] for e in stock_events(db, sku)] == [10, 6, 8]

    def test_never_below_what_is_reserved(self, client_for, admin_headers, new_warehouse, receive, sku, db):
        from functions.inventory import reservations
        from functions.runtime.db import unit_of_work

        warehouse = new_warehouse()
        receive(warehouse, sku, 5)
        with unit_of_work("inventory") as uow:
            assert reservations.reserve(uow, uuid.uuid4(), [(sku, 3)]).reserved
        response = post(client_for, "stock_adjust", {"warehouse_id": warehouse["id"], "sku": sku, "delta": -3,
                                                     "reason": "lost"}, admin_headers)
        assert_problem(response, 409, "conflict", field="delta")
        assert levels(db, sku) == {warehouse["code"]: (5, 3)}
        response = post(client_for, "stock_adjust", {"warehouse_id": warehouse["id"], "sku": sku, "delta": -2,
                                                     "reason": "lost"}, admin_headers)
        assert response.status_code == 200 and response.get_json()["available"] == 0

    def test_a_zero_delta_is_422_and_a_level_that_does_not_exist_404(self, client_for, admin_headers,
                                                                      new_warehouse, sku):
        warehouse = new_warehouse()
        body = {"warehouse_id": warehouse["id"], "sku": sku, "reason": "x"}
        assert_problem(post(client_for, "stock_adjust", body | {"delta": 0}, admin_headers),
                       422, "validation-error", field="delta")
        assert_problem(post(client_for, "stock_adjust", body | {"delta": 1}, admin_headers), 404, "not-found")

    def test_an_adjustment_is_audited(self, client_for, admin_headers, new_warehouse, receive, sku, db):
        warehouse = new_warehouse()
        level = receive(warehouse, sku, 2)
        post(client_for, "stock_adjust", {"warehouse_id": warehouse["id"], "sku": sku, "delta": 1,
                                          "reason": "found"}, admin_headers)
        with db.connect() as conn:
            actions = conn.execute(text("SELECT action, changes FROM inventory.audit_log "
                                        "WHERE entity_id = :id ORDER BY id"), {"id": level["id"]}).all()
        assert [a.action for a in actions] == ["stock.received", "stock.adjusted"]
        assert actions[1].changes["delta"] == 1 and actions[1].changes["reason"] == "found"


class TestAvailability:
    def test_anyone_sees_the_sum_over_warehouses(self, client_for, new_warehouse, receive, sku):
        receive(new_warehouse(), sku, 4)
        receive(new_warehouse(), sku, 6)
        response = client_for("availability").get(f"/api/inventory/{sku}")
        assert response.status_code == 200
        assert response.get_json() == {"sku": sku, "available": 10, "in_stock": True}

    def test_a_sku_nobody_holds_is_zero_and_not_a_sku_is_422(self, client_for):
        assert client_for("availability").get(f"/api/inventory/{random_sku()}").get_json()["available"] == 0
        assert_problem(client_for("availability").get("/api/inventory/lower-case"), 422, "validation-error",
                       field="sku")


class TestLists:
    def test_stock_filtered_by_warehouse_sku_and_low_stock(self, client_for, admin_headers, new_warehouse,
                                                           receive, sku):
        first, second = new_warehouse(), new_warehouse()
        receive(first, sku, 3, low_stock_threshold=5)
        receive(second, sku, 30, low_stock_threshold=5)
        stock = client_for("stock")
        page = stock.get("/api/admin/stock", query_string={"sku": sku}, headers=admin_headers).get_json()
        assert page["total"] == 2 and [i["warehouse_code"] for i in page["items"]] == sorted(
            [first["code"], second["code"]])
        low = stock.get("/api/admin/stock", query_string={"sku": sku, "low_stock": "true"},
                        headers=admin_headers).get_json()
        assert [i["warehouse_id"] for i in low["items"]] == [first["id"]] and low["items"][0]["low_stock"]
        mine = stock.get("/api/admin/stock", query_string={"warehouse_id": second["id"]},
                         headers=admin_headers).get_json()
        assert [i["on_hand"] for i in mine["items"]] == [30]

    def test_movements_newest_first_filtered_and_paginated(self, client_for, admin_headers, new_warehouse,
                                                           receive, sku):
        warehouse = new_warehouse()
        for quantity in (1, 2, 3):
            receive(warehouse, sku, quantity)
        ledger = client_for("stock_movements")
        page = ledger.get("/api/admin/stock/movements", query_string={"sku": sku, "page_size": 2},
                          headers=admin_headers).get_json()
        assert (page["total"], page["page"], page["page_size"]) == (3, 1, 2)
        assert [m["on_hand_delta"] for m in page["items"]] == [3, 2]
        rest = ledger.get("/api/admin/stock/movements", query_string={"sku": sku, "page_size": 2, "page": 2},
                          headers=admin_headers).get_json()
        assert [m["on_hand_delta"] for m in rest["items"]] == [1]
        none = ledger.get("/api/admin/stock/movements", query_string={"sku": sku, "cause": "commit"},
                          headers=admin_headers).get_json()
        assert none["total"] == 0 and none["items"] == []

    def test_an_unknown_cause_or_parameter_is_422(self, client_for, admin_headers):
        ledger = client_for("stock_movements")
        assert_problem(ledger.get("/api/admin/stock/movements", query_string={"cause": "theft"},
                                  headers=admin_headers), 422, "validation-error", field="cause")
        assert_problem(ledger.get("/api/admin/stock/movements", query_string={"colour": "red"},
                                  headers=admin_headers), 422, "validation-error", field="colour")

    def test_the_lists_are_for_admins(self, client_for, customer_headers):
        for target, path in (("stock", "/api/admin/stock"),
                             ("stock_movements", "/api/admin/stock/movements")):
            assert_problem(client_for(target).get(path, headers=customer_headers), 403, "forbidden")
            assert_problem(client_for(target).get(path), 401, "unauthorized")
