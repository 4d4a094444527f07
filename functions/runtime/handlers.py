"""CloudEvent handlers: idempotent through the inbox, poison events recorded, failures retried.

Also the sinks of PingSources (`ping_handler`): a scheduled tick, not a domain event, so no
Trigger, no inbox and no entry in events/; the PingSource manifest names the function. And the
receiver of dead letters (`dead_letter_handler`): any event the broker gave up on, forwarded by
the dead-letter sink with the broker's `knativeerror*` extensions.

A handler is an HTTP function (so it answers the health paths like every function) that takes
a CloudEvent in binary or structured mode, as the broker delivers it. The answer tells the
broker what to do: 2xx done (also for a redelivery), 400 never again (the event is recorded as
rejected, with the reason, before answering), 5xx try again later.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Request, Response
from pydantic import BaseModel, ValidationError

from functions.runtime import tracing
from functions.runtime.db import UnitOfWork, autocommit, unit_of_work
from functions.runtime.domains import domain_of
from functions.runtime.errors import FieldError, Problem
from functions.runtime.exceptions import DomainError, Unavailable
from functions.runtime.inbox import Effect, record, record_with
from functions.runtime.metrics import event_outcome
from functions.runtime.settings import get_settings
from functions.runtime.validation import field_errors, unstorable
from functions.runtime.web import http_function, json_response

log = logging.getLogger("ecom.events")
HANDLED, DUPLICATE = "processed", "duplicate"  # the answer's `status`
_RETRIED = frozenset({404, 408, 409, 429})  # and 5xx: the answers the broker tries again (README, Events)
D = TypeVar("D", bound=BaseModel)


@dataclass(frozen=True)
class Event:
    id: str
    source: str
    type: str
    subject: str | None
    time: str | None
    data: Any


class Rejected(Exception):
    """The event can never be handled (impossible data or state): record it, do not retry."""


def invalid_event(detail: str, errors: list[FieldError] | None = None) -> Problem:
    return Problem(400, "invalid-event", "The event cannot be handled", detail, errors or [])


def parse_event(request: Request) -> Event:
    """Return the request's CloudEvent (binary or structured mode), or raise a 400 problem."""
    event = _binary_json_event(request)
    if event is not None:
        return event
    from cloudevents.exceptions import GenericException
    from cloudevents.http import from_http

    try:
        event = from_http(dict(request.headers), request.get_data())
    except GenericException as exc:
        raise invalid_event(f"Not a CloudEvent: {exc}") from None
    except RecursionError:  # a structured event nested past what the parser follows
        raise invalid_event("Not a CloudEvent: nested too deeply") from None
    return Event(id=event["id"], source=event["source"], type=event["type"],
                 subject=event.get("subject"), time=event.get("time"), data=event.data)


def _binary_json_event(request: Request) -> Event | None:
    """Return a well-formed binary-mode CloudEvent 1.0 with JSON data, read without the SDK; else None.

    What the broker delivers, every event: the SDK's parser cost a handler a seventh of its CPU
    (bench/events.py). Anything else, or anything odd (a missing attribute, data that is not
    JSON), goes to the SDK, which gives the same Event or the same 400 as always.
    """
    headers = request.headers
    if headers.get("ce-specversion") != "1.0" or not request.mimetype == "application/json":
        return None
    event_id, source, type_ = headers.get("ce-id"), headers.get("ce-source"), headers.get("ce-type")
    if not (event_id and source and type_):
        return None
    body = request.get_data()
    try:
        data = json.loads(body) if body else None
    except (ValueError, RecursionError):
        return None
    return Event(id=event_id, source=source, type=type_, subject=headers.get("ce-subject"),
                 time=headers.get("ce-time"), data=data)


