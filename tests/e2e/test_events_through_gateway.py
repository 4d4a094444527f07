"""Events end to end: POST /events → the local broker → a Trigger → a handler → its outbox → the relay.

A warehouse's count goes to inventory (inventory-on-stock-counted), whose availability.changed
reaches the catalog (catalog-on-availability-changed). On both transports: RabbitMQ, and Postgres (in the stack's own
scratch database).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from functions.catalog.adapters.seed import load_seed
from functions.runtime.outbox import append
from localrun.broker.localbroker import start_local_broker
from localrun.dev.relays import Relays
from schemas.migrate import role_url
from tests.e2e.conftest import PRODUCER_KEY, REPO, call, local_stack, wait_until

pytestmark = pytest.mark.e2e
TYPE = "com.ecom.warehouse.stock.counted"
AVAILABILITY_CHANGED = "com.ecom.inventory.availability.changed"


@pytest.fixture(scope="module", params=["rabbitmq", "postgres"])
def stack(request, signing_key) -> Iterator[tuple]:
    """The local stack with the broker, on an exchange and queues of this test run's own."""
    run = uuid.uuid4().hex[:8]
    env = {"EVENTS_EXCHANGE": f"ecom.events.test-{run}", "BROKER_QUEUE_PREFIX": f"ecom.test-{run}"}
    with local_stack(signing_key) as (gateway, activator, url):
        database_url = url if request.param == "postgres" else None
        broker = start_local_broker(REPO, activator, gateway, env, database_url=database_url)
        assert broker is not None, f"the {request.param} transport must answer"
        relays = Relays({domain: role_url(url, domain) for domain in ("catalog", "inventory")}, broker.url,
                        env["EVENTS_EXCHANGE"], request.param)
        relays.start()
        try:
            yield gateway, activator, url, broker
        finally:
            relays.stop()
            broker.stop()
            broker.delete_topology()


@pytest.fixture(scope="module")
def warehouse(stack, mint) -> str:
    """The code of a warehouse made through the gateway by an admin."""
    gateway, _, _, _ = stack
    code = f"EV-{uuid.uuid4().hex[:6].upper()}"
    status, _, body = call(gateway, "POST", "/api/admin/warehouses", {"code": code, "name": "Counted"},
                           {"Authorization": f"Bearer {mint('admin')}"})
    assert status == 201, body
    return code


def count_event(code: str, sku: str, counted: int) -> tuple[dict, dict]:
    headers = {"ce-specversion": "1.0", "ce-id": str(uuid.uuid4()), "ce-source": "/warehouse/e2e",
               "ce-type": TYPE, "ce-subject": sku, "apikey": PRODUCER_KEY}
    data = {"warehouse_code": code, "sku": sku, "counted": counted, "counted_at": "2026-12-03T10:00:00Z"}
    return headers, data


def in_stock(gateway, slug: str) -> bool:
    return json.loads(call(gateway, "GET", f"/api/products/{slug}")[2])["in_stock"]


def slug_of(gateway, sku: str) -> str:
    return json.loads(call(gateway, "GET", f"/api/products?q={sku}")[2])["items"][0]["slug"]


