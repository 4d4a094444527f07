"""JSON logs on stderr, each line carrying the request's correlation id and trace (trace_id, span_id:
functions/runtime/tracing.py; "-" outside a request or handler)."""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from typing import TextIO

from functions.runtime.tracing import current_span

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="-")
_configured = False


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get()
        record.service = self.service
        active = current_span.get()
        context = active.context if active is not None else None
        record.trace_id = context.trace_id if context else "-"
        record.span_id = context.span_id if context else "-"
        return True


def _utc_millis(record: logging.LogRecord, datefmt: str | None = None) -> str:
    """`2026-12-03T14:48:25.123Z`: the record's time in UTC, to the millisecond (make trace orders by it)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


def json_handler(stream: TextIO, service: str) -> logging.Handler:
    """Return a handler writing one JSON object per record, with service, request id and trace."""
    from pythonjsonlogger.json import JsonFormatter

    handler = logging.StreamHandler(stream)
    handler.addFilter(_CorrelationFilter(service))
    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(request_id)s %(trace_id)s %(span_id)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    formatter.formatTime = _utc_millis  # type: ignore[method-assign]  # UTC, to the millisecond
    handler.setFormatter(formatter)
    return handler


def configure_logging(level: str, service: str) -> None:
    """Send the root logger's records to stderr as JSON lines (once per process)."""
    global _configured
    if _configured:
        return
    root = logging.getLogger()
    root.handlers[:] = [json_handler(sys.stderr, service)]
    root.setLevel(level)
    _configured = True
