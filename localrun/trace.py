"""`make trace ID=<order id>`: the path of one order across the functions and events, with timings.

Usage: python -m localrun.trace ID [--database-url URL] [--logs FILE]

What it reads, as `ecom_reader` (read-only, like `make verify`), from every domain's schema:

- the outbox rows whose subject is ID or whose data names it (`type`, `source`, when written,
  when the relay sent it, `traceparent`: the span that emitted it), and every outbox row in the
  same traces (an event a handler emitted while handling one of them, whatever it names);
- the inbox rows of those events, and of those traces: which consumer handled which event, when,
  with what outcome, in which span (`traceparent` of the handler);
- with `--logs FILE` (the functions' JSON log lines, e.g. `make dev 2>&1 | tee .data/dev.log`),
  each HTTP request line (logger `ecom.http`) of those traces: which function answered what, in
  how long, started when (the line's time less its duration).

Times are the database's: an outbox row's and an inbox row's are their transaction's start
(`now()`), so a handler's `handled` and the events it emitted show the same moment; `sent` is
when the relay marked the row sent, after the broker confirmed it. The lines are in time order
per trace, as offsets from the trace's first; spans are shown by their 16-digit ids (`span`:
the span of the line; `by`: the span that emitted the event). Events written before tracing (no
traceparent) are listed under "(no trace)". The exit status is 1 when nothing names the ID.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from functions.runtime.tracing import parse_traceparent
from schemas.migrate import DOMAINS, READER, role_url

NO_TRACE = "(no trace)"
_RANK = {"request": 0, "handled": 1, "event": 2}  # at the same moment: the cause first


@dataclass(frozen=True)
class Step:
    """One line of the path: a request, an event written to an outbox, or an event handled."""

    at: datetime
    kind: str  # request | event | handled
    trace_id: str
    span_id: str
    where: str  # the function (request, handled) or the producing domain (event)
    what: str
    detail: str = ""


def _trace_and_span(traceparent: str | None) -> tuple[str, str]:
    context = parse_traceparent(traceparent)
    return (context.trace_id, context.span_id) if context else (NO_TRACE, "-")


def _outbox(conn, domain: str, where: str, params: dict) -> Iterator[tuple[str, Step]]:
    rows = conn.execute(text(
        f"SELECT id::text, type, source, subject, created_at, sent_at, traceparent FROM {domain}.outbox "
        f"WHERE {where} ORDER BY seq"), params)
    for event_id, type_, source, subject, created, sent, traceparent in rows:
        trace_id, span_id = _trace_and_span(traceparent)
        sent_after = f"sent +{(sent - created).total_seconds() * 1000:.1f} ms" if sent else "not sent yet"
        yield event_id, Step(created, "event", trace_id, span_id, domain, type_,
                             f"subject {subject}, from {source}, {sent_after}, by")


def collect(admin_url: str, ref: str, logs: Path | None = None) -> list[Step]:
    """Return every step of the order (or anything) `ref` names, unsorted."""
    engine = create_engine(role_url(admin_url, READER), poolclass=NullPool)
    events: dict[str, Step] = {}
    steps: list[Step] = []
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            for domain in DOMAINS:
                events.update(_outbox(conn, domain, "subject = :ref OR strpos(data::text, :ref) > 0",
                                      {"ref": ref}))
            traces = sorted({s.trace_id for s in events.values()} - {NO_TRACE})
            if traces:
                for domain in DOMAINS:
                    events.update(_outbox(conn, domain, "split_part(traceparent, '-', 2) = ANY(:traces)",
                                          {"traces": traces}))
            ids = sorted(events)
            for domain in DOMAINS:
                rows = conn.execute(text(
                    "SELECT consumer, id, type, status, reason, received_at, traceparent "
                    f"FROM {domain}.inbox "
                    "WHERE id = ANY(:ids) OR split_part(traceparent, '-', 2) = ANY(:traces)"),
                    {"ids": ids, "traces": traces})
                for consumer, event_id, type_, status, reason, received, traceparent in rows:
                    trace_id, span_id = _trace_and_span(traceparent)
                    cause = events.get(event_id)
                    if trace_id == NO_TRACE and cause is not None:
                        trace_id = cause.trace_id
                    detail = status + (f" ({reason})" if reason else "")
                    steps.append(Step(received, "handled", trace_id, span_id, consumer, type_, detail))
    finally:
        engine.dispose()
    steps.extend(events.values())
    traced = {s.trace_id for s in steps} - {NO_TRACE}
    if logs is not None and traced:
        steps.extend(requests_in(logs, traced))
    return steps


def requests_in(logs: Path, traces: set[str]) -> Iterator[Step]:
    """The HTTP request lines of the functions' JSON logs that belong to `traces`."""
    with logs.open(encoding="utf-8", errors="replace") as stream:
        for raw in stream:
            start = raw.find("{")
            if start == -1:
                continue
            try:
                line = json.loads(raw[start:])
            except ValueError:
                continue
            if (not isinstance(line, dict) or line.get("logger") != "ecom.http"
                    or line.get("trace_id") not in traces):
                continue
            try:
                ended = datetime.fromisoformat(str(line["time"]).replace("Z", "+00:00"))
            except (KeyError, ValueError):
                continue
            took = float(line.get("duration_ms") or 0.0)
            began = ended.timestamp() - took / 1000
            yield Step(datetime.fromtimestamp(began, timezone.utc), "request", line["trace_id"],
                       str(line.get("span_id", "-")), str(line.get("service", "?")),
                       str(line.get("message", "")), f"{took:.1f} ms")


