"""Checkouts under faults: after each, the system settles and `make verify` finds nothing.

Each test runs SHOPPERS whole checkouts (cart, order, payment, confirmation), started half a
second apart and overlapping, while one fault strikes, on loopback only and bounded in time:

- RabbitMQ stopped and started again (`rabbitmqctl stop_app` / `start_app`);
- handler and payment processes killed with SIGKILL mid-flight (the activator starts them again);
- every event delivered twice and some out of order (a thread republishes what the relays sent,
  shuffled, through RabbitMQ);
- every Postgres connection of the test database terminated, five times over ten seconds;
- the PostgreSQL server itself stopped and started again (one of the test's own, embedded);

and in every run, as clients do: each POST sent twice at once with the same Idempotency-Key and
resent with it when the answer is lost or a 5xx; some cards time out once at the provider
(`tok_timeout`), some are declined and paid again with another card. The stock is short of the
shoppers by a few units, so some orders are cancelled out of stock.

Afterwards every order is final (confirmed or cancelled) and `make verify` (localrun/verify.py)
reports no violation: nothing oversold, every confirmed order paid once for its exact total and
its stock committed once, no stock held for a cancelled order, the ledger summing to the levels,
the outboxes drained and no dead letters.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from functions.runtime.relay.message import OutboxRow, row_to_message
from functions.runtime.relay.publisher import ConfirmingPublisher
from schemas.migrate import DOMAINS, role_url
from tests.e2e.conftest import _BROKERS, call, event_stack, violations, wait_until
from tests.e2e.test_checkout_flow import stock_up

pytestmark = pytest.mark.e2e
SHOPPERS = int(os.environ.get("FAULT_SHOPPERS", "12"))
SHORT_BY = 3  # units fewer than shoppers: some orders are cancelled out of stock
CARDS = ("tok_visa", "tok_mastercard", "tok_timeout", "tok_chargeDeclined")  # a decline is paid again
SETTLE_SECONDS = 120
# The shoppers start this far apart, so that the checkouts span several seconds however fast the
# machine is and each fault strikes while some are in flight (12 shoppers: about 5.5 s).
STAGGER_SECONDS = 0.5


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    # A payment whose request was cut short may be taken over by its key after 3 s (30 in production).
    with event_stack(signing_key, {"PAYMENT_LEASE_SECONDS": "3"}) as parts:
        yield parts


@pytest.fixture(scope="module")
def skus(stack) -> Iterator[Callable[[], str]]:
    engine = create_engine(role_url(stack[2], "catalog"))
    with engine.connect() as conn:
        found = conn.execute(text("SELECT sku FROM catalog.products WHERE active ORDER BY sku")).scalars().all()
    engine.dispose()
    pool = iter(found[len(found) // 2:])
    yield lambda: next(pool)




# ---------------------------------------------------------------------------------------------
# A client that behaves as a careful one does

def resend(gateway, method: str, path: str, body: dict | None, headers: dict[str, str],
           seconds: float = SETTLE_SECONDS) -> tuple[int, dict]:
    """Send until an answer that is not a 5xx, a lost answer or 'still in progress' (same key)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            status, _, raw = call(gateway, method, path, body, headers)
            answer = json.loads(raw) if raw else {}
        except (OSError, ValueError):
            status, answer = 0, {}
        busy = status == 409 and any(e.get("field") == "Idempotency-Key" for e in answer.get("errors", []))
        if 0 < status < 500 and not busy:
            return status, answer
        assert time.monotonic() < deadline, f"{method} {path} never answered: {status} {answer}"
        time.sleep(0.3)


