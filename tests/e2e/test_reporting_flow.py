"""The sales projection after real checkouts: every event through the relays and the local broker
on RabbitMQ to reporting's handlers; then make rebuild-reports' replay of the outboxes gives the
very same projection and report."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from functions.reporting.rebuild import rebuild
from schemas.migrate import DOMAINS, READER, role_url
from tests.e2e.conftest import call, event_stack, wait_until
from tests.e2e.test_checkout_flow import buy, settled, stock_up

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    with event_stack(signing_key) as parts:
        yield parts


def pay(gateway, shopper, order_id: str, token: str) -> tuple[int, dict]:
    status, _, raw = call(gateway, "POST", "/api/payments", {"order_id": order_id, "token": token},
                          shopper | {"Idempotency-Key": str(uuid.uuid4())})
    return status, json.loads(raw)


def awaiting(gateway, shopper, sku: str, quantity: int) -> dict:
    order = settled(gateway, shopper, buy(gateway, shopper, sku, quantity)["id"])
    assert order["status"] == "awaiting_payment", order
    return order


def confirmed(gateway, shopper, order_id: str) -> dict:
    assert wait_until(lambda: settled(gateway, shopper, order_id, seconds=0)["status"] == "confirmed", 30)
    return settled(gateway, shopper, order_id, seconds=0)


def report(gateway, admin_headers, window: dict[str, str]) -> dict:
    status, _, raw = call(gateway, "GET", "/api/admin/reports/sales?" + urlencode(window), headers=admin_headers)
    assert status == 200, raw
    return json.loads(raw)


def projection_rows(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(role_url(url, "reporting"), pool_size=1)
    with engine.connect() as conn:
        rows = {table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM reporting.{table} ORDER BY 1, 2"))]
                for table in ("orders", "order_lines", "payments", "stock")}
    engine.dispose()
    return rows


def pending_everywhere(url: str) -> int:
    engine = create_engine(role_url(url, READER), pool_size=1)
    with engine.connect() as conn:
        count = sum(conn.execute(text(f"SELECT count(*) FROM {d}.outbox WHERE sent_at IS NULL")).scalar_one()
                    for d in DOMAINS)
    engine.dispose()
    return count


def test_checkouts_are_reported_and_a_rebuild_from_the_outboxes_gives_the_same_numbers(stack, shoppers,
                                                                                       admin_headers):
    gateway, _, url = stack
    engine = create_engine(role_url(url, "catalog"), pool_size=1)
    with engine.connect() as conn:
        a, b = conn.execute(text("SELECT sku FROM catalog.products WHERE active ORDER BY sku LIMIT 2")).scalars()
    engine.dispose()
    stock_up(gateway, admin_headers, a, 20)
    stock_up(gateway, admin_headers, b, 20)
    now = datetime.now(timezone.utc)
    window = {"from": (now - timedelta(hours=2)).isoformat(), "to": (now + timedelta(hours=2)).isoformat(),
              "bucket": "hour", "low_stock": "100"}
    first, second, third, fourth = shoppers(4)

    paid = [awaiting(gateway, first, a, 2), awaiting(gateway, second, b, 1), awaiting(gateway, third, a, 3)]
    for shopper, order in zip((first, second, third), paid):
        assert pay(gateway, shopper, order["id"], "tok_visa")[0] == 201
    declined = awaiting(gateway, fourth, b, 4)
    assert pay(gateway, fourth, declined["id"], "tok_chargeDeclined")[0] == 402
    assert call(gateway, "POST", f"/api/orders/{declined['id']}/cancel", headers=fourth)[0] in (200, 202)
    totals = [confirmed(gateway, s, o["id"])["total"] for s, o in zip((first, second, third), paid)]
    # The third order is refunded in full by an admin.
    status, _, raw = call(gateway, "GET", f"/api/orders/{paid[2]['id']}/payments", headers=third)
    [payment] = json.loads(raw)["items"]
    status, _, raw = call(gateway, "POST", f"/api/admin/payments/{payment['id']}/refund", None,
                          admin_headers | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 200, raw

    def arrived() -> bool:
        found = report(gateway, admin_headers, window)
        return (found["totals"]["confirmed"], found["totals"]["cancelled"], found["totals"]["refunded"]) == (3, 1, 1)

    assert wait_until(arrived, 60), report(gateway, admin_headers, window)["totals"]
    assert wait_until(lambda: pending_everywhere(url) == 0, 30)
    live = report(gateway, admin_headers, window)
    for _ in range(30):  # settled: two reads a second apart agree
        time.sleep(1)
        again = report(gateway, admin_headers, window)
        if again == live:
            break
        live = again
    live_rows = projection_rows(url)

    currency = totals[0]["currency"]
    assert live["totals"]["revenue"] == [{"amount_minor": sum(t["amount_minor"] for t in totals), "currency": currency}]
    assert live["totals"]["refunds"] == [totals[2]]
    assert live["conversion"] == {"placed": 4, "confirmed": 3, "cancelled": 1, "rate": 0.75}
    assert {p["sku"]: p["units"] for p in live["top_products"]} == {a: 5, b: 1}
    assert sum(p["payments_completed"] for p in live["series"]) == 3
    assert sum(p["payments_failed"] for p in live["series"]) == 1
    low = {i["sku"]: i["available"] for i in live["low_stock"]["items"]}
    assert (low[a], low[b]) == (18, 19)  # the refunded order's units went back, the cancelled one's were released

    done = rebuild(url)
    assert done.skipped == 0 and done.total() > 0
    assert projection_rows(url) == live_rows
    assert report(gateway, admin_headers, window) == live
