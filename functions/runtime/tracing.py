"""W3C Trace Context (https://www.w3.org/TR/trace-context/): one trace from the gateway through
every function, call and event it causes.

The gateway starts the trace (Kong's `opentelemetry` plugin in the cluster, its twin in the
local gateway: a valid incoming `traceparent` is continued, anything else replaced) and sends
`traceparent` upstream. Here:

- `http_function` (functions/runtime/web.py) starts a span per request, a child of the request's
  `traceparent` (a new trace when it is missing or invalid: never echoed), and keeps it in
  `current_span` for the request;
- `event_handler` (functions/runtime/handlers.py) continues the event's own trace instead: the
  CloudEvents distributed-tracing extension (`ce-traceparent`), which the producer's outbox row
  stored and the relay carried; the delivery's HTTP `traceparent` only when the event has none;
- `calls.Service` sends each call with a child span's `traceparent`;
- `UnitOfWork.emit` stores the current span's `traceparent` with the outbox row, the relay sends
  it as the event's `traceparent` attribute (`ce-traceparent`), the inbox row of the handler
  keeps the handler's span;
- log lines carry `trace_id` and `span_id` (functions/runtime/logs.py).

Spans are exported only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (functions/runtime/otel.py,
which is the only module importing OpenTelemetry, and only then); otherwise a span is just the
ids, made here with `os.urandom`.
"""

from __future__ import annotations

import contextvars
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Span", "SpanContext", "current_span", "current_traceparent", "parse_traceparent",
           "span", "start_span"]

# version-traceid-parentid-flags, lower-case hex only (the spec's grammar; upper case is invalid).
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
_ZERO_TRACE, _ZERO_SPAN = "0" * 32, "0" * 16
SAMPLED = 0x01


@dataclass(frozen=True, slots=True)
class SpanContext:
    """What travels: the trace id, this span's id and the flags (sampled or not)."""

    trace_id: str  # 32 lower-case hex digits, never all zero
    span_id: str  # 16 lower-case hex digits, never all zero
    flags: int = SAMPLED

    @property
    def sampled(self) -> bool:
        return bool(self.flags & SAMPLED)

    @property
    def traceparent(self) -> str:
        """The version-00 header naming this span as the parent of what it causes."""
        return f"00-{self.trace_id}-{self.span_id}-{self.flags:02x}"


def parse_traceparent(value: str | None) -> SpanContext | None:
    """Return the span context a `traceparent` header names, or None when it is not valid.

    Version 00 is exactly 55 characters; a later version may carry more after a `-` (read as
    00, as the spec asks); version ff, all-zero ids and anything else are invalid.
    """
    if not value or len(value) > 512:
        return None
    match = _TRACEPARENT.match(value.strip(" \t"))
    if match is None:
        return None
    version, trace_id, span_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest is not None):
        return None
    if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    return SpanContext(trace_id, span_id, int(flags, 16) & SAMPLED)


def new_span_id() -> str:
    while True:
        span_id = os.urandom(8).hex()
        if span_id != _ZERO_SPAN:
            return span_id


def new_trace_id() -> str:
    while True:
        trace_id = os.urandom(16).hex()
        if trace_id != _ZERO_TRACE:
            return trace_id


def child_of(parent: SpanContext | None) -> SpanContext:
    """Return a new span's context: in the parent's trace, or the root of a new (sampled) one."""
    if parent is None:
        return SpanContext(new_trace_id(), new_span_id(), SAMPLED)
    return SpanContext(parent.trace_id, new_span_id(), parent.flags)


@dataclass(slots=True)
class Span:
    """One span: its context, the parent it continues (None for a root), what it is, when."""

    name: str
    kind: str  # server, consumer, client (OpenTelemetry's SpanKind, lower case)
    context: SpanContext
    parent: SpanContext | None
    started: float = field(default_factory=time.time)
    attributes: dict[str, Any] = field(default_factory=dict)
    exported: Any = None  # the OpenTelemetry span, when exporting

    def set(self, **attributes: Any) -> None:
        """Add attributes (`http.response.status_code=201`): exported with the span."""
        self.attributes.update(attributes)
        if self.exported is not None:
            self.exported.set_attributes(attributes)

    def rename(self, name: str) -> None:
        self.name = name
        if self.exported is not None:
            self.exported.update_name(name)

    def end(self, error: str | None = None) -> None:
        if self.exported is not None:
            from functions.runtime import otel

            otel.end(self.exported, error)


current_span: contextvars.ContextVar[Span | None] = contextvars.ContextVar("current_span", default=None)


def current_traceparent() -> str | None:
    """The `traceparent` naming the current span (None outside a request or handler)."""
    active = current_span.get()
    return active.context.traceparent if active is not None else None


def exporting() -> bool:
    """Whether spans go to an OpenTelemetry collector (OTEL_EXPORTER_OTLP_ENDPOINT is set)."""
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def start_span(name: str, kind: str, parent: SpanContext | None, **attributes: Any) -> Span:
    """Return a new span, child of `parent` (a new trace when None); it is not made current."""
    if exporting():
        from functions.runtime import otel

        exported, context = otel.start(name, kind, parent, attributes)
        return Span(name, kind, context, parent, attributes=dict(attributes), exported=exported)
    return Span(name, kind, child_of(parent), parent, attributes=dict(attributes))


@contextmanager
def span(name: str, kind: str, parent: SpanContext | None = None, **attributes: Any) -> Iterator[Span]:
    """Run a block in a new current span (child of `parent`, else of the current span); end it after."""
    if parent is None and (active := current_span.get()) is not None:
        parent = active.context
    opened = start_span(name, kind, parent, **attributes)
    token = current_span.set(opened)
    try:
        yield opened
    except BaseException as exc:
        opened.end(type(exc).__name__)
        raise
    else:
        opened.end()
    finally:
        current_span.reset(token)