def twice(send: Callable[[], tuple[int, dict]]) -> list[tuple[int, dict]]:
    """The same request sent twice at once (a double click; a retry racing the original)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda _: send(), range(2)))


def order_of(gateway, shopper, order_id: str, leaving: tuple[str, ...]) -> dict:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        status, order = resend(gateway, "GET", f"/api/orders/{order_id}", None, shopper)
        if order["status"] not in leaving or time.monotonic() > deadline:
            return order
        time.sleep(0.2)


def checkout(gateway, shopper: dict[str, str], sku: str, card: str) -> dict:
    """Cart → order → payment (a declined card paid again with tok_visa) → the order's final status."""
    status, _ = resend(gateway, "POST", "/api/cart/items", {"sku": sku, "quantity": 1}, shopper)
    assert status == 201
    key = shopper | {"Idempotency-Key": str(uuid.uuid4())}
    placed = twice(lambda: resend(gateway, "POST", "/api/orders", {}, key))
    assert {s for s, _ in placed} == {201} and placed[0][1]["id"] == placed[1][1]["id"], placed
    order = order_of(gateway, shopper, placed[0][1]["id"], leaving=("pending",))
    for token in (card, "tok_visa"):
        if order["status"] != "awaiting_payment":
            break
        key = shopper | {"Idempotency-Key": str(uuid.uuid4())}
        paid = twice(lambda: resend(gateway, "POST", "/api/payments", {"order_id": order["id"], "token": token}, key))
        assert paid[0] == paid[1], paid  # the duplicate got the same answer: one payment
        if paid[0][0] == 201:
            break
        assert paid[0][0] in (402, 409), paid  # 409: the order was cancelled meanwhile
    return order_of(gateway, shopper, order["id"], leaving=("pending", "awaiting_payment", "paid"))


def run_checkouts(stack, shoppers, skus, admin_headers, fault: Callable[[threading.Event], None]) -> list[dict]:
    gateway, _, url = stack
    sku = skus()
    stock_up(gateway, admin_headers, sku, SHOPPERS - SHORT_BY)
    buyers = shoppers(SHOPPERS)
    stop = threading.Event()
    striking = threading.Thread(target=fault, args=(stop,))

    def shopper_checks_out(i: int) -> dict:
        time.sleep(i * STAGGER_SECONDS)
        return checkout(gateway, buyers[i], sku, CARDS[i % len(CARDS)])

    striking.start()
    try:
        with ThreadPoolExecutor(max_workers=SHOPPERS) as pool:
            final = list(pool.map(shopper_checks_out, range(SHOPPERS)))
    finally:
        stop.set()
        striking.join()
    statuses = [o["status"] for o in final]
    assert set(statuses) <= {"confirmed", "cancelled"}, statuses
    assert statuses.count("confirmed") <= SHOPPERS - SHORT_BY
    assert wait_until(lambda: not violations(url), SETTLE_SECONDS), violations(url)
    return final


# ---------------------------------------------------------------------------------------------
# The faults

def test_rabbitmq_stopped_and_started_again(stack, shoppers, skus, admin_headers):
    assert shutil.which("rabbitmqctl"), "this machine kind runs RabbitMQ: rabbitmqctl stops it"

    def outage(stop: threading.Event) -> None:
        time.sleep(1.0)
        subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, capture_output=True, timeout=60)
        try:
            time.sleep(4.0)
        finally:
            subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, capture_output=True, timeout=120)

    final = run_checkouts(stack, shoppers, skus, admin_headers, outage)
    assert any(o["status"] == "confirmed" for o in final)


def test_handler_and_payment_processes_killed_mid_flight(stack, shoppers, skus, admin_headers):
    activator = stack[1]
    victims = ("inventory-on-order-placed", "orders-on-stock-reserved", "orders-on-payment-completed",
               "inventory-on-order-confirmed", "payments-payments", "orders-orders")
    killed: list[str] = []

    def kill(stop: threading.Event) -> None:
        rng = random.Random(7)
        while not stop.wait(0.7):
            running = activator.running()
            name = rng.choice(victims)
            if name in running:
                try:
                    os.kill(running[name], signal.SIGKILL)
                    killed.append(name)
                except ProcessLookupError:
                    pass

    run_checkouts(stack, shoppers, skus, admin_headers, kill)
    assert len(killed) >= 3, killed