class TestStockEvents:
    def test_a_count_posted_to_the_ingress_reaches_inventory_and_then_the_catalog(self, stack, warehouse):
        gateway, activator, _, _ = stack
        product = next(p for p in load_seed()["products"] if p["in_stock"])
        slug = slug_of(gateway, product["sku"])
        assert in_stock(gateway, slug) is True
        for counted in (3, 0):  # a count of what is there already changes nothing: 3 first
            headers, data = count_event(warehouse, product["sku"], counted)
            status, _, body = call(gateway, "POST", "/events", data, headers)
            assert status == 202, body
        # The handlers were scaled to zero: the broker starts them through the activator.
        assert wait_until(lambda: in_stock(gateway, slug) is False, 20)
        assert {"inventory-on-stock-counted", "catalog-on-availability-changed"} <= set(activator.running())
        assert json.loads(call(gateway, "GET", f"/api/inventory/{product['sku']}")[2])["available"] == 0

    def test_an_event_written_to_an_outbox_reaches_its_trigger_through_the_relay(self, stack):
        gateway, _, url, _ = stack
        product = next(p for p in load_seed()["products"][2:] if p["in_stock"])
        slug = slug_of(gateway, product["sku"])
        assert in_stock(gateway, slug) is True
        data = {"sku": product["sku"], "in_stock": False, "version": 10**6, "changed_at": "2026-11-26T10:00:00Z"}
        engine = create_engine(role_url(url, "inventory"))
        with engine.begin() as conn:  # as inventory's unit of work does
            append(conn, "inventory", AVAILABILITY_CHANGED, "/ecom/inventory/e2e", product["sku"], data)
        engine.dispose()
        assert wait_until(lambda: in_stock(gateway, slug) is False, 20)

    def test_a_duplicate_delivery_is_handled_once(self, stack, warehouse):
        gateway, _, url, _ = stack
        product = load_seed()["products"][1]
        headers, data = count_event(warehouse, product["sku"], 4)
        for _ in range(2):  # the same CloudEvent id twice: at-least-once delivery
            assert call(gateway, "POST", "/events", data, headers)[0] == 202
        engine = create_engine(url)

        def handled() -> int:
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM inventory.inbox WHERE id = :id"),
                                    {"id": headers["ce-id"]}).scalar()

        assert wait_until(lambda: handled() == 1, 20)
        engine.dispose()

    def test_an_event_of_a_type_no_producer_may_send_is_refused_at_the_gateway(self, stack):
        # In both runtimes: Kong's post-function checks the producer's tagged types (the
        # cluster's broker ingress checks none), answering the ingress's own problem.
        gateway, _, _, _ = stack
        headers, data = count_event("W1", "SKU-1", 1)
        headers["ce-type"] = "com.ecom.nobody.thing.happened"
        status, response_headers, body = call(gateway, "POST", "/events", data, headers)
        assert status == 403 and response_headers["Content-Type"] == "application/problem+json"
        assert json.loads(body)["errors"][0]["field"] == "type"

    def test_stock_levels_are_inventorys_own_and_never_accepted_from_outside(self, stack):
        gateway, _, _, _ = stack
        headers, _ = count_event("W1", "SKU-1", 1)
        headers["ce-type"] = AVAILABILITY_CHANGED
        data = {"sku": "SKU-1", "in_stock": True, "version": 1, "changed_at": "2026-11-26T10:00:00Z"}
        status, _, body = call(gateway, "POST", "/events", data, headers)
        assert status == 403 and json.loads(body)["errors"][0]["field"] == "type"

    def test_data_that_breaks_the_schema_is_refused_at_the_ingress(self, stack):
        gateway, _, _, _ = stack
        headers, data = count_event("W1", "SKU-1", -1)
        status, _, body = call(gateway, "POST", "/events", data, headers)
        assert status == 400 and "counted" in json.dumps(json.loads(body)["errors"])


