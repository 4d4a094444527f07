"""A reservation left unpaid past RESERVATION_TTL_SECONDS (2 s here) is released by the expiry
function and its order is cancelled.

Its own stack: a two-second reservation lifetime would cancel the orders of any slower test
sharing it (the local broker's own minute tick releases them too).
"""

from __future__ import annotations

import http.client
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from schemas.migrate import role_url
from tests.e2e.conftest import event_stack
from tests.e2e.test_checkout_flow import available, buy, settled, stock_up

pytestmark = pytest.mark.e2e
TTL_SECONDS = 2


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    with event_stack(signing_key, {"RESERVATION_TTL_SECONDS": str(TTL_SECONDS)}) as (gateway, activator, url):
        yield gateway, activator, url




def tick(activator) -> None:
    """The PingSource's minute tick, sent now (the local broker's own would come within a minute)."""
    lease = activator.acquire("inventory-expire-reservations")
    try:
        conn = http.client.HTTPConnection(lease.host, lease.port, timeout=30)
        conn.request("POST", "/", body=b"{}", headers={
            "Content-Type": "application/json", "ce-specversion": "1.0", "ce-id": str(uuid.uuid4()),
            "ce-source": "/apis/v1/namespaces/ecom/pingsources/inventory-expire-reservations",
            "ce-type": "dev.knative.sources.ping"})
        assert conn.getresponse().status == 200
    finally:
        activator.release(lease)


def test_an_unpaid_reservation_expires_the_order_is_cancelled_and_the_stock_released(
        stack, shoppers, admin_headers):
    gateway, activator, url = stack
    engine = create_engine(role_url(url, "catalog"))
    with engine.connect() as conn:
        sku = conn.execute(text("SELECT min(sku) FROM catalog.products WHERE active")).scalar_one()
    engine.dispose()
    stock_up(gateway, admin_headers, sku, 3)
    [shopper] = shoppers(1)
    order = settled(gateway, shopper, buy(gateway, shopper, sku, 3)["id"])
    assert order["status"] == "awaiting_payment" and available(gateway, sku) == 0
    time.sleep(TTL_SECONDS + 0.5)
    tick(activator)
    order = settled(gateway, shopper, order["id"], leaving="awaiting_payment")
    assert (order["status"], order["cancel_reason"]) == ("cancelled", "payment_timeout")
    assert available(gateway, sku) == 3