def render(ref: str, steps: Iterable[Step]) -> list[str]:
    """The report: per trace, its steps in time order as offsets from the trace's first."""
    by_trace: dict[str, list[Step]] = {}
    for step in steps:
        by_trace.setdefault(step.trace_id, []).append(step)
    for trace_steps in by_trace.values():
        trace_steps.sort(key=lambda s: (s.at, _RANK[s.kind]))
    order = sorted(by_trace, key=lambda t: (t == NO_TRACE, by_trace[t][0].at))
    counts = {kind: sum(s.kind == kind for t in by_trace.values() for s in t) for kind in _RANK}
    traced = len(by_trace) - (NO_TRACE in by_trace)
    lines = [f"make trace: {ref}: {traced} trace(s), {counts['event']} event(s), "
             f"{counts['handled']} handling(s), {counts['request']} request(s)"]
    for trace_id in order:
        trace_steps = by_trace[trace_id]
        first = trace_steps[0].at
        lines.append(f"trace {trace_id}" + (f" (from {first.isoformat()})" if trace_id != NO_TRACE else ""))
        for step in trace_steps:
            offset = (step.at - first).total_seconds() * 1000
            if step.kind == "event":
                tail = f"{step.detail} span {step.span_id}"
            else:
                tail = f"{step.detail}, span {step.span_id}"
            lines.append(f"  {offset:+10.1f} ms  {step.kind:<8} {step.where:<30} {step.what:<32} {tail}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localrun.trace", description=__doc__.split("\n")[0])
    parser.add_argument("id", help="an order id (or any id an event's subject or data names)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None,
                        help="the migration role's URL (default: make dev's database)")
    parser.add_argument("--logs", type=Path, default=None,
                        help="the functions' JSON log lines, for the HTTP requests of the traces")
    args = parser.parse_args(argv)
    if not args.id.strip():
        parser.error("give the order's id: make trace ID=<order id>")
    from localrun.dev.stack import database

    with database(args.database_url) as url:
        steps = collect(url, args.id.strip(), args.logs)
    if not steps:
        print(f"make trace: no event names {args.id}")
        return 1
    print("\n".join(render(args.id.strip(), steps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
