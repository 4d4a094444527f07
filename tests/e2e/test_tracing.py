"""One order's trace through the gateway, the functions, the relays and the broker, end to end.

The stack exports to a collector stand-in on loopback (OTEL_EXPORTER_OTLP_ENDPOINT: a small HTTP
server taking OTLP/HTTP protobuf on POST /v1/traces, decoded with opentelemetry-proto), and
the functions' JSON logs go to a file, which `make trace` reads for the requests.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from contextlib import redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from functions.runtime.tracing import parse_traceparent
from localrun import trace
from schemas.migrate import READER, role_url
from tests.e2e.conftest import event_stack, wait_until
from tests.e2e.test_checkout_flow import buy, settled, stock_up

pytestmark = pytest.mark.e2e
PLACED, RESERVED = "com.ecom.orders.order.placed", "com.ecom.inventory.stock.reserved"


class Collector(ThreadingHTTPServer):
    """What an OpenTelemetry collector's OTLP/HTTP receiver does with traces: decode, keep, 200."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receiver)
        self.spans: list[dict] = []
        self.lock = threading.Lock()

    def of_trace(self, trace_id: str) -> list[dict]:
        with self.lock:
            return [s for s in self.spans if s["trace_id"] == trace_id]


class _Receiver(BaseHTTPRequestHandler):
    server: Collector  # type: ignore[assignment]

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = ExportTraceServiceRequest.FromString(body)
        for resource_spans in request.resource_spans:
            service = next((a.value.string_value for a in resource_spans.resource.attributes
                            if a.key == "service.name"), "")
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    with self.server.lock:
                        self.server.spans.append({
                            "service": service, "name": span.name, "kind": span.kind,
                            "trace_id": span.trace_id.hex(), "span_id": span.span_id.hex(),
                            "parent": span.parent_span_id.hex(),
                            "start": span.start_time_unix_nano, "end": span.end_time_unix_nano})
        answer = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("trace") / "functions.log"


@pytest.fixture(scope="module")
def stack(signing_key, collector, logs) -> Iterator[tuple]:
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_port}",
           "OTEL_BSP_SCHEDULE_DELAY": "100", "LOG_LEVEL": "INFO"}
    with logs.open("ab") as log_to, event_stack(signing_key, env, log_to=log_to) as (gateway, activator, url):
        yield gateway, activator, url


@pytest.fixture(scope="module")
def sku(stack) -> str:
    engine = create_engine(role_url(stack[2], "catalog"))
    with engine.connect() as conn:
        found = conn.execute(text(
            "SELECT sku FROM catalog.products WHERE active ORDER BY sku DESC LIMIT 1")).scalar()
    engine.dispose()
    return found


def outbox_traces(url: str, order_id: str) -> dict[str, str]:
    engine = create_engine(role_url(url, READER))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT type, traceparent FROM orders.outbox WHERE subject = :id UNION ALL "
                "SELECT type, traceparent FROM inventory.outbox WHERE subject = :id"), {"id": order_id}).all()
    finally:
        engine.dispose()
    return dict(rows)


@pytest.fixture(scope="module")
def placed(stack, shoppers, sku, admin_headers) -> dict:
    """One order placed through the gateway, settled (stock held): the order and its trace id."""
    gateway, _, url = stack
    stock_up(gateway, admin_headers, sku, 3)
    [shopper] = shoppers(1)
    order = settled(gateway, shopper, buy(gateway, shopper, sku, 1)["id"])
    assert order["status"] == "awaiting_payment", order
    assert wait_until(lambda: RESERVED in outbox_traces(url, order["id"]), 10)
    return order


def test_the_order_and_its_reservation_are_one_trace(stack, placed) -> None:
    traces = outbox_traces(stack[2], placed["id"])
    placed_in, reserved_in = parse_traceparent(traces[PLACED]), parse_traceparent(traces[RESERVED])
    assert placed_in is not None and reserved_in is not None
    assert placed_in.trace_id == reserved_in.trace_id
    assert placed_in.span_id != reserved_in.span_id  # emitted by the request, then by inventory's handler