def test_every_event_delivered_twice_and_some_out_of_order(stack, shoppers, skus, admin_headers):
    url = stack[2]
    exchange = _BROKERS[url].topology.exchange
    engine = create_engine(url, pool_size=1)
    republished: list[int] = []

    def duplicate(stop: threading.Event) -> None:
        publisher = ConfirmingPublisher(os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
                                        exchange)
        seen: set[uuid.UUID] = set()
        rng = random.Random(11)
        try:
            while not stop.wait(0.3):
                rows = sent_since(engine, seen)
                rng.shuffle(rows)  # the copies arrive in any order, after their originals or not
                if rows:
                    publisher.publish_batch([row_to_message(row) for row in rows])
                    republished.append(len(rows))
            rows = sent_since(engine, seen)  # what the last moments sent: twice as well
            if rows:
                publisher.publish_batch([row_to_message(row) for row in rows])
                republished.append(len(rows))
        finally:
            publisher.close()

    try:
        run_checkouts(stack, shoppers, skus, admin_headers, duplicate)
    finally:
        engine.dispose()
    assert sum(republished) >= SHOPPERS * 4, republished


def sent_since(engine, seen: set[uuid.UUID]) -> list[OutboxRow]:
    """Every domain's outbox rows sent (by the relays) and not copied yet."""
    rows: list[OutboxRow] = []
    with engine.connect() as conn:
        for domain in DOMAINS:
            for row in conn.execute(text(
                    f"SELECT id, seq, type, source, subject, data::text AS data, created_at FROM {domain}.outbox "
                    "WHERE sent_at IS NOT NULL AND sent_at > now() - interval '1 minute'")):
                if row.id not in seen:
                    seen.add(row.id)
                    rows.append(OutboxRow(*row))
    return rows


def test_postgres_connections_terminated_again_and_again(stack, shoppers, skus, admin_headers):
    url = stack[2]
    engine = create_engine(url, pool_size=1)
    terminated: list[int] = []

    def terminate(stop: threading.Event) -> None:
        # Five rounds, two seconds apart: a handler's five retries (backoff from 0.2 s) outlast them.
        for _ in range(5):
            if stop.wait(2.0):
                return
            with engine.connect() as conn:
                count = conn.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
                conn.commit()
            terminated.append(count)

    try:
        run_checkouts(stack, shoppers, skus, admin_headers, terminate)
    finally:
        engine.dispose()
    assert sum(terminated) >= 10, terminated



def test_the_postgres_server_restarted_mid_checkout(signing_key, mint, admin_headers, tmp_path):
    """A server the test owns (embedded, in tmp_path): stopped (fast shutdown) and started again."""
    import socket

    from localrun.dev import embedded_pg
    from localrun.dev.shoppers import make_shoppers

    with socket.socket() as probe:  # a free port for the test's own server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = tmp_path / "pg"
    server = embedded_pg.start(data, port, "postgres")
    restarts: list[float] = []

    def restart(stop: threading.Event) -> None:
        if stop.wait(2.0):
            return
        began = time.monotonic()
        embedded_pg.stop(data)
        try:
            time.sleep(2.0)
        finally:
            embedded_pg.start(data, port, "postgres")
        restarts.append(time.monotonic() - began)

    try:
        with event_stack(signing_key, {"PAYMENT_LEASE_SECONDS": "3"}, server_url=server) as stack:
            url = stack[2]
            engine = create_engine(role_url(url, "catalog"), pool_size=1)
            with engine.connect() as conn:
                pool = iter(conn.execute(text("SELECT sku FROM catalog.products WHERE active ORDER BY sku"))
                            .scalars().all())
            engine.dispose()
            accounts = create_engine(role_url(url, "accounts"), pool_size=1)
            try:
                run_checkouts(stack, lambda n: make_shoppers(accounts, mint, n), lambda: next(pool),
                              admin_headers, restart)
            finally:
                accounts.dispose()
    finally:
        embedded_pg.stop(data)
    assert len(restarts) == 1, restarts
