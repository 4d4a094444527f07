"""Checkout to the end: an order paid through the gateway, confirmed by events, its stock committed.

Every event goes through the relays and the local broker on RabbitMQ, every function is its own
process. The simulator's test tokens drive the provider: a success, declines and a retry, a
timeout retried safely, a slow card raced by concurrent duplicates, refunds, and a payment that
completes for an order cancelled meanwhile.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from schemas.migrate import role_url
from tests.e2e.conftest import call, event_stack, violations, wait_until
from tests.e2e.test_checkout_flow import available, buy, settled, stock_up

pytestmark = pytest.mark.e2e
SLOW_SECONDS = 1.5


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    with event_stack(signing_key, {"PAYMENT_SIMULATOR_SLOW_SECONDS": str(SLOW_SECONDS)}) as parts:
        yield parts


@pytest.fixture(scope="module")
def skus(stack) -> Iterator[Callable[[], str]]:
    """next(): an active SKU no other test of this module has used."""
    engine = create_engine(role_url(stack[2], "catalog"))
    with engine.connect() as conn:
        found = conn.execute(text("SELECT sku FROM catalog.products WHERE active ORDER BY sku DESC")).scalars().all()
    engine.dispose()
    pool = iter(found)
    yield lambda: next(pool)




@pytest.fixture(scope="module")
def payments_db(stack) -> Iterator:
    engine = create_engine(role_url(stack[2], "payments"), pool_size=1)
    yield engine
    engine.dispose()


def awaiting(gateway, admin_headers, shopper, sku: str, quantity: int = 1, stock: int = 5) -> dict:
    stock_up(gateway, admin_headers, sku, stock)
    order = settled(gateway, shopper, buy(gateway, shopper, sku, quantity)["id"])
    assert order["status"] == "awaiting_payment", order
    return order


def pay(gateway, shopper, body: dict, key: str | None = None) -> tuple[int, dict[str, str], dict]:
    status, headers, raw = call(gateway, "POST", "/api/payments", body,
                                shopper | {"Idempotency-Key": key or str(uuid.uuid4())})
    return status, headers, json.loads(raw)


def transactions_of(db, payment_id: str) -> list[tuple[str, str]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT kind, outcome FROM payments.transactions WHERE payment_id = :p ORDER BY id"), {"p": payment_id})]


def on_hand(url: str, sku: str) -> tuple[int, int]:
    engine = create_engine(role_url(url, "inventory"))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT sum(on_hand), sum(reserved) FROM inventory.stock_levels WHERE sku = :s"),
                           {"s": sku}).one()
    engine.dispose()
    return int(row[0]), int(row[1])


def test_a_shopper_pays_with_tok_visa_and_the_order_is_confirmed_and_its_stock_committed(
        stack, shoppers, skus, admin_headers, payments_db):
    gateway, _, url = stack
    sku = skus()
    [shopper] = shoppers(1)
    order = awaiting(gateway, admin_headers, shopper, sku, quantity=2, stock=5)
    key = str(uuid.uuid4())
    status, headers, payment = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_visa"}, key)
    assert status == 201, payment
    assert payment["status"] == "completed" and payment["amount"] == order["total"]
    assert payment["card"] == {"brand": "visa", "last4": "4242"}
    assert headers["Location"] == f"/api/payments/{payment['id']}"
    confirmed = settled(gateway, shopper, order["id"], leaving="awaiting_payment")
    confirmed = settled(gateway, shopper, order["id"], leaving="paid") if confirmed["status"] == "paid" else confirmed
    assert confirmed["status"] == "confirmed" and confirmed["payment_id"] == payment["id"]
    assert [h["status"] for h in confirmed["history"]] == ["pending", "awaiting_payment", "paid", "confirmed"]
    assert wait_until(lambda: on_hand(url, sku) == (3, 0), 30)  # committed: both drop
    assert available(gateway, sku) == 3
    assert transactions_of(payments_db, payment["id"]) == [("authorize", "succeeded"), ("capture", "succeeded")]

    again, replay_headers, replayed = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_visa"}, key)
    assert (again, replayed) == (201, payment) and replay_headers["Idempotent-Replayed"] == "true"
    other, _, problem = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_mastercard"}, key)
    assert other == 422 and problem["errors"][0]["field"] == "Idempotency-Key"
    twice, _, problem = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_visa"})
    assert twice == 409 and problem["errors"][0]["field"] == "order_id"

    status, _, raw = call(gateway, "GET", f"/api/payments/{payment['id']}", headers=shopper)
    assert status == 200 and json.loads(raw) == payment
    status, _, raw = call(gateway, "GET", f"/api/orders/{order['id']}/payments", headers=shopper)
    assert status == 200 and json.loads(raw)["items"] == [payment]
    [stranger] = shoppers(1)
    assert call(gateway, "GET", f"/api/payments/{payment['id']}", headers=stranger)[0] == 404
    assert call(gateway, "GET", f"/api/orders/{order['id']}/payments", headers=stranger)[0] == 404
    assert call(gateway, "GET", f"/api/payments/{payment['id']}", headers=admin_headers)[0] == 200


def test_a_declined_card_says_why_the_order_stays_payable_and_another_card_pays_it(
        stack, shoppers, skus, admin_headers, payments_db):
    gateway = stack[0]
    [shopper] = shoppers(1)
    order = awaiting(gateway, admin_headers, shopper, skus())
    key = str(uuid.uuid4())
    status, headers, problem = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_chargeDeclined"}, key)
    assert status == 402 and headers["Content-Type"] == "application/problem+json"
    assert (problem["code"], problem["detail"]) == ("card_declined", "Your card was declined.")
    again, _, replayed = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_chargeDeclined"}, key)
    assert (again, replayed) == (402, problem)  # the decline is replayed: the provider is not asked again
    assert transactions_of(payments_db, problem["payment_id"]) == [("authorize", "declined")]
    assert wait_until(lambda: json.loads(call(gateway, "GET", f"/api/orders/{order['id']}", headers=shopper)[2])
                      ["last_payment_failure"] is not None, 30)

    status, _, funds = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_chargeDeclinedInsufficientFunds"})
    assert status == 402 and funds["code"] == "insufficient_funds"
    status, _, payment = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_mastercard"})
    assert status == 201 and payment["card"]["brand"] == "mastercard"
    assert settled(gateway, shopper, order["id"], leaving="awaiting_payment")["status"] in ("paid", "confirmed")
    status, _, raw = call(gateway, "GET", f"/api/orders/{order['id']}/payments", headers=shopper)
    assert [p["status"] for p in json.loads(raw)["items"]] == ["failed", "failed", "completed"]


def test_a_provider_timeout_is_retried_with_the_same_key_and_charges_once(
        stack, shoppers, skus, admin_headers, payments_db):
    gateway = stack[0]
    [shopper] = shoppers(1)
    order = awaiting(gateway, admin_headers, shopper, skus())
    status, _, payment = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_timeout"})
    assert status == 201 and payment["status"] == "completed"
    assert transactions_of(payments_db, payment["id"]) == [
        ("authorize", "timeout"), ("authorize", "succeeded"), ("capture", "succeeded")]


def test_a_saved_method_pays_and_someone_elses_order_or_method_cannot_be_used(
        stack, shoppers, skus, admin_headers):
    gateway = stack[0]
    shopper, stranger = shoppers(2)
    card = {"token": "tok_visa", "brand": "visa", "last4": "4242", "exp_month": 12,
            "exp_year": datetime.now(timezone.utc).year + 1}
    status, _, raw = call(gateway, "POST", "/api/users/me/payment-methods", card, shopper)
    assert status == 201, raw
    method = json.loads(raw)
    order = awaiting(gateway, admin_headers, shopper, skus())
    status, _, problem = pay(gateway, stranger, {"order_id": order["id"], "token": "tok_visa"})
    assert status == 404  # another user's order does not exist for them
    status, _, problem = pay(gateway, stranger, {"order_id": str(uuid.uuid4()), "payment_method_id": method["id"]})
    assert status == 404
    status, _, problem = pay(gateway, shopper, {"order_id": order["id"]})
    assert status == 422 and problem["errors"][0]["field"] == "payment_method_id"
    status, _, problem = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_visa",
                                                "payment_method_id": method["id"]})
    assert status == 422 and problem["errors"][0]["field"] == "token"
    status, _, problem = pay(gateway, shopper, {"order_id": order["id"], "token": "4242 4242 4242 4242"})
    assert status == 422 and problem["errors"][0]["field"] == "token"
    assert "4242" not in json.dumps(problem)
    status, _, payment = pay(gateway, shopper, {"order_id": order["id"], "payment_method_id": method["id"]})
    assert status == 201 and payment["payment_method_id"] == method["id"]


def test_concurrent_duplicates_reach_the_provider_once(stack, shoppers, skus, admin_headers, payments_db):
    gateway = stack[0]
    [shopper] = shoppers(1)
    order = awaiting(gateway, admin_headers, shopper, skus())
    key, body = str(uuid.uuid4()), {"order_id": order["id"], "token": "tok_slow"}
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: pay(gateway, shopper, body, key), range(6)))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, answers
    busy = [problem for status, _, problem in answers if status == 409]
    assert all(problem["errors"][0]["field"] == "Idempotency-Key" for problem in busy)
    [payment_id] = {payment["id"] for status, _, payment in answers if status == 201}
    assert transactions_of(payments_db, payment_id) == [("authorize", "succeeded"), ("capture", "succeeded")]
    status, _, replayed = pay(gateway, shopper, body, key)
    assert status == 201 and replayed["id"] == payment_id


def test_refunds_partial_then_full_make_the_order_refunded_and_restock_it(
        stack, shoppers, skus, admin_headers, payments_db):
    gateway, _, url = stack
    sku = skus()
    [shopper] = shoppers(1)
    order = awaiting(gateway, admin_headers, shopper, sku, quantity=2, stock=4)
    status, _, payment = pay(gateway, shopper, {"order_id": order["id"], "token": "tok_visa"})
    assert status == 201
    assert wait_until(lambda: on_hand(url, sku) == (2, 0), 30)
    refund_path = f"/api/admin/payments/{payment['id']}/refund"
    total = payment["amount"]["amount_minor"]
    assert call(gateway, "POST", refund_path, {"amount_minor": 100}, shopper | {"Idempotency-Key": "k"})[0] == 403
    key = str(uuid.uuid4())
    status, _, raw = call(gateway, "POST", refund_path, {"amount_minor": 100, "reason": "damaged box"},
                          admin_headers | {"Idempotency-Key": key})
    assert status == 200, raw
    partial = json.loads(raw)
    assert partial["status"] == "partially_refunded" and partial["refunded"]["amount_minor"] == 100
    again = call(gateway, "POST", refund_path, {"amount_minor": 100, "reason": "damaged box"},
                 admin_headers | {"Idempotency-Key": key})
    assert again[0] == 200 and json.loads(again[2]) == partial  # the same request: not a second refund
    status, _, raw = call(gateway, "POST", refund_path, {"amount_minor": total}, admin_headers
                          | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 422 and json.loads(raw)["errors"][0]["field"] == "amount_minor"
    status, _, raw = call(gateway, "POST", refund_path, None, admin_headers | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 200 and json.loads(raw)["status"] == "refunded"
    assert json.loads(raw)["refunded"]["amount_minor"] == total
    refunded = settled(gateway, shopper, order["id"], leaving="confirmed")
    assert refunded["status"] == "refunded"
    assert wait_until(lambda: on_hand(url, sku) == (4, 0), 30)  # not shipped: back on the shelf
    kinds = transactions_of(payments_db, payment["id"])
    assert kinds.count(("refund", "succeeded")) == 2
    status, _, raw = call(gateway, "POST", refund_path, None, admin_headers | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 409


def test_a_payment_that_completes_for_an_order_cancelled_meanwhile_is_refunded(
        stack, shoppers, skus, admin_headers, payments_db):
    gateway, _, url = stack
    sku = skus()
    [shopper] = shoppers(1)
    order = awaiting(gateway, admin_headers, shopper, sku, stock=3)
    # The cancel function started now (a 404), so that its cold start does not outlast the card.
    assert call(gateway, "POST", f"/api/orders/{uuid.uuid4()}/cancel", headers=shopper)[0] == 404
    answer: list = []
    paying = threading.Thread(target=lambda: answer.append(
        pay(gateway, shopper, {"order_id": order["id"], "token": "tok_slow"})))
    paying.start()
    time.sleep(SLOW_SECONDS / 3)  # the provider is thinking
    cancel = call(gateway, "POST", f"/api/orders/{order['id']}/cancel", headers=shopper)
    paying.join()
    assert cancel[0] == 200, (cancel, answer)
    [(status, _, body)] = answer
    assert status in (201, 409), body  # 409: cancelled before it settled; 201: the refund follows

    def refunded() -> bool:
        with payments_db.connect() as conn:
            return conn.scalar(text("SELECT status FROM payments.payments WHERE order_id = :o"),
                               {"o": order["id"]}) == "refunded"

    assert wait_until(refunded, 30)
    final = json.loads(call(gateway, "GET", f"/api/orders/{order['id']}", headers=shopper)[2])
    assert final["status"] == "cancelled" and final["payment_id"] is None
    assert wait_until(lambda: available(gateway, sku) == 3, 30)
    assert pay(gateway, shopper, {"order_id": order["id"], "token": "tok_visa"})[0] == 409


def test_after_every_flow_above_make_verify_finds_nothing(stack):
    url = stack[2]
    assert wait_until(lambda: not violations(url), 30), violations(url)
