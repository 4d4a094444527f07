"""W3C trace context: parsing (invalid headers replaced, never echoed), child spans, and the trace
carried by the edge, the handler wrapper, calls, outbox rows' messages and log lines."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, Response

from functions.runtime import tracing
from functions.runtime.handlers import event_traceparent
from functions.runtime.logs import json_handler
from functions.runtime.tracing import SpanContext, child_of, parse_traceparent
from functions.runtime.web import http_function
from tests.unit.runtime.test_calls import callee  # noqa: F401  # the loopback callee fixture

REPO = Path(__file__).resolve().parents[3]
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
VALID = f"00-{TRACE}-{PARENT}-01"
app = Flask(__name__)


class TestParse:
    def test_a_valid_traceparent_is_read(self) -> None:
        assert parse_traceparent(VALID) == SpanContext(TRACE, PARENT, 1)
        assert parse_traceparent(f"00-{TRACE}-{PARENT}-00") == SpanContext(TRACE, PARENT, 0)
        assert parse_traceparent(f"00-{TRACE}-{PARENT}-01").traceparent == VALID

    def test_a_later_version_is_read_as_00_and_only_its_flags_bit_kept(self) -> None:
        assert parse_traceparent(f"cc-{TRACE}-{PARENT}-09-what-comes-later") == SpanContext(TRACE, PARENT, 1)

    @pytest.mark.parametrize("value", [
        "", "garbage", VALID.upper(), f"00-{TRACE.upper()}-{PARENT}-01",
        f"00-{'0' * 32}-{PARENT}-01", f"00-{TRACE}-{'0' * 16}-01",  # all-zero ids
        f"ff-{TRACE}-{PARENT}-01",  # version ff is invalid
        f"00-{TRACE}-{PARENT}-01-extra",  # version 00 is exactly 55 characters
        f"00-{TRACE[:-1]}-{PARENT}-01", f"00-{TRACE}-{PARENT}-1", f"00-{TRACE}-{PARENT[:-1]}g-01",
        f"0-{TRACE}-{PARENT}-01", f"00_{TRACE}_{PARENT}_01", "00-" + "a" * 600,
    ])
    def test_an_invalid_one_is_refused(self, value: str) -> None:
        assert parse_traceparent(value) is None

    def test_nothing_is_none(self) -> None:
        assert parse_traceparent(None) is None


class TestSpans:
    def test_a_child_keeps_the_trace_and_flags_with_a_new_span_id(self) -> None:
        parent = SpanContext(TRACE, PARENT, 0)
        children = {child_of(parent) for _ in range(50)}
        assert {c.trace_id for c in children} == {TRACE} and {c.flags for c in children} == {0}
        assert len({c.span_id for c in children}) == 50 and PARENT not in {c.span_id for c in children}
        assert all(len(c.span_id) == 16 and int(c.span_id, 16) for c in children)

    def test_without_a_parent_a_new_sampled_trace_starts(self) -> None:
        roots = [child_of(None) for _ in range(20)]
        assert len({r.trace_id for r in roots}) == 20 and all(r.sampled for r in roots)
        assert all(parse_traceparent(r.traceparent) == r for r in roots)

    def test_a_span_block_is_current_inside_and_a_child_of_the_current_span(self) -> None:
        assert tracing.current_span.get() is None
        with tracing.span("outer", "server", SpanContext(TRACE, PARENT)) as outer:
            with tracing.span("inner", "client") as inner:
                assert tracing.current_span.get() is inner
                assert inner.parent == outer.context and inner.context.trace_id == TRACE
            assert tracing.current_traceparent() == outer.context.traceparent
        assert tracing.current_span.get() is None and tracing.current_traceparent() is None


seen: list[tracing.Span | None] = []


@http_function(methods=("GET",))
def traced(request) -> Response:
    seen.append(tracing.current_span.get())
    logging.getLogger("test.tracing").warning("inside")
    return Response("ok", 200)


def get(headers: dict[str, str]) -> Response:
    with app.test_request_context("/", headers=headers) as ctx:
        return traced(ctx.request)


class TestEdge:
    def test_a_request_continues_a_valid_traceparent_as_a_child_span(self) -> None:
        seen.clear()
        assert get({"traceparent": VALID}).status_code == 200
        (span,) = seen
        assert span.parent == SpanContext(TRACE, PARENT, 1) and span.context.trace_id == TRACE
        assert span.context.span_id != PARENT and span.kind == "server"
        assert tracing.current_span.get() is None  # reset after the request

    @pytest.mark.parametrize("bad", ["", "nonsense", f"00-{'0' * 32}-{PARENT}-01", VALID.upper()])
    def test_an_invalid_one_starts_a_new_trace_and_is_not_passed_on(self, bad: str) -> None:
        seen.clear()
        get({"traceparent": bad} if bad else {})
        (span,) = seen
        assert span.parent is None and span.context.trace_id != TRACE and span.context.sampled
        assert not bad or bad not in span.context.traceparent

    def test_log_lines_in_a_request_carry_its_trace_and_span(self) -> None:
        seen.clear()
        stream = io.StringIO()
        handler = json_handler(stream, "test-fn")
        logger = logging.getLogger("test.tracing")
        logger.addHandler(handler)
        try:
            get({"traceparent": VALID})
        finally:
            logger.removeHandler(handler)
        line = json.loads(stream.getvalue().splitlines()[0])
        assert (line["trace_id"], line["span_id"]) == (TRACE, seen[0].context.span_id)

    def test_a_log_line_outside_a_request_says_so(self) -> None:
        stream = io.StringIO()
        logger = logging.getLogger("test.tracing.outside")
        logger.addHandler(json_handler(stream, "test-fn"))
        try:
            logger.warning("idle")
        finally:
            logger.handlers.clear()
        line = json.loads(stream.getvalue())
        assert (line["trace_id"], line["span_id"]) == ("-", "-")


class TestEvents:
    def test_a_handler_continues_the_events_own_trace_before_the_deliverys(self) -> None:
        delivery = f"00-{'1' * 32}-{'2' * 16}-01"
        with app.test_request_context("/", method="POST", headers={"ce-traceparent": VALID,
                                                                   "traceparent": delivery}) as ctx:
            assert event_traceparent(ctx.request) == VALID
        with app.test_request_context("/", method="POST", headers={"ce-traceparent": "bad",
                                                                   "traceparent": delivery}) as ctx:
            assert event_traceparent(ctx.request) == delivery
        with app.test_request_context("/", method="POST", headers={"ce-traceparent": "bad"}) as ctx:
            assert event_traceparent(ctx.request) is None

    def test_an_outbox_rows_traceparent_is_the_messages_ce_traceparent(self) -> None:
        import uuid
        from datetime import datetime, timezone

        from functions.runtime.relay.message import OutboxRow, message_to_cloudevent, row_to_message

        row = OutboxRow(uuid.uuid4(), 1, "com.ecom.orders.order.placed", "/ecom/orders/orders", "o-1",
                        '{"a": 1}', datetime.now(timezone.utc), VALID)
        message = row_to_message(row)
        assert message.properties.headers["ce-traceparent"] == VALID
        assert message_to_cloudevent(message.properties, message.body)["traceparent"] == VALID
        untraced = row_to_message(row._replace(traceparent=None))
        assert "ce-traceparent" not in untraced.properties.headers


def test_a_call_carries_a_child_span_of_the_request(callee) -> None:  # noqa: F811
    from functions.runtime.calls import Service

    with tracing.span("request", "server", SpanContext(TRACE, PARENT)) as request:
        Service("catalog-product").get("/api/products/MUG-1")
    sent = parse_traceparent(callee.seen[0][2]["traceparent"])
    assert sent.trace_id == TRACE and sent.span_id not in (PARENT, request.context.span_id)


def test_a_cold_start_imports_no_opentelemetry_unless_exporting() -> None:
    """Without OTEL_EXPORTER_OTLP_ENDPOINT no OpenTelemetry module is imported, even by a span."""
    code = ("import sys, functions.runtime.web, functions.runtime.handlers, functions.runtime.calls, "
            "functions.runtime.tracing as t; "
            "assert not [m for m in sys.modules if m.startswith('opentelemetry')], 'imported at start'; "
            "t.start_span('GET /', 'server', None).end(); "
            "assert not [m for m in sys.modules if m.startswith('opentelemetry')], 'imported by a span'")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env={"PYTHONPATH": str(REPO)})
    exporting = ("import sys, functions.runtime.tracing as t; s = t.start_span('GET /', 'server', None); "
                 "assert 'opentelemetry.sdk.trace' in sys.modules and s.exported is not None")
    subprocess.run([sys.executable, "-c", exporting], cwd=REPO, check=True,
                   env={"PYTHONPATH": str(REPO), "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
