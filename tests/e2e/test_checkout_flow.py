"""Checkout up to payment, every event through the relays and the local broker on RabbitMQ.

The cart becomes an order (orders), `order.placed` reaches inventory, which holds the stock and
answers `stock.reserved` (or `stock.rejected`), and orders moves on. Cancelling releases the
stock. And the race: 200 buyers for 20 units. (Expiry has its own module and stack,
test_reservation_expiry.py: its short reservation lifetime would cancel this module's orders.)
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from schemas.migrate import role_url
from tests.e2e.conftest import call, event_stack

pytestmark = pytest.mark.e2e
BUYERS, UNITS = 200, 20


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    with event_stack(signing_key) as (gateway, activator, url):
        yield gateway, activator, url


@pytest.fixture(scope="module")
def skus(stack) -> list[str]:
    """The seeded catalog's SKUs, least likely first to be used by another test in this module."""
    engine = create_engine(role_url(stack[2], "catalog"))
    with engine.connect() as conn:
        found = conn.execute(text("SELECT sku FROM catalog.products WHERE active ORDER BY sku")).scalars().all()
    engine.dispose()
    return list(found)




def stock_up(gateway, admin_headers, sku: str, *units: int) -> list[str]:
    """Receive `units[i]` of sku into a new warehouse each; return their ids."""
    ids = []
    for count in units:
        code = f"W{uuid.uuid4().hex[:6].upper()}"
        status, _, body = call(gateway, "POST", "/api/admin/warehouses", {"code": code, "name": code}, admin_headers)
        assert status == 201, body
        ids.append(json.loads(body)["id"])
        status, _, body = call(gateway, "POST", "/api/admin/stock/receive",
                               {"warehouse_id": ids[-1], "sku": sku, "quantity": count, "reason": "test"},
                               admin_headers)
        assert status in (200, 201), body
    return ids


def available(gateway, sku: str) -> int:
    status, _, body = call(gateway, "GET", f"/api/inventory/{sku}")
    assert status == 200, body
    return json.loads(body)["available"]


def buy(gateway, shopper: dict[str, str], sku: str, quantity: int = 1) -> dict:
    status, _, body = call(gateway, "POST", "/api/cart/items", {"sku": sku, "quantity": quantity}, shopper)
    assert status == 201, body
    status, _, body = call(gateway, "POST", "/api/orders", {}, shopper | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, body
    return json.loads(body)


def settled(gateway, shopper: dict[str, str], order_id: str, *, leaving: str = "pending",
            seconds: float = 30) -> dict:
    """Poll the order until its status is no longer `leaving`; return it."""
    deadline = time.monotonic() + seconds
    while True:
        status, _, body = call(gateway, "GET", f"/api/orders/{order_id}", headers=shopper)
        order = json.loads(body)
        if order["status"] != leaving or time.monotonic() > deadline:
            return order
        time.sleep(0.1)


def test_a_placed_order_gets_its_stock_held_and_awaits_payment(stack, shoppers, skus, admin_headers):
    gateway = stack[0]
    sku = skus[0]
    stock_up(gateway, admin_headers, sku, 5)
    [shopper] = shoppers(1)
    order = settled(gateway, shopper, buy(gateway, shopper, sku, 3)["id"])
    assert order["status"] == "awaiting_payment" and order["payable_until"] is not None
    assert [h["status"] for h in order["history"]] == ["pending", "awaiting_payment"]
    assert available(gateway, sku) == 2


def test_more_than_there_is_cancels_the_order_out_of_stock(stack, shoppers, skus, admin_headers):
    gateway = stack[0]
    sku = skus[1]
    stock_up(gateway, admin_headers, sku, 2)
    [shopper] = shoppers(1)
    order = settled(gateway, shopper, buy(gateway, shopper, sku, 3)["id"])
    assert (order["status"], order["cancel_reason"]) == ("cancelled", "out_of_stock")
    assert available(gateway, sku) == 2


def test_cancelling_releases_the_stock(stack, shoppers, skus, admin_headers):
    gateway = stack[0]
    sku = skus[2]
    stock_up(gateway, admin_headers, sku, 4)
    [shopper] = shoppers(1)
    order = settled(gateway, shopper, buy(gateway, shopper, sku, 4)["id"])
    assert order["status"] == "awaiting_payment" and available(gateway, sku) == 0
    assert call(gateway, "POST", f"/api/orders/{order['id']}/cancel", headers=shopper)[0] == 200
    deadline = time.monotonic() + 30
    while available(gateway, sku) != 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert available(gateway, sku) == 4


def test_200_buyers_race_for_20_units_and_exactly_20_get_them(stack, shoppers, skus, admin_headers):
    gateway, _, url = stack
    sku = skus[4]
    warehouses = stock_up(gateway, admin_headers, sku, 12, UNITS - 12)
    buyers = shoppers(BUYERS)
    seen_available: list[int] = []
    racing = threading.Event()
    racing.set()

    def watch() -> None:  # the public availability while the race runs
        while racing.is_set():
            seen_available.append(available(gateway, sku))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            orders = list(pool.map(lambda shopper: (shopper, buy(gateway, shopper, sku)), buyers))
        final = [settled(gateway, shopper, order["id"], seconds=60) for shopper, order in orders]
    finally:
        racing.clear()
        watcher.join()
    statuses = [(o["status"], o["cancel_reason"]) for o in final]
    assert statuses.count(("awaiting_payment", None)) == UNITS
    assert statuses.count(("cancelled", "out_of_stock")) == BUYERS - UNITS
    assert min(seen_available) >= 0 and available(gateway, sku) == 0
    engine = create_engine(role_url(url, "inventory"))
    with engine.connect() as conn:
        levels = conn.execute(text("SELECT warehouse_id, on_hand, reserved FROM inventory.stock_levels "
                                   "WHERE sku = :sku"), {"sku": sku}).all()
        ledger = {row.warehouse_id: (row.on_hand, row.reserved) for row in conn.execute(text(
            "SELECT warehouse_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved "
            "FROM inventory.stock_movements WHERE sku = :sku GROUP BY warehouse_id"), {"sku": sku})}
    engine.dispose()
    assert sorted(str(level.warehouse_id) for level in levels) == sorted(warehouses)
    assert sum(level.reserved for level in levels) == UNITS and sum(level.on_hand for level in levels) == UNITS
    for level in levels:
        assert ledger[level.warehouse_id] == (level.on_hand, level.reserved)
