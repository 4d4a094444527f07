"""Kong's opentelemetry plugin (priority 14): W3C trace context, continued or started, sent upstream.

What Kong 3.9 does (kong/plugins/opentelemetry/handler.lua, kong/observability/tracing/propagation)
and the local gateway reproduces, in the access phase of every request the plugin applies to:

- extract: a valid W3C `traceparent` from the client continues its trace (its sampled flag
  kept); a missing or invalid one (wrong length, upper-case hex, all-zero ids, version ff) is
  ignored and a new trace is started, sampled with probability `sampling_rate` (Kong's default,
  kong.conf's `tracing_sampling_rate`, is 0.01);
- the gateway's own span: a new span id in that trace (Kong's root span of the request);
- inject: `traceparent: 00-<trace id>-<the gateway's span id>-<flags>` upstream, replacing
  whatever the client sent (an invalid header is never passed on); the `clear` headers are removed;
- `http_response_header_for_traceid`: the trace id on the answer, under that header name.

Not reproduced: the export. Kong sends its spans to `traces_endpoint` (OTLP/HTTP) in batches;
the local gateway validates the setting and exports nothing, so locally a function's request
span names a parent (the gateway's span) that no collector receives. Only the `w3c` format is
implemented (`extract`/`inject`/`default_format`, and `preserve`, which is w3c here): another
format is a load error, as is `logs_endpoint` (OpenTelemetry logs).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from functions.runtime.tracing import SAMPLED, SpanContext, new_span_id, new_trace_id, parse_traceparent
from localrun.gateway.plugins.base import Exit, Headers, Plugin, RequestContext, set_header
from localrun.gateway.plugins.schema import Field

TRACING_SAMPLING_RATE = 0.01  # kong.conf's default, used when the plugin sets no sampling_rate
_FORMATS = ("w3c", "b3", "b3-single", "jaeger", "ot", "aws", "gcp", "datadog", "instana")
_EXTRACT = tuple(f for f in _FORMATS if f != "b3-single")
_HEADER_TYPES = ("preserve", "ignore", "b3", "b3-single", "w3c", "jaeger", "ot", "aws", "gcp", "datadog")


def _url(value: Any) -> str | None:
    if not isinstance(value, str) or not value.startswith(("http://", "https://", "{vault://")):
        return "expected a http(s) URL"
    return None


def _propagation(value: Mapping[str, Any]) -> str | None:
    unknown = sorted(set(value) - {"extract", "inject", "clear", "default_format"})
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}"
    for name, allowed in (("extract", _EXTRACT), ("inject", ("preserve", *_FORMATS))):
        items = value.get(name) or []
        if not isinstance(items, list) or any(item not in allowed for item in items):
            return f"{name}: expected an array of {', '.join(allowed)}"
    if not isinstance(value.get("clear") or [], list):
        return "clear: expected an array of header names"
    if value.get("default_format", "w3c") not in _FORMATS:
        return f"default_format: expected one of {', '.join(_FORMATS)}"
    return None


def _string_map(value: Mapping[str, Any]) -> str | None:
    if not all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items()):
        return "expected a map of non-empty strings"
    return None


class OpenTelemetry(Plugin):
    """Continues or starts the W3C trace of each request and sends its `traceparent` upstream."""

    name = "opentelemetry"
    priority = 14
    fields = {
        "traces_endpoint": Field("string", check=_url),
        "logs_endpoint": Field("string", check=_url),
        "headers": Field("record", default={}, check=_string_map),
        "resource_attributes": Field("record", default={}, check=_string_map),
        "queue": Field("record", default={"max_batch_size": 200}),
        "batch_span_count": Field("integer"),
        "batch_flush_delay": Field("integer"),
        "connect_timeout": Field("integer", default=1000, between=(0, 2**31 - 2)),
        "send_timeout": Field("integer", default=5000, between=(0, 2**31 - 2)),
        "read_timeout": Field("integer", default=5000, between=(0, 2**31 - 2)),
        "http_response_header_for_traceid": Field("string"),
        "header_type": Field("string", default="preserve", one_of=_HEADER_TYPES),
        "sampling_rate": Field("number", between=(0, 1)),
        "propagation": Field("record", default={"default_format": "w3c"}, check=_propagation),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        config = self.config
        if not (config["traces_endpoint"] or config["logs_endpoint"]):
            raise ValueError(f"{self.where}: at least one of these fields must be non-empty: "
                             "'config.traces_endpoint', 'config.logs_endpoint'")
        if config["logs_endpoint"]:
            raise ValueError(f"{self.where}: config.logs_endpoint is not supported by the local gateway")
        propagation = config["propagation"]
        formats = {*(propagation.get("extract") or ["w3c"]), *(propagation.get("inject") or ["preserve"]),
                   propagation.get("default_format", "w3c"), config["header_type"]}
        if formats - {"w3c", "preserve"}:
            raise ValueError(f"{self.where}: the local gateway propagates only w3c trace context, "
                             f"not {', '.join(sorted(formats - {'w3c', 'preserve'}))}")
        self.clear: list[str] = list(propagation.get("clear") or [])
        rate = config["sampling_rate"]
        self.sampling_rate: float = TRACING_SAMPLING_RATE if rate is None else float(rate)
        self.response_header: str | None = config["http_response_header_for_traceid"]

    def access(self, ctx: RequestContext) -> Exit | None:
        incoming = parse_traceparent(ctx.header("traceparent"))
        if incoming is not None:
            trace_id, flags = incoming.trace_id, incoming.flags
        else:
            trace_id = new_trace_id()
            flags = SAMPLED if random.random() < self.sampling_rate else 0
        gateway = SpanContext(trace_id, new_span_id(), flags)
        for name in self.clear:
            ctx.clear_upstream_header(name)
        ctx.set_upstream_header("traceparent", gateway.traceparent)
        ctx.state[self.name] = gateway
        return None

    def header_filter(self, ctx: RequestContext, status: int, headers: Headers) -> None:
        gateway = ctx.state.get(self.name)
        if self.response_header and gateway is not None:
            set_header(headers, self.response_header, gateway.trace_id)
