"""The load test's shoppers: Online Boutique's task mix against this platform's API.

Run by bench/load.py (`make load`), which starts the stack, makes the shoppers and hands them
over in the file named by LOAD_SHOPPERS (JSON: [{"headers": {...}, "email": ..., "password": ...,
"source": "127.0.0.N"}]). Each locust user takes the next shopper, in turn.

The mix and weights follow Online Boutique's loadgenerator (src/loadgenerator/locustfile.py:
index 1, setCurrency 2, browseProduct 10, addToCart 2, viewCart 3, checkout 1; on_start runs
index). This API has no currency to set: its two slots go to search, the other catalog read a
visitor makes. Login (weight 1) is this platform's addition. Think time 1-3 s.

- index: GET /api/products?page_size=20 and GET /api/categories (the storefront's landing page);
- browse: GET /api/products/{slug};
- search: GET /api/products?q=<word>;
- add to cart: GET /api/products/{slug}, then POST /api/cart/items (quantity 1-10, as OB);
- view cart: GET /api/cart;
- checkout: add to cart, then POST /api/orders (Idempotency-Key), GET /api/orders/{id} each
  3 s until awaiting_payment (as the storefront follows an order), POST /api/payments with tok_visa;
- login: POST /api/auth/login with the shopper's password; its access token is used afterwards.

Every request is named by its task ("checkout: POST /api/orders"); each task's whole time (all
its requests, not the storefront's 3 s between polls) is reported as a request of type TASK named
by the task, so the CSV has one row per task beside one per request; a task with a failed
request is a failed TASK. The wall time from the order's POST to seeing awaiting_payment (poll
waits included, so in steps of 3 s) is a WAIT row.

Each user connects from its own loopback address (127.0.0.N, the shopper's `source`): the
gateway rate-limits login per client address, as Kong does, and 200 shoppers are 200 addresses.
With LOAD_TOUR=1 each user first runs every task once (starting at its own offset), then the
mix: a short run (the e2e test) sees every task.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid

from locust import FastHttpUser, events, task
from locust.exception import StopUser

WORDS = ("wireless", "waterproof", "cotton", "stainless steel", "noise cancelling", "usb-c", "laptop", "mug",
         "tent", "jacket")
POLL_SECONDS, AWAIT_SECONDS = 3.0, 30.0  # the storefront follows an order every 3 s (FOLLOW_EVERY_MS)
_SHOPPERS: list[dict] = json.loads(open(os.environ["LOAD_SHOPPERS"]).read()) if os.environ.get(
    "LOAD_SHOPPERS") else []
_NEXT = itertools.count()
_CATALOG: list[dict] = []  # the products (slug, sku) the first index answered; shared by every user


def connect_from(user: FastHttpUser, address: str) -> None:
    """Make the user's connections start from `address` (a loopback address of its own).

    geventhttpclient makes one connection pool per host, each creating its sockets with
    `_create_tcp_socket`, the factory its docs mean to be overridden: each new socket is bound
    to the address before it connects.
    """
    pool = user.client.client.clientpool
    get_client = pool.get_client

    def bound_client(url):
        client = get_client(url)
        connections = client._connection_pool
        if not getattr(connections, "source_address", None):
            create = connections._create_tcp_socket

            def create_bound(family, socktype, protocol):
                sock = create(family, socktype, protocol)
                sock.bind((address, 0))
                return sock

            connections._create_tcp_socket, connections.source_address = create_bound, address
        return client

    pool.get_client = bound_client


class TaskFailed(Exception):
    pass


class Shopper(FastHttpUser):
    """A shopper on locust's geventhttpclient user, which costs less CPU per request than its
    requests-based HttpUser: at 200 users, locust and the rest went from 29% to 20% of a core,
    left to the system measured on the same two cores."""

    wait_time = staticmethod(lambda: random.uniform(1.0, 3.0))
    network_timeout = connection_timeout = 30.0

    def on_start(self) -> None:
        if not _SHOPPERS:
            raise StopUser("LOAD_SHOPPERS names no shoppers")
        n = next(_NEXT)
        me = _SHOPPERS[n % len(_SHOPPERS)]
        self.headers = dict(me["headers"])
        self.login_body = {"email": me["email"], "password": me["password"]}
        if me.get("source"):
            connect_from(self, me["source"])
        self.index()
        if os.environ.get("LOAD_TOUR") == "1":
            tour = [Shopper.index, Shopper.browse, Shopper.search, Shopper.add_to_cart, Shopper.view_cart,
                    Shopper.checkout, Shopper.login]
            for step in tour[n % len(tour):] + tour[:n % len(tour)]:
                time.sleep(self.wait_time())
                step(self)

    # One task's time and outcome, as a TASK row.
    def _timed(self, name: str, body) -> None:
        started, failure, self.slept = time.perf_counter(), None, 0.0
        try:
            body()
        except TaskFailed as exc:
            failure = exc
        spent = time.perf_counter() - started - self.slept
        events.request.fire(request_type="TASK", name=name, response_time=spent * 1000,
                            response_length=0, exception=failure, context={})

    def _send(self, task_name: str, method: str, path: str, name: str | None = None, expect: tuple = (200,),
              **kwargs) -> dict:
        label = f"{task_name}: {method} {name or path}"
        with self.client.request(method, path, name=label, catch_response=True, **kwargs) as resp:
            if resp.status_code not in expect:
                resp.failure(f"HTTP {resp.status_code}: {(resp.text or '')[:160]}")
                raise TaskFailed(f"{label}: HTTP {resp.status_code}")
            resp.success()
            try:
                return resp.json() if resp.content else {}
            except ValueError:
                return {}

    def _product(self) -> dict:
        if not _CATALOG:
            raise TaskFailed("no products known yet")
        return random.choice(_CATALOG)

    @task(1)
    def index(self) -> None:
        def body() -> None:
            page = self._send("index", "GET", "/api/products?page_size=20", name="/api/products?page_size=20")
            self._send("index", "GET", "/api/categories")
            if not _CATALOG and page.get("items"):
                first = self._send("index", "GET", "/api/products?page_size=100", name="/api/products?page_size=100")
                _CATALOG.extend({"slug": p["slug"], "sku": p["sku"]} for p in first["items"])
        self._timed("index", body)

    @task(10)
    def browse(self) -> None:
        self._timed("browse", lambda: self._browse("browse"))

    def _browse(self, task_name: str) -> dict:
        product = self._product()
        self._send(task_name, "GET", f"/api/products/{product['slug']}", name="/api/products/{slug}")
        return product

    @task(2)
    def search(self) -> None:
        self._timed("search", lambda: self._send("search", "GET", "/api/products", name="/api/products?q=...",
                                                 params={"q": random.choice(WORDS)}))

    @task(2)
    def add_to_cart(self) -> None:
        self._timed("add to cart", lambda: self._add("add to cart"))

    def _add(self, task_name: str) -> None:
        product = self._browse(task_name)
        self._send(task_name, "POST", "/api/cart/items", expect=(201,), headers=self.headers,
                   json={"sku": product["sku"], "quantity": random.randint(1, 10)})

    @task(3)
    def view_cart(self) -> None:
        self._timed("view cart", lambda: self._send("view cart", "GET", "/api/cart", headers=self.headers))

    @task(1)
    def checkout(self) -> None:
        def body() -> None:
            self._add("checkout")
            order = self._send("checkout", "POST", "/api/orders", expect=(201,), json={},
                               headers=self.headers | {"Idempotency-Key": str(uuid.uuid4())})
            placed = time.perf_counter()
            deadline = time.monotonic() + AWAIT_SECONDS
            while order.get("status") == "pending" and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
                self.slept += POLL_SECONDS
                order = self._send("checkout", "GET", f"/api/orders/{order['id']}", name="/api/orders/{id}",
                                   headers=self.headers)
            events.request.fire(request_type="WAIT", name="checkout: placed -> awaiting_payment seen",
                                response_time=(time.perf_counter() - placed) * 1000, response_length=0,
                                exception=None, context={})
            if order.get("status") != "awaiting_payment":
                raise TaskFailed(f"order {order.get('id')} is {order.get('status')}, not awaiting payment")
            self._send("checkout", "POST", "/api/payments", expect=(201,),
                       json={"order_id": order["id"], "token": "tok_visa"},
                       headers=self.headers | {"Idempotency-Key": str(uuid.uuid4())})
        self._timed("checkout", body)

    @task(1)
    def login(self) -> None:
        def body() -> None:
            tokens = self._send("login", "POST", "/api/auth/login", json=self.login_body)
            self.headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        self._timed("login", body)
