"""Checkout as the events carry it: orders and inventory through the local broker and the relays.

A shopper places an order through the gateway; orders' relay publishes order.placed, the broker
delivers it to inventory-on-order-placed, inventory's relay publishes stock.reserved (or
rejected), and orders-on-stock-reserved makes the order payable. Nothing is sent by hand.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest

from functions.catalog.adapters.seed import load_seed
from localrun.broker.localbroker import start_local_broker
from localrun.dev.relays import Relays
from schemas.migrate import role_url
from tests.e2e.conftest import REPO, call, local_stack, wait_until
from tests.e2e.test_orders_through_gateway import add, auth, place, shopper_with_address

pytestmark = pytest.mark.e2e
DOMAINS = ("catalog", "inventory", "orders")



@contextmanager
def events_stack(signing_key, **env: str) -> Iterator[tuple]:
    """The local stack with the broker (RabbitMQ) and the relays of catalog, inventory and orders."""
    run = uuid.uuid4().hex[:8]
    broker_env = {"EVENTS_EXCHANGE": f"ecom.events.test-{run}", "BROKER_QUEUE_PREFIX": f"ecom.test-{run}"}
    with local_stack(signing_key) as (gateway, activator, url):
        activator.launcher.add_env(**env)
        broker = start_local_broker(REPO, activator, gateway, broker_env)
        assert broker is not None, "RabbitMQ must answer"
        relays = Relays({domain: role_url(url, domain) for domain in DOMAINS}, broker.url,
                        broker_env["EVENTS_EXCHANGE"], "rabbitmq")
        relays.start()
        try:
            yield gateway, broker
        finally:
            relays.stop()
            broker.stop()
            broker.delete_topology()


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    with events_stack(signing_key) as started:
        yield started


@pytest.fixture(scope="module")
def admin(mint) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint('admin')}"}


def stock(gateway, admin, sku: str, units: int) -> None:
    """Put `units` of `sku` in a new warehouse."""
    status, _, body = call(gateway, "POST", "/api/admin/warehouses",
                           {"code": f"CO-{uuid.uuid4().hex[:6].upper()}", "name": "Checkout"}, admin)
    assert status == 201, body
    status, _, body = call(gateway, "POST", "/api/admin/stock/receive",
                           {"warehouse_id": json.loads(body)["id"], "sku": sku, "quantity": units,
                            "reason": "test"}, admin)
    assert status == 200, body


def available(gateway, sku: str) -> int:
    return json.loads(call(gateway, "GET", f"/api/inventory/{sku}")[2])["available"]


def order_of(gateway, shopper, order_id: str) -> dict:
    return json.loads(call(gateway, "GET", f"/api/orders/{order_id}", headers=auth(shopper))[2])


def buy(gateway, sku: str, quantity: int) -> tuple[dict, dict]:
    shopper = shopper_with_address(gateway)
    status, body = add(gateway, shopper, sku, quantity)
    assert status in (200, 201), body
    status, _, order = place(gateway, shopper, str(uuid.uuid4()))
    assert status == 201, order
    return shopper, order


class TestCheckout:
    def test_held_stock_makes_the_order_payable(self, stack, admin):
        gateway, _ = stack
        sku = load_seed()["products"][6]["sku"]
        stock(gateway, admin, sku, 3)
        before = available(gateway, sku)
        shopper, order = buy(gateway, sku, 2)
        assert wait_until(lambda: order_of(gateway, shopper, order["id"])["status"] == "awaiting_payment", 30)
        assert available(gateway, sku) == before - 2

    def test_no_stock_cancels_the_order_out_of_stock(self, stack, admin):
        gateway, _ = stack
        sku = load_seed()["products"][7]["sku"]
        stock(gateway, admin, sku, 1)
        before = available(gateway, sku)
        shopper, order = buy(gateway, sku, before + 1)
        assert wait_until(lambda: order_of(gateway, shopper, order["id"])["status"] == "cancelled", 30)
        assert order_of(gateway, shopper, order["id"])["cancel_reason"] == "out_of_stock"
        assert available(gateway, sku) == before

    def test_cancelling_gives_the_stock_back(self, stack, admin):
        gateway, _ = stack
        sku = load_seed()["products"][8]["sku"]
        stock(gateway, admin, sku, 2)
        before = available(gateway, sku)
        shopper, order = buy(gateway, sku, 2)
        assert wait_until(lambda: order_of(gateway, shopper, order["id"])["status"] == "awaiting_payment", 30)
        assert available(gateway, sku) == before - 2
        status, _, body = call(gateway, "POST", f"/api/orders/{order['id']}/cancel", headers=auth(shopper))
        assert status == 200, body
        assert wait_until(lambda: available(gateway, sku) == before, 30)


def test_an_unpaid_order_lapses_and_its_stock_comes_back(signing_key, mint):
    # Holds of one second: the PingSource's tick (fired at once here, not waited for) finds it due.
    with events_stack(signing_key, RESERVATION_TTL_SECONDS="1") as (gateway, broker):
        admin = {"Authorization": f"Bearer {mint('admin')}"}
        sku = load_seed()["products"][9]["sku"]
        stock(gateway, admin, sku, 2)
        shopper, order = buy(gateway, sku, 2)
        # Held (awaiting payment), unless a real minute's tick lapsed it already: either way it moved.
        assert wait_until(lambda: order_of(gateway, shopper, order["id"])["status"] != "pending", 30)
        source, = [s for s in broker.ping_sources if s.name == "inventory-expire-reservations"]

        def lapsed() -> bool:
            broker.pings.fire(source, datetime.now(timezone.utc))
            return order_of(gateway, shopper, order["id"])["status"] == "cancelled"

        assert wait_until(lapsed, 30)
        assert order_of(gateway, shopper, order["id"])["cancel_reason"] == "payment_timeout"
        assert wait_until(lambda: available(gateway, sku) == 2, 10)
