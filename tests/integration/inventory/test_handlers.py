"""The inventory's event handlers: warehouse counts, the expiry tick, and its copy of access."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from sqlalchemy import text

from functions.inventory import reservations
from functions.runtime.db import unit_of_work
from tests.integration.inventory.conftest import (
    assert_problem,
    events_of,
    ledger_sums,
    levels,
    movements,
    random_code,
    stock_events,
)

COUNTED = "com.ecom.warehouse.stock.counted"


def counted(code: str, sku: str, units: int) -> CloudEvent:
    return CloudEvent({"type": COUNTED, "source": "/warehouse/test", "subject": sku, "id": str(uuid.uuid4()),
                       "datacontenttype": "application/json"},
                      {"warehouse_code": code, "sku": sku, "counted": units,
                       "counted_at": "2026-12-03T09:00:00Z"})


def deliver(client_for, target: str, event: CloudEvent):
    headers, body = to_binary(event)
    return client_for(target).post("/", headers=headers, data=body)


def inbox(db, event_id: str) -> tuple[str, str]:
    with db.connect() as conn:
        return tuple(conn.execute(text("SELECT status, reason FROM inventory.inbox WHERE id = :id"),
                                  {"id": event_id}).one())


class TestStockCounted:
    def test_a_count_sets_on_hand_as_an_adjustment(self, client_for, new_warehouse, receive, sku, db):
        warehouse = new_warehouse()
        receive(warehouse, sku, 10)
        response = deliver(client_for, "on_stock_counted", counted(warehouse["code"], sku, 7))
        assert response.status_code == 200 and response.get_json()["status"] == "processed"
        assert levels(db, sku) == {warehouse["code"]: (7, 0)}
        assert movements(db, sku)[-1] | {"order_id": None} == {
            "cause": "adjustment", "on_hand_delta": -3, "reserved_delta": 0, "order_id": None,
            "reason": "count", "actor": None, "code": warehouse["code"]}
        assert stock_events(db, sku)[-1]["on_hand"] == 7

    def test_a_count_of_a_sku_new_to_the_warehouse_creates_its_level(self, client_for, new_warehouse, sku,
                                                                     db):
        warehouse = new_warehouse()
        assert deliver(client_for, "on_stock_counted", counted(warehouse["code"], sku, 4)).status_code == 200
        assert levels(db, sku) == {warehouse["code"]: (4, 0)}
        assert ledger_sums(db, sku) == levels(db, sku)

    def test_a_redelivered_count_is_handled_once(self, client_for, new_warehouse, receive, sku, db):
        warehouse = new_warehouse()
        receive(warehouse, sku, 2)
        event = counted(warehouse["code"], sku, 5)
        deliver(client_for, "on_stock_counted", event)
        again = deliver(client_for, "on_stock_counted", event)
        assert again.get_json()["status"] == "duplicate" and len(movements(db, sku)) == 2

    def test_a_count_below_what_is_reserved_is_rejected_and_recorded(self, client_for, new_warehouse, receive,
                                                                      sku, db):
        warehouse = new_warehouse()
        receive(warehouse, sku, 5)
        with unit_of_work("inventory") as uow:
            reservations.reserve(uow, uuid.uuid4(), [(sku, 4)])
        event = counted(warehouse["code"], sku, 3)
        assert_problem(deliver(client_for, "on_stock_counted", event), 400, "invalid-event")
        status, reason = inbox(db, event["id"])
        assert status == "rejected" and "reserved" in reason
        assert levels(db, sku) == {warehouse["code"]: (5, 4)}

    def test_an_unknown_warehouse_or_impossible_data_is_rejected(self, client_for, sku, db):
        event = counted(random_code(), sku, 1)
        assert_problem(deliver(client_for, "on_stock_counted", event), 400, "invalid-event")
        assert inbox(db, event["id"])[0] == "rejected"
        negative = counted(random_code(), sku, -1)
        doc = assert_problem(deliver(client_for, "on_stock_counted", negative), 400, "invalid-event")
        assert "data.counted" in doc["detail"]


def ping() -> CloudEvent:
    return CloudEvent({"type": "dev.knative.sources.ping", "id": str(uuid.uuid4()),
                       "source": "/apis/v1/namespaces/ecom/pingsources/inventory-expire-reservations",
                       "datacontenttype": "application/json"}, {})


class TestExpiryTick:
    def test_a_tick_emits_reservation_expired_once_for_what_is_due(self, client_for, new_warehouse,
                                                                  receive, sku, db):
        warehouse = new_warehouse()
        receive(warehouse, sku, 3)
        order = uuid.uuid4()
        with unit_of_work("inventory") as uow:
            reservations.reserve(uow, order, [(sku, 2)], datetime.now(timezone.utc) - timedelta(hours=1))
        response = deliver(client_for, "expire_reservations", ping())
        assert response.status_code == 200 and response.get_json()["expired"] >= 1
        assert levels(db, sku) == {warehouse["code"]: (3, 2)}  # held until orders cancels the order
        assert len(events_of(db, "com.ecom.inventory.reservation.expired", str(order))) == 1
        assert deliver(client_for, "expire_reservations", ping()).status_code == 200
        assert len(events_of(db, "com.ecom.inventory.reservation.expired", str(order))) == 1

    def test_the_tick_takes_only_ping_events(self, client_for):
        event = ping()
        event["type"] = COUNTED
        assert_problem(deliver(client_for, "expire_reservations", event), 400, "invalid-event")
        assert_problem(client_for("expire_reservations").post("/", json={}), 400, "invalid-event")


class TestAccessChanged:
    def test_a_demoted_admin_no_longer_manages_stock(self, client_for, mint):
        user = str(uuid.uuid4())
        token = {"Authorization": f"Bearer {mint('admin', sub=user, sid=str(uuid.uuid4()))}"}
        assert client_for("stock").get("/api/admin/stock", headers=token).status_code == 200
        event = CloudEvent({"type": "com.ecom.accounts.user.role_changed", "source": "/ecom/accounts/test",
                            "subject": user, "id": str(uuid.uuid4()), "datacontenttype": "application/json"},
                           {"user_id": user, "at": datetime.now(timezone.utc).isoformat(), "role": "customer",
                            "active": True})
        assert deliver(client_for, "on_access_changed", event).status_code == 200
        assert_problem(client_for("stock").get("/api/admin/stock", headers=token), 401, "unauthorized")
