"""The cart and placing orders as a shopper meets them: through the gateway, real processes, real DB.

Orders asks catalog (prices) and accounts (the shipping address) over the cluster-local gateway,
as in the cluster. Inventory's answers (stock held, refused, lapsed) are sent to the orders'
handlers the way the broker delivers them: a binary-mode CloudEvent to the handler's Service.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from functions.catalog.adapters.seed import load_seed
from schemas.migrate import role_url
from tests.e2e.conftest import call, local_stack
from tests.e2e.test_accounts_through_gateway import bearer, register_and_log_in

pytestmark = pytest.mark.e2e
ADDRESS = {"name": "Edie Example", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
           "country": "US"}


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    with local_stack(signing_key) as (gateway, activator, url):
        yield gateway, activator, url


@pytest.fixture(scope="module")
def products() -> list[dict]:
    return load_seed()["products"]


def shopper_with_address(gateway) -> dict[str, str]:
    tokens = register_and_log_in(gateway)
    headers = bearer(tokens["access_token"])
    status, _, body = call(gateway, "POST", "/api/users/me/addresses", ADDRESS, headers)
    assert status == 201, body
    return headers | {"X-Address-Id": json.loads(body)["id"]}


@pytest.fixture
def shopper(stack) -> dict[str, str]:
    return shopper_with_address(stack[0])


def auth(headers: dict[str, str]) -> dict[str, str]:
    return {"Authorization": headers["Authorization"]}


def add(gateway, shopper, sku: str, quantity: int = 1) -> tuple[int, dict]:
    status, _, body = call(gateway, "POST", "/api/cart/items", {"sku": sku, "quantity": quantity}, auth(shopper))
    return status, json.loads(body)


def place(gateway, shopper, key: str | None = None, body: dict | None = None) -> tuple[int, dict, dict]:
    headers = auth(shopper) | ({"Idempotency-Key": key} if key else {})
    status, answer_headers, answer = call(gateway, "POST", "/api/orders", body if body is not None else {}, headers)
    return status, answer_headers, json.loads(answer)


def deliver(activator, handler: str, event_type: str, data: dict) -> int:
    """POST a binary-mode CloudEvent to an orders handler as the broker does; return the status."""
    lease = activator.acquire(handler)
    try:
        conn = http.client.HTTPConnection(lease.host, lease.port, timeout=30)
        conn.request("POST", "/", body=json.dumps(data), headers={
            "Content-Type": "application/json", "ce-specversion": "1.0", "ce-id": str(uuid.uuid4()),
            "ce-source": "/ecom/inventory/test", "ce-type": event_type, "ce-subject": data["order_id"]})
        return conn.getresponse().status
    finally:
        activator.release(lease)


class TestCart:
    def test_an_item_goes_in_at_the_catalogs_price_and_quantities_add_up(self, stack, shopper, products):
        gateway = stack[0]
        product = products[0]
        status, cart = add(gateway, shopper, product["sku"], 2)
        assert status == 201
        status, cart = add(gateway, shopper, product["sku"], 3)
        line = cart["items"][0]
        assert (line["sku"], line["quantity"], line["name"]) == (product["sku"], 5, product["name"])
        assert line["unit_price"] == product["price"]
        assert cart["subtotal"]["amount_minor"] == 5 * product["price"]["amount_minor"] and cart["item_count"] == 5
        status, _, body = call(gateway, "GET", "/api/cart", headers=auth(shopper))
        assert status == 200 and json.loads(body)["items"] == cart["items"]

    def test_quantities_change_and_lines_go(self, stack, shopper, products):
        gateway = stack[0]
        sku = products[1]["sku"]
        add(gateway, shopper, sku)
        status, _, body = call(gateway, "PATCH", f"/api/cart/items/{sku}", {"quantity": 7}, auth(shopper))
        assert status == 200 and json.loads(body)["items"][0]["quantity"] == 7
        status, _, body = call(gateway, "DELETE", f"/api/cart/items/{sku}", headers=auth(shopper))
        assert status == 200 and json.loads(body)["items"] == [] and json.loads(body)["subtotal"] is None
        assert call(gateway, "DELETE", f"/api/cart/items/{sku}", headers=auth(shopper))[0] == 404

    @pytest.mark.parametrize("body, field", [
        ({"sku": "NO-SUCH-SKU-1", "quantity": 1}, "sku"),
        ({"sku": "lower", "quantity": 1}, "sku"),
        ({"sku": "X", "quantity": 0}, "quantity"),
        ({"sku": "X", "quantity": 100}, "quantity"),
    ])
    def test_what_cannot_go_in_is_named(self, stack, shopper, body, field):
        status, _, answer = call(stack[0], "POST", "/api/cart/items", body, auth(shopper))
        assert status == 422 and [e["field"] for e in json.loads(answer)["errors"]] == [field]

    def test_a_line_never_holds_more_than_99(self, stack, shopper, products):
        gateway = stack[0]
        add(gateway, shopper, products[2]["sku"], 60)
        status, body = add(gateway, shopper, products[2]["sku"], 40)
        assert status == 422 and body["errors"][0]["field"] == "quantity"

    def test_a_cart_belongs_to_its_shopper(self, stack, shopper, products):
        gateway = stack[0]
        add(gateway, shopper, products[3]["sku"])
        other = shopper_with_address(gateway)
        status, _, body = call(gateway, "GET", "/api/cart", headers=auth(other))
        assert status == 200 and json.loads(body)["items"] == []
        assert call(gateway, "DELETE", f"/api/cart/items/{products[3]['sku']}", headers=auth(other))[0] == 404

    def test_no_token_is_401(self, stack):
        assert call(stack[0], "GET", "/api/cart")[0] == 401

    def test_catalog_down_is_a_503_problem_within_the_deadline(self, stack, shopper, products):
        gateway, activator, _ = stack
        spec = activator.specs["catalog-product"]
        activator.stop("catalog-product")
        activator.specs["catalog-product"] = dataclasses.replace(spec, target="no_such_target")  # cannot start
        try:
            started = datetime.now(timezone.utc)
            status, headers, body = call(gateway, "POST", "/api/cart/items", {"sku": products[4]["sku"]}, auth(shopper))
            took = (datetime.now(timezone.utc) - started).total_seconds()
        finally:
            activator.specs["catalog-product"] = spec
        assert status == 503 and headers["Content-Type"].startswith("application/problem+json"), body
        assert "catalog-product" in json.loads(body)["detail"] and took < 10


class TestPlacingAnOrder:
    def test_the_cart_becomes_a_pending_order_with_snapshots_and_totals(self, stack, shopper, products):
        gateway, _, url = stack
        a, b = products[0], products[1]
        add(gateway, shopper, a["sku"], 2)
        add(gateway, shopper, b["sku"], 1)
        status, headers, order = place(gateway, shopper, str(uuid.uuid4()))
        assert status == 201, order
        assert headers["Location"] == f"/api/orders/{order['id']}" and "Idempotent-Replayed" not in headers
        assert order["status"] == "pending" and [h["status"] for h in order["history"]] == ["pending"]
        assert [(i["sku"], i["quantity"]) for i in order["items"]] == [(a["sku"], 2), (b["sku"], 1)]
        subtotal = 2 * a["price"]["amount_minor"] + b["price"]["amount_minor"]
        assert order["subtotal"]["amount_minor"] == subtotal
        shipping = 0 if subtotal >= 5000 else 499
        tax = (subtotal * 800 + 5000) // 10000
        assert (order["shipping"]["amount_minor"], order["tax"]["amount_minor"]) == (shipping, tax)
        assert order["total"]["amount_minor"] == subtotal + shipping + tax
        assert order["shipping_address"]["line1"] == ADDRESS["line1"]
        assert order["shipping_address"]["address_id"] == shopper["X-Address-Id"]
        status, _, body = call(gateway, "GET", "/api/cart", headers=auth(shopper))
        assert json.loads(body)["items"] == []
        engine = create_engine(role_url(url, "orders"))
        with engine.connect() as conn:
            placed = conn.execute(text("SELECT type, data FROM orders.outbox WHERE subject = :id"),
                                  {"id": order["id"]}).all()
        engine.dispose()
        assert [p.type for p in placed] == ["com.ecom.orders.order.placed"]
        assert placed[0].data["lines"] == [{"sku": a["sku"], "quantity": 2}, {"sku": b["sku"], "quantity": 1}]

    def test_the_cart_and_the_order_take_catalogs_prices_now_and_refuse_what_left_the_shop(
            self, stack, shopper, admin_headers):
        gateway = stack[0]
        made = []
        for n, amount in enumerate((1000, 2000)):
            body = {"sku": f"E2E-PRICE-{uuid.uuid4().hex[:8].upper()}", "name": f"Price test {n}",
                    "price": {"amount_minor": amount, "currency": "USD"}}
            status, _, answer = call(gateway, "POST", "/api/products", body, admin_headers)
            assert status == 201, answer
            made.append(json.loads(answer))
            assert add(gateway, shopper, made[-1]["sku"])[0] == 201
        repriced, gone = made
        status, _, answer = call(gateway, "PATCH", f"/api/products/{repriced['id']}",
                                 {"price": {"amount_minor": 1250, "currency": "USD"}}, admin_headers)
        assert status == 200, answer
        assert call(gateway, "DELETE", f"/api/products/{gone['id']}", headers=admin_headers)[0] in (200, 204)
        # One call to catalog prices every line: the new price, and the stored one for what left the shop.
        status, _, answer = call(gateway, "GET", "/api/cart", headers=auth(shopper))
        prices = {line["sku"]: line["unit_price"]["amount_minor"] for line in json.loads(answer)["items"]}
        assert prices == {repriced["sku"]: 1250, gone["sku"]: 2000}
        status, _, problem = place(gateway, shopper, str(uuid.uuid4()))
        assert status == 409 and gone["sku"] in problem["detail"], problem
        call(gateway, "DELETE", f"/api/cart/items/{gone['sku']}", headers=auth(shopper))
        status, _, order = place(gateway, shopper, str(uuid.uuid4()))
        assert status == 201 and order["items"][0]["unit_price"]["amount_minor"] == 1250, order

    def test_an_empty_cart_is_409_and_no_key_is_422(self, stack, shopper):
        status, _, body = place(stack[0], shopper, str(uuid.uuid4()))
        assert status == 409 and body["errors"][0]["field"] == "items"
        status, _, body = place(stack[0], shopper)
        assert status == 422 and body["errors"][0]["field"] == "Idempotency-Key"

    def test_an_address_of_someone_else_is_422(self, stack, shopper, products):
        gateway = stack[0]
        other = shopper_with_address(gateway)
        add(gateway, shopper, products[0]["sku"])
        status, _, body = place(gateway, shopper, str(uuid.uuid4()), {"shipping_address_id": other["X-Address-Id"]})
        assert status == 422 and body["errors"][0]["field"] == "shipping_address_id"

    def test_no_default_address_is_422(self, stack, products):
        gateway = stack[0]
        headers = bearer(register_and_log_in(gateway)["access_token"])
        add(gateway, headers, products[0]["sku"])
        status, _, body = place(gateway, headers, str(uuid.uuid4()))
        assert status == 422 and body["errors"][0]["field"] == "shipping_address_id"


class TestIdempotency:
    def test_the_same_key_and_body_replays_the_first_answer(self, stack, shopper, products):
        gateway = stack[0]
        add(gateway, shopper, products[0]["sku"])
        key = str(uuid.uuid4())
        first = place(gateway, shopper, key)
        again = place(gateway, shopper, key)
        assert first[0] == again[0] == 201 and first[2] == again[2]
        assert again[1]["Idempotent-Replayed"] == "true"
        status, _, body = call(gateway, "GET", "/api/orders", headers=auth(shopper))
        assert json.loads(body)["total"] == 1

    def test_the_same_key_with_another_body_is_422(self, stack, shopper, products):
        gateway = stack[0]
        add(gateway, shopper, products[0]["sku"])
        key = str(uuid.uuid4())
        assert place(gateway, shopper, key)[0] == 201
        status, _, body = place(gateway, shopper, key, {"shipping_address_id": shopper["X-Address-Id"]})
        assert status == 422 and body["errors"][0]["field"] == "Idempotency-Key"

    def test_concurrent_duplicates_place_one_order(self, stack, shopper, products):
        gateway = stack[0]
        add(gateway, shopper, products[0]["sku"])
        key = str(uuid.uuid4())
        answers: list[tuple] = []
        threads = [threading.Thread(target=lambda: answers.append(place(gateway, shopper, key))) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert {a[0] for a in answers} == {201} and len({a[2]["id"] for a in answers}) == 1
        status, _, body = call(gateway, "GET", "/api/orders", headers=auth(shopper))
        assert json.loads(body)["total"] == 1

    def test_a_key_is_the_callers_own(self, stack, shopper, products):
        gateway = stack[0]
        key = str(uuid.uuid4())
        other = shopper_with_address(gateway)
        add(gateway, shopper, products[0]["sku"])
        add(gateway, other, products[1]["sku"])
        mine, theirs = place(gateway, shopper, key), place(gateway, other, key)
        assert mine[0] == theirs[0] == 201 and mine[2]["id"] != theirs[2]["id"]


class TestFollowingAnOrder:
    def placed(self, stack, shopper, products) -> dict:
        add(stack[0], shopper, products[0]["sku"])
        status, _, order = place(stack[0], shopper, str(uuid.uuid4()))
        assert status == 201
        return order

    def test_stock_held_makes_it_payable_until_the_reservation_lapses(self, stack, shopper, products):
        gateway, activator, _ = stack
        order = self.placed(stack, shopper, products)
        expires = (datetime.now(timezone.utc) + timedelta(minutes=15)).isoformat()
        data = {"order_id": order["id"], "lines": [], "expires_at": expires, "reserved_at": expires}
        assert deliver(activator, "orders-on-stock-reserved", "com.ecom.inventory.stock.reserved", data) == 200
        status, _, body = call(gateway, "GET", f"/api/orders/{order['id']}", headers=auth(shopper))
        found = json.loads(body)
        assert found["status"] == "awaiting_payment" and found["payable_until"] is not None
        assert [(h["from_status"], h["status"]) for h in found["history"]] == [
            (None, "pending"), ("pending", "awaiting_payment")]

    def test_no_stock_cancels_it_and_a_late_reservation_changes_nothing(self, stack, shopper, products):
        gateway, activator, _ = stack
        order = self.placed(stack, shopper, products)
        assert deliver(activator, "orders-on-stock-rejected", "com.ecom.inventory.stock.rejected",
                       {"order_id": order["id"], "short": [], "rejected_at": "2026-12-03T10:00:00Z"}) == 200
        found = json.loads(call(gateway, "GET", f"/api/orders/{order['id']}", headers=auth(shopper))[2])
        assert (found["status"], found["cancel_reason"]) == ("cancelled", "out_of_stock")
        late = {"order_id": order["id"], "lines": [], "expires_at": "2026-12-03T10:15:00Z",
                "reserved_at": "2026-12-03T10:00:00Z"}
        # Out of order (or after a cancel): the order stays cancelled; its order.cancelled released any hold.
        assert deliver(activator, "orders-on-stock-reserved", "com.ecom.inventory.stock.reserved", late) == 200
        found = json.loads(call(gateway, "GET", f"/api/orders/{order['id']}", headers=auth(shopper))[2])
        assert (found["status"], [h["status"] for h in found["history"]]) == ("cancelled", ["pending", "cancelled"])
        assert deliver(activator, "orders-on-stock-reserved", "com.ecom.inventory.stock.reserved",
                       late | {"order_id": str(uuid.uuid4())}) == 400  # an order that does not exist

    def test_the_shopper_cancels_before_paying_and_then_cannot_again(self, stack, shopper, products):
        gateway = stack[0]
        order = self.placed(stack, shopper, products)
        status, _, body = call(gateway, "POST", f"/api/orders/{order['id']}/cancel", headers=auth(shopper))
        assert status == 200 and (json.loads(body)["status"], json.loads(body)["cancel_reason"]) == (
            "cancelled", "customer")
        status, _, body = call(gateway, "POST", f"/api/orders/{order['id']}/cancel", headers=auth(shopper))
        assert status == 409 and json.loads(body)["errors"][0]["field"] == "status"

    def test_someone_elses_order_is_404(self, stack, shopper, products):
        gateway = stack[0]
        order = self.placed(stack, shopper, products)
        other = shopper_with_address(gateway)
        assert call(gateway, "GET", f"/api/orders/{order['id']}", headers=auth(other))[0] == 404
        assert call(gateway, "POST", f"/api/orders/{order['id']}/cancel", headers=auth(other))[0] == 404
        status, _, body = call(gateway, "GET", "/api/orders", headers=auth(other))
        assert json.loads(body)["total"] == 0

    def test_an_admin_finds_cancels_and_cannot_ship_an_unpaid_order(self, stack, shopper, products, admin_headers):
        gateway = stack[0]
        order = self.placed(stack, shopper, products)
        status, _, body = call(gateway, "GET", f"/api/admin/orders?customer={order['user_id']}", headers=admin_headers)
        assert status == 200 and [o["id"] for o in json.loads(body)["items"]] == [order["id"]]
        status, _, body = call(gateway, "POST", f"/api/admin/orders/{order['id']}/ship", headers=admin_headers)
        assert status == 409
        status, _, body = call(gateway, "POST", f"/api/admin/orders/{order['id']}/cancel", headers=admin_headers)
        assert status == 200 and json.loads(body)["cancel_reason"] == "admin"
        status, _, body = call(gateway, "GET", "/api/admin/orders?status=cancelled&page_size=100", headers=admin_headers)
        assert order["id"] in [o["id"] for o in json.loads(body)["items"]]

    def test_a_customer_may_not_use_the_admin_routes(self, stack, shopper):
        assert call(stack[0], "GET", "/api/admin/orders", headers=auth(shopper))[0] == 403
