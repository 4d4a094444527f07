"""catalog-on-availability-changed: idempotent, tolerant of reordering, and it keeps poison events."""

from __future__ import annotations

import uuid

import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from sqlalchemy import create_engine, text

from tests.integration.catalog.conftest import assert_problem, random_sku

TYPE = "com.ecom.inventory.availability.changed"


def availability_event(sku: str, in_stock, version: int, event_id: str | None = None) -> CloudEvent:
    attributes = {"type": TYPE, "source": "/ecom/inventory", "subject": sku,
                  "id": event_id or str(uuid.uuid4()), "datacontenttype": "application/json"}
    return CloudEvent(attributes, {"sku": sku, "in_stock": in_stock, "version": version,
                                   "changed_at": "2026-11-26T10:00:00Z"})


def deliver(client_for, event: CloudEvent, mode=to_binary):
    headers, body = mode(event)
    return client_for("on_availability_changed").post("/", headers=headers, data=body)


@pytest.fixture
def db(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def in_stock(db, sku: str) -> tuple[bool, int] | None:
    with db.connect() as conn:
        row = conn.execute(text("SELECT in_stock, version FROM catalog.availability WHERE sku = :s"),
                           {"s": sku}).first()
    return tuple(row) if row else None


class TestAvailabilityChanged:
    @pytest.mark.parametrize("mode", [to_binary, to_structured])
    def test_an_event_sets_the_flag_in_either_content_mode(self, client_for, db, mode):
        sku = random_sku()
        response = deliver(client_for, availability_event(sku, True, 1), mode)
        assert response.status_code == 200 and response.get_json()["status"] == "processed"
        assert in_stock(db, sku) == (True, 1)

    def test_a_redelivered_event_changes_nothing(self, client_for, db):
        sku = random_sku()
        first = availability_event(sku, False, 1)
        deliver(client_for, first)
        deliver(client_for, availability_event(sku, True, 2))
        again = deliver(client_for, first)  # the broker delivers at least once
        assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
        assert in_stock(db, sku) == (True, 2)

    def test_an_older_version_arriving_late_does_not_move_the_flag_back(self, client_for, db):
        sku = random_sku()
        deliver(client_for, availability_event(sku, False, 7))
        late = deliver(client_for, availability_event(sku, True, 6))
        assert late.status_code == 200
        assert in_stock(db, sku) == (False, 7)

    def test_the_product_shows_the_new_availability(self, client_for, admin_headers, new_product):
        product = new_product()
        assert product["in_stock"] is False  # nothing known from inventory yet
        deliver(client_for, availability_event(product["sku"], True, 1))
        assert client_for("product").get(f"/api/products/{product['id']}").get_json()["in_stock"] is True


class TestPoisonEvents:
    def test_impossible_data_is_recorded_as_rejected_and_answered_400(self, client_for, db):
        event = availability_event(random_sku(), "yes", 1)  # strict: not a boolean
        response = deliver(client_for, event)
        doc = assert_problem(response, 400, "invalid-event")
        assert "data.in_stock" in doc["detail"]
        with db.connect() as conn:
            row = conn.execute(text("SELECT status, reason FROM catalog.inbox WHERE id = :id"),
                               {"id": event["id"]}).mappings().one()
        assert row["status"] == "rejected" and "in_stock" in row["reason"]

    def test_an_event_of_another_type_is_rejected(self, client_for):
        event = availability_event(random_sku(), True, 1)
        event["type"] = "com.ecom.orders.order.placed"
        assert_problem(deliver(client_for, event), 400, "invalid-event")

    def test_a_request_that_is_not_a_cloudevent_is_400(self, client_for):
        response = client_for("on_availability_changed").post("/", json={"sku": "X"})
        assert_problem(response, 400, "invalid-event")

    def test_the_handler_answers_its_health_paths(self, client_for):
        assert client_for("on_availability_changed").get("/health/readiness").status_code == 200