class TestExpiry:
    def test_the_repositorys_pingsource_tells_orders_of_a_hold_past_due(self, stack, warehouse):
        # The minute's tick is fired at once rather than waited for; the rest is as every minute:
        # the PingSource manifest, the activator starting the sink, the relay carrying its events.
        gateway, _, url, broker = stack
        sku = load_seed()["products"][5]["sku"]
        order = uuid.uuid4()
        engine = create_engine(role_url(url, "inventory"))
        with engine.begin() as conn:  # the rows of a hold that ran out 5 minutes ago
            conn.execute(text("""
                WITH w AS (SELECT id FROM inventory.warehouses WHERE code = :code),
                     level AS (INSERT INTO inventory.stock_levels
                                   (id, warehouse_id, sku, on_hand, reserved)
                               SELECT gen_random_uuid(), w.id, :sku, 3, 2 FROM w),
                     decided AS (INSERT INTO inventory.order_decisions (order_id, outcome)
                                 VALUES (:o, 'reserved'))
                INSERT INTO inventory.reservations
                    (id, order_id, sku, warehouse_id, quantity, state, expires_at)
                SELECT gen_random_uuid(), :o, :sku, w.id, 2, 'held', now() - interval '5 minutes' FROM w
            """), {"code": warehouse, "sku": sku, "o": order})
        source, = [s for s in broker.ping_sources if s.name == "inventory-expire-reservations"]
        broker.pings.fire(source, datetime.now(timezone.utc))

        def state() -> tuple:
            with engine.connect() as conn:
                return conn.execute(text(
                    "SELECT r.state, r.lapsed_at IS NOT NULL, s.reserved FROM inventory.reservations r "
                    "JOIN inventory.stock_levels s ON s.sku = r.sku AND s.warehouse_id = r.warehouse_id "
                    "WHERE r.order_id = :o"), {"o": order}).one()

        # Orders decides: the hold stays until its order.cancelled (test_reservation_expiry.py).
        assert wait_until(lambda: tuple(state()) == ("held", True, 2), 20)
        with engine.connect() as conn:
            sent = lambda: conn.execute(text(  # noqa: E731
                "SELECT data, sent_at IS NOT NULL AS sent FROM inventory.outbox WHERE subject = :o"),
                {"o": str(order)}).all()
            assert wait_until(lambda: [(e.data["order_id"], e.sent) for e in sent()] == [(str(order), True)], 20)
        engine.dispose()


class TestProducerCredentials:
    def test_no_key_is_kongs_401_and_a_wrong_one_too(self, stack):
        gateway, _, _, _ = stack
        headers, data = count_event("W1", "SKU-1", 1)
        del headers["apikey"]
        status, response_headers, body = call(gateway, "POST", "/events", data, headers)
        assert status == 401 and json.loads(body)["message"] == "No API key found in request"
        assert response_headers["WWW-Authenticate"] == "Key"
        status, _, body = call(gateway, "POST", "/events", data, headers | {"apikey": "guessed"})
        assert status == 401 and json.loads(body)["message"] == "Unauthorized"
        assert set(json.loads(body)) == {"message", "request_id"}

    def test_a_type_the_producer_may_not_send_is_403(self, stack):
        gateway, _, _, _ = stack
        headers, _ = count_event("W1", "SKU-1", 1)
        headers["ce-type"] = "com.ecom.accounts.user.registered"  # a domain's own type
        data = {"user_id": str(uuid.uuid4()), "email": "a@b.example", "name": "A",
                "registered_at": "2026-11-26T10:00:00Z"}
        status, response_headers, body = call(gateway, "POST", "/events", data,
                                              headers | {"X-Consumer-Username": "producer-accounts"})
        assert status == 403 and response_headers["Content-Type"] == "application/problem+json"
        assert json.loads(body)["errors"] == [{"field": "type", "message": "not allowed for this producer"}]
        assert "producer-warehouse" in json.loads(body)["detail"]  # key-auth overwrote the spoofed name

    def test_a_count_no_column_holds_is_400(self, stack):
        gateway, _, _, _ = stack
        headers, data = count_event("W1", "SKU-1", 2**31)
        status, _, body = call(gateway, "POST", "/events", data, headers)
        assert status == 400 and "data.counted" in json.dumps(json.loads(body)["errors"])

    def test_a_deep_structured_event_and_a_long_id_are_400(self, stack):
        gateway, _, _, _ = stack
        deep = b'{"specversion":"1.0","id":"x","source":"/w","type":"%s","data":%s}' % (
            TYPE.encode(), b"[" * 100_000 + b"]" * 100_000)
        status, _, body = call(gateway, "POST", "/events", deep,
                               {"Content-Type": "application/cloudevents+json", "apikey": PRODUCER_KEY})
        assert status == 400 and json.loads(body)["errors"][0]["field"] == "body"
        headers, data = count_event("W1", "SKU-1", 1)
        status, _, body = call(gateway, "POST", "/events", data, headers | {"ce-id": "i" * 256})
        assert status == 400 and json.loads(body)["errors"][0]["field"] == "id"