def test_the_gateway_starts_the_trace_and_names_it_on_the_answer(stack, shoppers, sku) -> None:
    from tests.e2e.conftest import call

    incoming = "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"
    status, headers, _ = call(stack[0], "GET", f"/api/inventory/{sku}", headers={"traceparent": incoming})
    assert status == 200 and headers["X-Trace-Id"] == "ab" * 16
    status, headers, _ = call(stack[0], "GET", f"/api/inventory/{sku}",
                              headers={"traceparent": incoming.upper()})
    assert status == 200 and re.fullmatch("[0-9a-f]{32}", headers["X-Trace-Id"])
    assert headers["X-Trace-Id"] != "ab" * 16


def test_make_trace_lists_the_orders_path_in_order_with_timings(stack, placed, logs) -> None:
    order_id = placed["id"]
    trace_id = parse_traceparent(outbox_traces(stack[2], order_id)[PLACED]).trace_id
    assert wait_until(lambda: trace_id in logs.read_text(errors="replace"), 10)
    out = io.StringIO()
    with redirect_stdout(out):
        assert trace.main([order_id, "--database-url", stack[2], "--logs", str(logs)]) == 0
    print(out.getvalue())  # shown with -s: what make trace prints
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"make trace: {order_id}: 1 trace(s)")
    assert lines[1].startswith(f"trace {trace_id}")
    steps = [line.split() for line in lines[2:]]
    offsets = [float(s[0]) for s in steps]
    assert offsets == sorted(offsets) and offsets[0] == 0.0 and all(s[1] == "ms" for s in steps)
    what = [(s[2], s[3], s[4]) for s in steps]
    request = what.index(("request", "orders-orders", "POST"))
    emitted = what.index(("event", "orders", PLACED))
    handled = what.index(("handled", "inventory-on-order-placed", PLACED))
    reserved = what.index(("event", "inventory", RESERVED))
    taken = what.index(("handled", "orders-on-stock-reserved", RESERVED))
    assert request < emitted < handled < reserved < taken
    assert offsets[taken] > offsets[emitted]  # real timings: the reservation came after the order


def test_the_spans_reach_the_collector_in_one_trace(stack, placed, collector) -> None:
    trace_id = parse_traceparent(outbox_traces(stack[2], placed["id"])[PLACED]).trace_id

    def spans() -> dict[tuple[str, str], dict]:
        return {(s["service"], s["name"]): s for s in collector.of_trace(trace_id)}

    wanted = {("orders-orders", "POST /api/orders"),
              ("inventory-on-order-placed", f"process {PLACED}"),
              ("orders-on-stock-reserved", f"process {RESERVED}")}
    assert wait_until(lambda: wanted <= set(spans()), 15), sorted(spans())
    found = spans()
    request = found[("orders-orders", "POST /api/orders")]
    handler = found[("inventory-on-order-placed", f"process {PLACED}")]
    taken = found[("orders-on-stock-reserved", f"process {RESERVED}")]
    traces = outbox_traces(stack[2], placed["id"])
    # The event's traceparent names the request's span; the handler's span is its child.
    assert parse_traceparent(traces[PLACED]).span_id == request["span_id"] == handler["parent"]
    assert parse_traceparent(traces[RESERVED]).span_id == handler["span_id"] == taken["parent"]
    assert request["parent"]  # the gateway's span (the local gateway exports none of its own)
    calls = [s for s in found.values() if s["parent"] == request["span_id"] and s["kind"] == 3]  # CLIENT
    assert calls, "orders asks catalog (and accounts) over calls.Service: client spans of the request"
    call_ids = {c["span_id"] for c in calls}
    callees = {s["service"] for s in collector.of_trace(trace_id) if s["parent"] in call_ids}
    assert "catalog-product" in callees or "accounts-addresses" in callees, callees
    assert request["start"] <= handler["start"] <= taken["start"]
