"""OpenTelemetry export of the runtime's spans: imported only when OTEL_EXPORTER_OTLP_ENDPOINT is set.

`functions/runtime/tracing.py` decides (`exporting()`); nothing else imports this module, so a
function's cold start without a collector imports no OpenTelemetry (a test checks).

The SDK makes each span's id, so what travels in `traceparent` (calls, outbox rows, events) is
exactly what the collector receives: the parent given is the remote span the request or event
named. Spans go by OTLP/HTTP protobuf (`opentelemetry-exporter-otlp-proto-http`) to
`$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces` in batches (the SDK's BatchSpanProcessor, configured by
the standard OTEL_BSP_* variables), flushed at exit. The resource's `service.name` is the
function's Knative Service (`OTEL_SERVICE_NAME` overrides it, as the SDK reads it). The sampler
is the SDK's default, parent-based: a trace the gateway did not sample is not exported.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import NonRecordingSpan, SpanKind, Status, StatusCode, TraceFlags

from functions.runtime.tracing import SpanContext

_KINDS = {"server": SpanKind.SERVER, "client": SpanKind.CLIENT, "consumer": SpanKind.CONSUMER,
          "producer": SpanKind.PRODUCER, "internal": SpanKind.INTERNAL}
_tracer: Any = None
_provider: Any = None
_lock = threading.Lock()


def tracer() -> Any:
    """Return the process's tracer, setting up the provider and its OTLP exporter on first use."""
    global _tracer, _provider
    if _tracer is None:
        with _lock:
            if _tracer is None:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

                from functions.runtime.settings import get_settings

                named = ({} if os.environ.get("OTEL_SERVICE_NAME")
                         else {"service.name": get_settings().service_name})
                provider = TracerProvider(resource=Resource.create(named))  # OTEL_RESOURCE_ATTRIBUTES too
                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
                _provider, _tracer = provider, provider.get_tracer("ecom-functions")
    return _tracer


def start(name: str, kind: str, parent: SpanContext | None,
          attributes: dict[str, Any]) -> tuple[Any, SpanContext]:
    """Start an exported span, child of the remote `parent`; return it and its context."""
    context = None
    if parent is not None:
        remote = trace.SpanContext(int(parent.trace_id, 16), int(parent.span_id, 16), is_remote=True,
                                   trace_flags=TraceFlags(parent.flags))
        context = trace.set_span_in_context(NonRecordingSpan(remote))
    exported = tracer().start_span(name, context=context, kind=_KINDS[kind], attributes=attributes)
    made = exported.get_span_context()
    return exported, SpanContext(f"{made.trace_id:032x}", f"{made.span_id:016x}", int(made.trace_flags))


def end(exported: Any, error: str | None) -> None:
    if error is not None:
        exported.set_status(Status(StatusCode.ERROR, error))
    exported.end()


def flush(timeout_millis: int = 5000) -> bool:
    """Export every ended span now (the processor also exports in batches and at exit)."""
    return _provider is None or _provider.force_flush(timeout_millis)
