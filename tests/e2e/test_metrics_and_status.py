"""Operations end to end: the system's /metrics on the gateway's status listener, and `make status`.

Requests through the gateway show up twice in what the status listener serves: as Kong's
prometheus plugin counts them (kong_*) and as each function counts them itself (ecom_*,
labelled with the function by the gateway, which reads every running function's own
/metrics). An order placed with no stock anywhere is cancelled by inventory's answer: the
business counters of two functions and the event counters of the handlers between them. And
`make status` run against the same stack prints its functions, queues and outboxes.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import uuid
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from localrun.dev.shoppers import make_shoppers
from schemas.migrate import role_url
from tests.e2e.conftest import PRODUCER_KEY, REPO, call, event_stack, wait_until

pytestmark = pytest.mark.e2e
NO_CACHE = {"Cache-Control": "no-cache"}  # to the function every time, past Kong's proxy-cache


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    with event_stack(signing_key) as (gateway, activator, url):
        yield gateway, activator, url


class Scrape:
    """The samples of one GET /metrics on the status listener; `value(name, **labels)` sums the
    samples of that name whose labels include the given ones (None when there is none)."""

    def __init__(self, gateway) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", gateway.status.port, timeout=30)
        conn.request("GET", "/metrics")
        resp = conn.getresponse()
        self.status, self.content_type, text = resp.status, resp.getheader("Content-Type"), resp.read().decode()
        conn.close()
        self.samples = [s for family in text_string_to_metric_families(text) for s in family.samples]

    def value(self, name: str, **labels: str) -> float | None:
        found = [s.value for s in self.samples if s.name == name and labels.items() <= s.labels.items()]
        return sum(found) if found else None


def test_requests_are_counted_by_the_gateway_and_by_each_function(stack, mint):
    gateway, activator, _ = stack
    for _ in range(2):
        status, _, body = call(gateway, "GET", "/api/categories", headers=NO_CACHE)
        assert status == 200, body
    assert call(gateway, "GET", "/api/products/no-such-product", headers=NO_CACHE)[0] == 404
    assert call(gateway, "POST", "/api/categories", {"name": "x"})[0] == 401  # jwt answers: no function
    scrape = Scrape(gateway)
    assert scrape.status == 200 and scrape.content_type.startswith("text/plain")

    # Kong's prometheus plugin (status_code_metrics, latency_metrics, bandwidth_metrics in kong.yaml).
    route = {"service": "catalog-categories", "route": "catalog-categories", "workspace": "default"}
    assert scrape.value("kong_http_requests_total", **route, code="200", source="service", consumer="") == 2
    assert scrape.value("kong_http_requests_total", service="catalog-categories", route="catalog-categories-admin",
                        code="401", source="kong") == 1
    assert scrape.value("kong_http_requests_total", service="catalog-product", code="404", source="service") == 1
    assert scrape.value("kong_request_latency_ms_count", **route) == 2
    assert scrape.value("kong_request_latency_ms_bucket", **route, le="+Inf") == 2
    assert scrape.value("kong_upstream_latency_ms_count", **route) == 2
    assert scrape.value("kong_bandwidth_bytes_total", **route, direction="egress") > 0
    assert scrape.value("kong_nginx_requests_total") >= 4 and scrape.value("kong_datastore_reachable") == 1

    # The functions' own, labelled with the function they came from.
    mine = {"function": "catalog-categories", "route": "/api/categories", "method": "GET"}
    assert scrape.value("ecom_http_requests_total", **mine, status="200") == 2
    assert scrape.value("ecom_http_request_duration_seconds_count", **mine) == 2
    assert scrape.value("ecom_http_request_duration_seconds_bucket", **mine, le="+Inf") == 2
    assert 0 < scrape.value("ecom_http_request_duration_seconds_sum", **mine) < 30
    assert scrape.value("ecom_http_requests_total", function="catalog-product", route="/api/products/{ref}",
                        status="404") == 1
    assert scrape.value("ecom_cold_starts_total", function="catalog-categories") == 1
    assert scrape.value("process_resident_memory_bytes", function="catalog-categories") > 0
    assert scrape.value("localrun_function_up", function="catalog-categories") == 1
    assert scrape.value("localrun_function_starts_total", function="catalog-categories") == 1
    assert scrape.value("ecom_http_requests_total", function="catalog-categories-admin") is None  # never ran

    # Scaled to zero, a function has no process and no series of its own; the activator remembers.
    assert activator.stop("catalog-categories")
    scrape = Scrape(gateway)
    assert scrape.value("ecom_http_requests_total", function="catalog-categories") is None
    assert scrape.value("localrun_function_up", function="catalog-categories") == 0
    assert scrape.value("kong_http_requests_total", **route, code="200") == 2  # the gateway's stay


def test_an_order_no_warehouse_can_fill_counts_as_placed_then_cancelled(stack, mint):
    gateway, _, url = stack
    engine = create_engine(role_url(url, "accounts"), pool_size=1)
    [shopper] = make_shoppers(engine, mint, 1)
    engine.dispose()
    status, _, body = call(gateway, "POST", "/api/cart/items", {"sku": "ELE-AUD-0009", "quantity": 1}, shopper)
    assert status == 201, body
    status, _, body = call(gateway, "POST", "/api/orders", {}, shopper | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, body
    currency = json.loads(body)["total"]["currency"]

    def cancelled() -> bool:  # local_stack seeds no stock: inventory rejects, orders cancels
        return Scrape(gateway).value("ecom_orders_cancelled_total", reason="out_of_stock") == 1

    assert wait_until(cancelled, 30)
    scrape = Scrape(gateway)
    assert scrape.value("ecom_orders_placed_total", function="orders-orders", currency=currency) == 1
    assert scrape.value("ecom_orders_cancelled_total", function="orders-on-stock-rejected") == 1
    assert scrape.value("ecom_events_total", function="inventory-on-order-placed",
                        type="com.ecom.orders.order.placed", outcome="handled") == 1
    assert scrape.value("ecom_events_total", function="orders-on-stock-rejected",
                        type="com.ecom.inventory.stock.rejected", outcome="handled") == 1


def test_make_status_prints_the_functions_queues_and_outboxes_of_the_running_stack(stack, admin_headers):
    gateway, activator, _ = stack
    # A count for a warehouse nobody has: inventory rejects it (400), the broker dead-letters it.
    headers = {"ce-specversion": "1.0", "ce-id": str(uuid.uuid4()), "ce-source": "/warehouse/e2e",
               "ce-type": "com.ecom.warehouse.stock.counted", "ce-subject": "ELE-AUD-0009", "apikey": PRODUCER_KEY}
    data = {"warehouse_code": "NOWHERE", "sku": "ELE-AUD-0009", "counted": 1, "counted_at": "2026-12-03T10:00:00Z"}
    assert call(gateway, "POST", "/events", data, headers)[0] == 202

    def stack_status() -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", gateway.status.port, timeout=30)
        conn.request("GET", "/status/stack")
        answer = json.loads(conn.getresponse().read())
        conn.close()
        return answer

    assert wait_until(lambda: stack_status()["broker"]["dead_letters"] == 1, 30)
    # Kept in the dead-letter queue, and forwarded to reporting as the cluster's sink does: on the dashboard.
    def on_dashboard() -> list[dict]:
        status, _, raw = call(gateway, "GET", "/api/admin/reports/sales", headers=admin_headers | NO_CACHE)
        assert status == 200, raw
        return [d for d in json.loads(raw)["dead_letters"]["newest"] if d["id"] == headers["ce-id"]]

    assert wait_until(on_dashboard, 30)
    (dead,) = on_dashboard()
    assert dead["type"] == "com.ecom.warehouse.stock.counted" and dead["subject"] == "ELE-AUD-0009"
    assert dead["dest"] == "http://inventory-on-stock-counted.ecom.svc.cluster.local" and dead["code"] == 400
    assert Scrape(gateway).value("ecom_events_total", function="reporting-on-dead-letter",
                                 type="com.ecom.warehouse.stock.counted", outcome="dead_lettered") == 1
    assert Scrape(gateway).value("ecom_events_total", function="inventory-on-stock-counted",
                                 type="com.ecom.warehouse.stock.counted", outcome="rejected") == 1
    assert call(gateway, "GET", "/api/categories", headers=NO_CACHE)[0] == 200  # catalog-categories runs again
    activator.stop("catalog-product")

    env = {**os.environ, "GATEWAY_STATUS_PORT": str(gateway.status.port), "GATEWAY_HOST": "127.0.0.1"}
    # -o: the virtualenv counts as installed (make would otherwise reinstall it first if older).
    done = subprocess.run(["make", "--no-print-directory", "-s", "-o", ".venv/.installed", "status"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()

    def row(first: str) -> list[str]:
        [found] = [line.split("  ") for line in lines if line.startswith(first + " ")]
        return [cell.strip() for cell in found if cell.strip()]

    running = row("catalog-categories")
    assert running[1] == "running" and running[3] == "2" and running[2].endswith("ago)")  # started twice
    assert row("catalog-product")[1:2] == ["scaled to zero"] and row("catalog-product")[3] == "1"
    assert row("accounts-admin-user")[1:4] == ["scaled to zero", "never started", "0"]
    assert any(line.startswith("broker: RabbitMQ") for line in lines)
    prefix = stack_status()["broker"]["dead_letter_queue"].removesuffix(".dead-letter")
    assert row(f"{prefix}.trigger.inventory-on-stock-counted")[1:] == ["inventory-on-stock-counted", "0"]
    assert f"dead letters in {prefix}.dead-letter: 1 (make dead-letters lists them)" in lines
    for domain in ("accounts", "catalog", "inventory", "orders", "payments"):
        assert row(domain)[1].isdigit(), lines  # each domain's outbox backlog
    # What it printed is what the stack says (the JSON behind the table).
    as_json = subprocess.run([str(REPO / ".venv/bin/python"), "-m", "localrun.dev", "status", "--json"], cwd=REPO,
                             env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert as_json.returncode == 0, as_json.stderr
    assert {f["name"] for f in json.loads(as_json.stdout)["functions"]} == set(activator.specs)


def test_make_status_says_so_when_no_stack_runs():
    env = {**os.environ, "GATEWAY_STATUS_PORT": "1", "PYTHONPATH": str(REPO)}
    done = subprocess.run([str(REPO / ".venv/bin/python"), "-m", "localrun.dev", "status"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "no local stack answers on 127.0.0.1:1" in done.stderr