def event_traceparent(request: Request) -> str | None:
    """The trace a delivered event continues: its own (the CloudEvents distributed-tracing
    extension, `ce-traceparent` in binary mode: the producer's span), else the delivery's HTTP
    `traceparent`; the first valid one (functions/runtime/tracing.py), or None for a new trace."""
    for candidate in (request.headers.get("ce-traceparent"), request.headers.get("traceparent")):
        if tracing.parse_traceparent(candidate) is not None:
            return candidate
    return None


def _traced(event: Event) -> None:
    """Name the handler's span after the event it processes (OpenTelemetry's messaging names)."""
    active = tracing.current_span.get()
    if active is not None:
        active.rename(f"process {event.type}")
        active.set(**{"cloudevents.event_id": event.id, "cloudevents.event_type": event.type,
                      "cloudevents.event_source": event.source,
                      "cloudevents.event_subject": event.subject or ""})


def _reject(domain: str, consumer: str, event: Event, reason: str) -> None:
    """Remember a poison event in its own transaction (the handler's effect was rolled back)."""
    with unit_of_work(domain) as uow:
        record(uow.conn, domain, consumer, event.source, event.id, event.type, "rejected", reason,
               tracing.current_traceparent())
        uow.commit()
    log.warning("rejected %s %s from %s: %s", event.type, event.id, event.source, reason)


def _domain_of_handler(handle: Callable[..., Any], domain: str | None) -> str:
    """The domain whose schema a handler uses: the one given, else the package it is written in."""
    found = domain or domain_of(handle.__module__)
    if found is None:
        raise ValueError(f"{handle.__module__} is not in a domain: give the handler's domain")
    return found


