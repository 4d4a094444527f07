"""Warehouses: admin-only, unique codes, partial updates, audited; deactivating hides their stock."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.integration.inventory.conftest import assert_problem, random_code, stock_events


class TestCreateAndList:
    def test_an_admin_creates_a_warehouse(self, client_for, admin_headers):
        code = random_code()
        response = client_for("warehouses").post(
            "/api/admin/warehouses", json={"code": code, "name": "  Berlin  ", "address": "Hafenstr. 1"},
            headers=admin_headers)
        assert response.status_code == 201
        created = response.get_json()
        assert response.headers["Location"] == f"/api/admin/warehouses/{created['id']}"
        assert (created["code"], created["name"], created["address"], created["active"]) == (
            code, "Berlin", "Hafenstr. 1", True)

    def test_a_taken_code_is_409_naming_code(self, client_for, admin_headers, new_warehouse):
        taken = new_warehouse()["code"]
        response = client_for("warehouses").post("/api/admin/warehouses",
                                                 json={"code": taken, "name": "Again"}, headers=admin_headers)
        assert_problem(response, 409, "conflict", field="code")

    def test_a_code_in_lower_case_is_422(self, client_for, admin_headers):
        response = client_for("warehouses").post("/api/admin/warehouses", json={"code": "ber", "name": "B"},
                                                 headers=admin_headers)
        assert_problem(response, 422, "validation-error", field="code")

    def test_the_list_is_a_collection_by_code_filtered_by_active(self, client_for, admin_headers,
                                                                 new_warehouse):
        inactive = new_warehouse(active=False)
        response = client_for("warehouses").get("/api/admin/warehouses", query_string={"active": "false",
                                                "page_size": 100}, headers=admin_headers)
        page = response.get_json()
        assert set(page) == {"items", "total", "page", "page_size"} and page["page_size"] == 100
        assert inactive["id"] in {w["id"] for w in page["items"]}
        assert all(w["active"] is False for w in page["items"])
        codes = [w["code"] for w in page["items"]]
        assert codes == sorted(codes)

    def test_a_page_size_past_100_is_422(self, client_for, admin_headers):
        response = client_for("warehouses").get("/api/admin/warehouses", query_string={"page_size": 101},
                                                headers=admin_headers)
        assert_problem(response, 422, "validation-error", field="page_size")


class TestWho:
    def test_a_customer_is_403_and_no_token_401(self, client_for, customer_headers):
        for method in ("get", "post"):
            call = getattr(client_for("warehouses"), method)
            assert_problem(call("/api/admin/warehouses", json={"code": "X", "name": "X"},
                                headers=customer_headers), 403, "forbidden")
            assert_problem(call("/api/admin/warehouses", json={"code": "X", "name": "X"}),
                           401, "unauthorized")
        response = client_for("warehouse").patch(f"/api/admin/warehouses/{uuid.uuid4()}", json={"name": "Y"},
                                                 headers=customer_headers)
        assert_problem(response, 403, "forbidden")


class TestUpdate:
    def test_a_rename_changes_only_what_was_sent_and_is_audited(self, client_for, mint, new_warehouse, db):
        warehouse = new_warehouse(address="Old street 1")
        token = mint("admin", sub="admin-wh")
        response = client_for("warehouse").patch(f"/api/admin/warehouses/{warehouse['id']}",
                                                 json={"name": "Renamed"},
                                                 headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert (response.get_json()["name"], response.get_json()["address"]) == ("Renamed", "Old street 1")
        with db.connect() as conn:
            entries = conn.execute(text("SELECT actor, action, changes FROM inventory.audit_log "
                                        "WHERE entity_id = :id ORDER BY id"), {"id": warehouse["id"]}).all()
        assert [e.action for e in entries] == ["warehouse.created", "warehouse.updated"]
        assert entries[1].actor == "admin-wh"
        assert entries[1].changes == {"name": {"from": warehouse["name"], "to": "Renamed"}}

    def test_the_code_cannot_change_and_null_is_refused(self, client_for, admin_headers, new_warehouse):
        warehouse = new_warehouse()
        path = f"/api/admin/warehouses/{warehouse['id']}"
        assert_problem(client_for("warehouse").patch(path, json={"code": "NEW"}, headers=admin_headers),
                       422, "validation-error", field="code")
        assert_problem(client_for("warehouse").patch(path, json={"name": None}, headers=admin_headers),
                       422, "validation-error", field="name")

    def test_an_unknown_warehouse_is_404_and_a_bad_id_422(self, client_for, admin_headers):
        patch = client_for("warehouse").patch
        unknown = f"/api/admin/warehouses/{uuid.uuid4()}"
        assert_problem(patch(unknown, json={"name": "Y"}, headers=admin_headers), 404, "not-found")
        assert_problem(patch("/api/admin/warehouses/nope", json={"name": "Y"}, headers=admin_headers),
                       422, "validation-error", field="id")

    def test_deactivating_takes_its_stock_out_of_availability(self, client_for, admin_headers, new_warehouse,
                                                             receive, sku, db):
        first, second = new_warehouse(), new_warehouse()
        receive(first, sku, 5)
        receive(second, sku, 3)
        assert client_for("availability").get(f"/api/inventory/{sku}").get_json()["available"] == 8
        response = client_for("warehouse").patch(f"/api/admin/warehouses/{first['id']}",
                                                 json={"active": False}, headers=admin_headers)
        assert response.status_code == 200 and response.get_json()["active"] is False
        assert client_for("availability").get(f"/api/inventory/{sku}").get_json()["available"] == 3
        last = stock_events(db, sku)[-1]
        assert (last["on_hand"], last["available"], last["version"]) == (3, 3, 3)
        again = client_for("warehouse").patch(f"/api/admin/warehouses/{first['id']}", json={"active": False},
                                              headers=admin_headers)
        assert again.status_code == 200 and len(stock_events(db, sku)) == 3  # nothing changed: no event
