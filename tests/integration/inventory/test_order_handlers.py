"""The handlers of the orders' events: inventory-on-order-placed and -cancelled as deployed, and
-confirmed and -refunded (not deployed until payments sends their types) as functions-framework
would call them: a Flask request carrying the CloudEvent.
"""

from __future__ import annotations

import uuid

import pytest
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from flask import Flask, request
from sqlalchemy import text

from functions.inventory import handlers, main
from tests.integration.inventory.conftest import assert_problem, events_of, ledger_sums, levels

_app = Flask(__name__)


def order_event(kind: str, order_id: uuid.UUID, **data) -> CloudEvent:
    return CloudEvent({"type": f"com.ecom.orders.order.{kind}", "source": "/ecom/orders/test",
                       "subject": str(order_id), "id": str(uuid.uuid4()),
                       "datacontenttype": "application/json"},
                      {"order_id": str(order_id), "user_id": str(uuid.uuid4())} | data)


@pytest.fixture
def deliver(client_for):
    """Return a function posting a CloudEvent to a handler: its deployed target, or the function."""

    def _deliver(handler, event: CloudEvent):
        headers, body = to_binary(event)
        if handler.__name__ in main.__all__:
            return client_for(handler.__name__).post("/", headers=headers, data=body)
        with _app.test_request_context("/", method="POST", headers=headers, data=body):
            return handler(request)

    return _deliver


@pytest.fixture
def stocked(inventory_env, new_warehouse, receive, sku):
    warehouse = new_warehouse()
    receive(warehouse, sku, 5)
    return warehouse, sku


def placed(order: uuid.UUID, sku: str, quantity: int) -> CloudEvent:
    return order_event("placed", order, lines=[{"sku": sku, "quantity": quantity}],
                       placed_at="2026-12-03T10:00:00Z")


class TestOrderLifecycle:
    def test_placed_then_confirmed_then_refunded_with_restock(self, deliver, stocked, db):
        warehouse, sku = stocked
        order = uuid.uuid4()
        event = placed(order, sku, 2)
        assert deliver(handlers.on_order_placed, event).get_json()["status"] == "processed"
        assert deliver(handlers.on_order_placed, event).get_json()["status"] == "duplicate"
        assert levels(db, sku) == {warehouse["code"]: (5, 2)}
        assert len(events_of(db, "com.ecom.inventory.stock.reserved", str(order))) == 1
        confirmed = order_event("confirmed", order, confirmed_at="2026-12-03T10:01:00Z")
        deliver(handlers.on_order_confirmed, confirmed)
        assert levels(db, sku) == {warehouse["code"]: (3, 0)}
        no_restock = order_event("refunded", order, restock=False, refunded_at="2026-12-03T10:02:00Z")
        deliver(handlers.on_order_refunded, no_restock)
        assert levels(db, sku) == {warehouse["code"]: (3, 0)}
        deliver(handlers.on_order_refunded, order_event("refunded", order, restock=True,
                                                        refunded_at="2026-12-03T10:03:00Z"))
        assert levels(db, sku) == {warehouse["code"]: (5, 0)}
        assert ledger_sums(db, sku) == levels(db, sku)

    def test_availability_changed_goes_out_only_when_an_order_takes_or_gives_back_the_last_units(
            self, deliver, stocked, db):
        warehouse, sku = stocked  # 5 received: in stock, told once
        flips = lambda: [(e["in_stock"], e["version"]) for e in events_of(  # noqa: E731
            db, "com.ecom.inventory.availability.changed", sku)]
        assert flips() == [(True, 1)]
        small, rest = uuid.uuid4(), uuid.uuid4()
        deliver(handlers.on_order_placed, placed(small, sku, 2))  # 3 left: nothing to tell
        assert flips() == [(True, 1)]
        deliver(handlers.on_order_placed, placed(rest, sku, 3))  # none left
        assert flips() == [(True, 1), (False, 3)]
        deliver(handlers.on_order_cancelled, order_event("cancelled", rest, reason="payment_expired"))
        assert flips() == [(True, 1), (False, 3), (True, 4)]
        versions = [e["version"] for e in events_of(db, "com.ecom.inventory.stock.changed", sku)]
        assert versions == [1, 2, 3, 4]  # every change is a stock.changed; a flip carries its version

    def test_placed_then_cancelled_releases(self, deliver, stocked, db):
        warehouse, sku = stocked
        order = uuid.uuid4()
        deliver(handlers.on_order_placed, placed(order, sku, 4))
        cancelled = order_event("cancelled", order, reason="changed mind",
                                cancelled_at="2026-12-03T10:01:00Z")
        assert deliver(handlers.on_order_cancelled, cancelled).status_code == 200
        assert levels(db, sku) == {warehouse["code"]: (5, 0)}

    def test_a_cancellation_that_overtakes_the_placement_means_nothing_is_held(self, deliver, stocked, db):
        warehouse, sku = stocked
        order = uuid.uuid4()
        cancelled = order_event("cancelled", order, reason="out_of_stock",
                                cancelled_at="2026-12-03T10:00:01Z")
        assert deliver(handlers.on_order_cancelled, cancelled).status_code == 200
        assert deliver(handlers.on_order_placed, placed(order, sku, 2)).status_code == 200
        assert levels(db, sku) == {warehouse["code"]: (5, 0)}
        assert events_of(db, "com.ecom.inventory.stock.reserved", str(order)) == []
        assert events_of(db, "com.ecom.inventory.stock.rejected", str(order)) == []

    def test_an_order_too_big_is_rejected_with_its_short_lines(self, deliver, stocked, db):
        _, sku = stocked
        order = uuid.uuid4()
        assert deliver(handlers.on_order_placed, placed(order, sku, 6)).status_code == 200
        (rejected,) = events_of(db, "com.ecom.inventory.stock.rejected", str(order))
        assert rejected["short"] == [{"sku": sku, "requested": 6, "available": 5}]

    def test_confirming_an_order_whose_hold_ended_is_recorded_as_rejected(self, deliver, stocked, db):
        _, sku = stocked
        order = uuid.uuid4()
        deliver(handlers.on_order_placed, placed(order, sku, 1))
        deliver(handlers.on_order_cancelled, order_event("cancelled", order, reason="x",
                                                         cancelled_at="2026-12-03T10:01:00Z"))
        late = order_event("confirmed", order, confirmed_at="2026-12-03T10:02:00Z")
        doc = assert_problem(deliver(handlers.on_order_confirmed, late), 400, "invalid-event")
        assert "holds no stock" in doc["detail"]
        with db.connect() as conn:
            status = conn.execute(text("SELECT status FROM inventory.inbox WHERE id = :id"),
                                  {"id": late["id"]}).scalar()
        assert status == "rejected"

    @pytest.mark.parametrize("lines", [[], [{"sku": "A-1", "quantity": 100}], [{"sku": "a", "quantity": 1}]])
    def test_an_order_with_impossible_lines_is_rejected(self, deliver, inventory_env, lines):
        event = order_event("placed", uuid.uuid4(), lines=lines, placed_at="2026-12-03T10:00:00Z")
        response = deliver(handlers.on_order_placed, event)
        assert_problem(response, 400, "invalid-event")