def _delivery_endpoint(function: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """An HTTP function the broker (or a PingSource, or the dead-letter sink) POSTs CloudEvents to:
    its span continues the event's trace, as a consumer."""
    return http_function(methods=("POST",), trace_parent=event_traceparent, span_kind="consumer")(function)


def _parsed(event: Event, types: tuple[str, ...], data: type[D], consumer: str) -> D:
    """The event's data as `data`; Rejected when the type is not the handler's or the data breaks its contract."""
    if event.type not in types:
        raise Rejected(f"{consumer} does not handle {event.type}")
    try:
        payload = data.model_validate_json(json.dumps(event.data), strict=True)
    except ValidationError as exc:
        errors = field_errors(exc, prefix="data.")
        raise Rejected("; ".join(f"{e.field}: {e.message}" for e in errors)) from None
    if errors := list(unstorable(payload, "data")):
        raise Rejected("; ".join(f"{e.field}: {e.message}" for e in errors))
    return payload


def _consumer_endpoint(handle: Callable[..., Any], types: tuple[str, ...], domain: str,
                       handled: Callable[[Event, str], bool]) -> Callable[[Request], Response]:
    """The function the broker delivers `types` to: `handled(event, consumer)` applies an event
    (False for a redelivery, already applied); a rejected one is recorded as such and answered 400."""

    def _handle(event: Event) -> dict[str, str]:
        consumer = get_settings().service_name
        try:
            new = handled(event, consumer)
        except Rejected as exc:
            _reject(domain, consumer, event, str(exc))
            raise invalid_event(str(exc)) from None
        return {"status": HANDLED if new else DUPLICATE, "id": event.id}

    @functools.wraps(handle)
    def function(request: Request) -> Response:
        event = parse_event(request)
        _traced(event)
        # The metrics' type label: one of ours, never a sender's made-up type (a series each).
        kind = event.type if event.type in types else "unexpected"
        try:
            answer = _handle(event)
        except Problem as problem:
            event_outcome(kind, "retried" if problem.status in _RETRIED or problem.status >= 500
                          else "rejected")
            raise
        except Exception:  # answered 5xx by the edge: the broker tries again
            event_outcome(kind, "retried")
            raise
        event_outcome(kind, "handled" if answer["status"] == HANDLED else "duplicate")
        return json_response(answer)

    endpoint = _delivery_endpoint(function)
    endpoint.event_types = types  # type: ignore[attr-defined]  # read by the manifest checks
    return endpoint


def event_handler(*, types: tuple[str, ...], data: type[D], domain: str | None = None,
                  ) -> Callable[[Callable[[UnitOfWork, Event, D], None]], Callable[[Request], Response]]:
    """Make `handle(uow, event, data)` a functions-framework target consuming `types`.

    The domain (whose inbox and schema it uses) is the package `handle` is written in.
    """

    def decorate(handle: Callable[[UnitOfWork, Event, D], None]) -> Callable[[Request], Response]:
        schema = _domain_of_handler(handle, domain)

        def handled(event: Event, consumer: str) -> bool:
            payload = _parsed(event, types, data, consumer)
            with unit_of_work(schema) as uow:
                if not record(uow.conn, schema, consumer, event.source, event.id, event.type,
                              traceparent=tracing.current_traceparent()):
                    return False
                try:
                    handle(uow, event, payload)
                except Unavailable:
                    raise  # transient: the broker retries, then dead-letters
                except DomainError as refused:  # a rule the event breaks: it will break it again
                    raise Rejected(refused.detail) from None
                uow.commit()
            return True

        return _consumer_endpoint(handle, types, schema, handled)

    return decorate


def projection_handler(*, types: tuple[str, ...], data: type[D], domain: str | None = None,
                       ) -> Callable[[Callable[[D], Effect]], Callable[[Request], Response]]:
    """Make `project(data) -> Effect` a functions-framework target consuming `types`: a handler
    whose whole effect is a few upserts decided by the event alone (a read model's), so the inbox
    row and the effect are one statement, its own transaction (inbox.record_with): one round
    trip and one statement per delivery, where `event_handler` sends four."""

    def decorate(project: Callable[[D], Effect]) -> Callable[[Request], Response]:
        schema = _domain_of_handler(project, domain)

        def handled(event: Event, consumer: str) -> bool:
            effect = project(_parsed(event, types, data, consumer))
            with autocommit() as conn:
                return record_with(conn, schema, consumer, event.source, event.id, event.type, effect,
                                   tracing.current_traceparent())

        return _consumer_endpoint(project, types, schema, handled)

    return decorate


PING_TYPE = "dev.knative.sources.ping"  # what every PingSource sends (Knative's ping adapter)


def ping_handler(*, source: str, domain: str | None = None,
                 ) -> Callable[[Callable[[UnitOfWork], dict[str, Any]]], Callable[[Request], Response]]:
    """Make `handle(uow) -> summary` the functions-framework target the PingSource `source` calls.

    A tick does work that is safe to repeat (it looks for what is due now), so a retried or a
    missed tick needs no inbox: the next one finds what is still due. A failure is a 5xx, which
    the ping adapter retries.
    """

    def decorate(handle: Callable[[UnitOfWork], dict[str, Any]]) -> Callable[[Request], Response]:
        nonlocal domain
        domain = _domain_of_handler(handle, domain)

        @functools.wraps(handle)
        def function(request: Request) -> Response:
            event = parse_event(request)
            if event.type != PING_TYPE:
                raise invalid_event(f"{get_settings().service_name} handles only {PING_TYPE}, "
                                    f"not {event.type}")
            with unit_of_work(domain) as uow:
                summary = handle(uow)
            return json_response({"status": "processed", "id": event.id, **summary})

        endpoint = _delivery_endpoint(function)
        endpoint.ping_source = source  # type: ignore[attr-defined]  # read by the manifest checks
        return endpoint

    return decorate


# A dead letter's attributes are kept, never its data (it may hold what the event was about, and
# is in the sink's own record); each kept text is cut to this many characters.
DEAD_LETTER_TEXT = 500
DEAD_LETTER_ERROR_TEXT = 2000
# The metrics' type label of a dead letter: an event type of ours (com.ecom.<producer>.<entity>.<verb>),
# else "unexpected", so no sender's made-up type becomes a series of its own.
_OUR_EVENT_TYPE = re.compile(r"^com\.ecom\.(accounts|catalog|inventory|orders|payments|reporting|warehouse)"
                             r"\.[a-z_]{1,40}\.[a-z_]{1,40}$")


@dataclass(frozen=True)
class DeadLetter:
    """An event the broker gave up on: who it was for, its last answer and error, when."""

    id: str
    source: str
    type: str
    subject: str | None
    dest: str  # knativeerrordest: the subscriber that could not take it
    code: int | None  # knativeerrorcode: its last HTTP status; None when there was no answer
    error: str | None  # knativeerrordata: the last answer's body or the delivery error


def _storable_text(value: str | None, limit: int) -> str | None:
    """The text cut to `limit`, with what Postgres text cannot hold (NUL, lone surrogates) replaced:
    a dead letter is a record of a failure, kept as it came rather than refused."""
    if value is None:
        return None
    text = value.replace("\x00", "\ufffd").encode("utf-8", errors="replace").decode("utf-8")
    return text[:limit]


def parse_dead_letter(request: Request) -> DeadLetter:
    """Return the dead letter a request carries (binary or structured mode), or raise a 400 problem."""
    if request.mimetype == "application/cloudevents+json":
        try:
            body = json.loads(request.get_data())
        except (ValueError, RecursionError):
            raise invalid_event("Not a CloudEvent: the structured event is not JSON") from None
        attributes = {str(k): v for k, v in body.items() if isinstance(v, str | int)} if isinstance(body, dict) else {}
    else:
        attributes = {k[3:].lower(): v for k, v in request.headers.items() if k.lower().startswith("ce-")}
    missing = [name for name in ("id", "source", "type", "knativeerrordest") if not attributes.get(name)]
    if missing:
        raise invalid_event("Not a dead letter: no " + ", ".join(missing),
                            [FieldError(name, "is required") for name in missing])

    def attribute(name: str, limit: int = DEAD_LETTER_TEXT) -> str | None:
        value = attributes.get(name)
        return _storable_text(None if value is None else str(value), limit)

    code = attribute("knativeerrorcode") or ""
    return DeadLetter(id=attribute("id") or "", source=attribute("source") or "", type=attribute("type") or "",
                      subject=attribute("subject"), dest=attribute("knativeerrordest") or "",
                      code=int(code) if len(code) == 3 and code.isdigit() and 100 <= int(code) <= 599 else None,
                      error=attribute("knativeerrordata", DEAD_LETTER_ERROR_TEXT))


def dead_letter_handler(*, sink: str, domain: str | None = None,
                        ) -> Callable[[Callable[[UnitOfWork, DeadLetter], bool]], Callable[[Request], Response]]:
    """Make `handle(uow, dead_letter) -> new` the target the dead-letter sink `sink` (the plain
    Service every delivery's deadLetterSink names) forwards each dead letter to.

    Any event type comes, so no Trigger and no inbox: `handle` keeps one row per event and
    subscriber, and answers whether it was new, so a forward sent twice counts once.
    """

    def decorate(handle: Callable[[UnitOfWork, DeadLetter], bool]) -> Callable[[Request], Response]:
        nonlocal domain
        domain = _domain_of_handler(handle, domain)

        @functools.wraps(handle)
        def function(request: Request) -> Response:
            dead = parse_dead_letter(request)
            with unit_of_work(domain) as uow:
                new = handle(uow, dead)
                uow.commit()
            if new:
                event_outcome(dead.type if _OUR_EVENT_TYPE.match(dead.type) else "unexpected", "dead_lettered")
                log.warning("dead letter %s %s from %s for %s: %s %s", dead.type, dead.id, dead.source,
                            dead.dest, dead.code, (dead.error or "")[:200])
            return json_response({"status": HANDLED if new else DUPLICATE, "id": dead.id})

        endpoint = _delivery_endpoint(function)
        endpoint.dead_letter_sink = sink  # type: ignore[attr-defined]  # read by the manifest checks
        return endpoint

    return decorate
