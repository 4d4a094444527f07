"""The local gateway's opentelemetry plugin: W3C trace context continued or started, sent upstream."""

from __future__ import annotations

import pytest

from functions.runtime.tracing import parse_traceparent
from localrun.gateway.plugins import build_plugins
from tests.localrun.unit.gateway.test_plugins import chain_of, kong, plugin, request, route, run

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
VALID = f"00-{TRACE}-00f067aa0ba902b7-01"
ENDPOINT = "http://collector:4318/v1/traces"


def otel(**config):
    return plugin("opentelemetry", traces_endpoint=ENDPOINT, **config)


def upstream_traceparent(ctx) -> str:
    name, value = ctx.upstream["traceparent"]
    return value


def test_a_valid_incoming_traceparent_is_continued_with_the_gateways_span() -> None:
    chain = chain_of(kong(route("r", otel())))
    ctx = request(headers={"traceparent": VALID})
    run(chain, ctx)
    sent = parse_traceparent(upstream_traceparent(ctx))
    assert sent.trace_id == TRACE and sent.span_id != "00f067aa0ba902b7" and sent.sampled


def test_an_unsampled_incoming_trace_stays_unsampled() -> None:
    ctx = request(headers={"traceparent": VALID[:-2] + "00"})
    run(chain_of(kong(route("r", otel(sampling_rate=1)))), ctx)
    assert not parse_traceparent(upstream_traceparent(ctx)).sampled


@pytest.mark.parametrize("bad", [VALID.upper(), f"00-{'0' * 32}-00f067aa0ba902b7-01", "hello", VALID + "-x"])
def test_an_invalid_one_is_replaced_by_a_new_trace_never_passed_on(bad: str) -> None:
    ctx = request(headers={"traceparent": bad})
    run(chain_of(kong(route("r", otel(sampling_rate=1)))), ctx)
    sent = upstream_traceparent(ctx)
    context = parse_traceparent(sent)
    assert sent != bad and context.trace_id not in bad.lower() and context.sampled


def test_a_new_trace_is_sampled_at_the_sampling_rate_kongs_default_one_in_a_hundred() -> None:
    never = chain_of(kong(route("r", otel(sampling_rate=0))))
    default = chain_of(kong(route("r", otel())))
    contexts = [request() for _ in range(300)]
    for ctx in contexts[:100]:
        run(never, ctx)
    for ctx in contexts[100:]:
        run(default, ctx)
    assert not any(parse_traceparent(upstream_traceparent(c)).sampled for c in contexts[:100])
    assert sum(parse_traceparent(upstream_traceparent(c)).sampled for c in contexts[100:]) < 20


def test_the_trace_id_goes_back_on_the_configured_header_and_cleared_headers_are_dropped() -> None:
    chain = chain_of(kong(route("r", otel(http_response_header_for_traceid="X-Trace-Id",
                                          propagation={"extract": ["w3c"], "inject": ["preserve"],
                                                       "clear": ["X-Secret-Trace"]}))))
    ctx = request(headers={"traceparent": VALID, "X-Secret-Trace": "1"})
    _, headers, _ = run(chain, ctx)
    assert headers["X-Trace-Id"] == TRACE and ctx.upstream["x-secret-trace"] == ("X-Secret-Trace", None)


def test_the_plugin_runs_after_rate_limiting_before_prometheus() -> None:
    chain = chain_of(kong(route("r", otel(), plugin("rate-limiting", minute=5), plugin("correlation-id"))))
    assert chain.names == ("correlation-id", "rate-limiting", "opentelemetry")


@pytest.mark.parametrize("config, message", [
    ({}, "traces_endpoint"),
    ({"traces_endpoint": "collector:4318"}, "URL"),
    ({"traces_endpoint": ENDPOINT, "sampling_rate": 2}, "between"),
    ({"traces_endpoint": ENDPOINT, "propagation": {"extract": ["b3"]}}, "only w3c"),
    ({"traces_endpoint": ENDPOINT, "propagation": {"inject": ["zipkin"]}}, "inject"),
    ({"traces_endpoint": ENDPOINT, "header_type": "jaeger"}, "only w3c"),
    ({"logs_endpoint": ENDPOINT}, "logs_endpoint"),
    ({"traces_endpoint": ENDPOINT, "endpoint": ENDPOINT}, "endpoint"),
])
def test_a_bad_or_unsupported_setting_is_a_load_error(config, message) -> None:
    with pytest.raises(ValueError, match=message):
        build_plugins(kong(route("r", {"name": "opentelemetry", "config": config})))
