"""One outbox row as one AMQP message, and an AMQP message back into a CloudEvent.

The format is CloudEvents' binary mode over AMQP 0-9-1, the way eventing-rabbitmq reads it:

- body: the event's `data`, JSON text (UTF-8); `content_type` property `application/json`;
- headers: every CloudEvent attribute as `ce-<name>` with a *string* value
  (`ce-specversion`, `ce-id`, `ce-type`, `ce-source`, `ce-subject`, `ce-time`, `ce-dataschema`,
  `ce-datacontenttype`, and `ce-traceparent` when the row has one: the CloudEvents
  distributed-tracing extension, the W3C traceparent of the span that emitted the event);
- properties: `message_id` = event id, `type` = event type, `timestamp` = created_at (seconds),
  `delivery_mode` 2 (persistent); routing key = event type (the topic exchange routes on it).

Why these names: RabbitmqSource's message reader (eventing-rabbitmq `pkg/adapter/message.go` and
`pkg/rabbit/message.go`) treats a message as a binary-mode CloudEvent when the header
`ce-specversion` holds a known spec version, and maps each `ce-<attr>` header to that attribute
(the newer reader strips `ce-` and also accepts bare names); such a message passes through
unchanged, instead of being wrapped in a new event of type `dev.knative.rabbitmq.event`. The older
reader type-asserts header values to strings, so every header is a string; the newer one turns
every header not prefixed `x-` into an attribute or extension, so nothing else goes in `headers`.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any, NamedTuple

import pika

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
DATASCHEMA_BASE = "https://ecom.example/events/schemas/"  # the $id prefix of events/schemas/*.json
HEADER_PREFIX = "ce-"
PERSISTENT = 2


class OutboxRow(NamedTuple):
    """A pending outbox row, as the relay reads it (`data` is the JSON text of the JSONB column)."""

    id: uuid.UUID
    seq: int
    type: str
    source: str
    subject: str
    data: str
    created_at: datetime
    traceparent: str | None = None


class AmqpMessage(NamedTuple):
    routing_key: str
    properties: pika.BasicProperties
    body: bytes


def dataschema(event_type: str) -> str:
    """Return the URL of the JSON Schema of a type's `data`."""
    return f"{DATASCHEMA_BASE}{event_type}.json"


def rfc3339(moment: datetime) -> str:
    """Return a timestamp as UTC RFC 3339 text with microseconds (`...T12:00:00.123456Z`)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def row_to_message(row: OutboxRow) -> AmqpMessage:
    """Return the AMQP message that carries an outbox row as a binary-mode CloudEvent."""
    event_id = str(row.id)
    headers = {
        "ce-specversion": SPECVERSION,
        "ce-id": event_id,
        "ce-type": row.type,
        "ce-source": row.source,
        "ce-subject": row.subject,
        "ce-time": rfc3339(row.created_at),
        "ce-dataschema": dataschema(row.type),
        "ce-datacontenttype": CONTENT_TYPE,
    }
    if row.traceparent:
        headers["ce-traceparent"] = row.traceparent
    properties = pika.BasicProperties(
        content_type=CONTENT_TYPE, delivery_mode=PERSISTENT, message_id=event_id, type=row.type,
        timestamp=int(row.created_at.timestamp()), headers=headers)
    data = row.data
    return AmqpMessage(row.type, properties, data.encode() if isinstance(data, str) else bytes(data))


def message_to_cloudevent(properties: Any, body: bytes) -> dict[str, Any]:
    """Return a CloudEvent read from an AMQP message: its attributes and `data`, in one dict.

    The inverse of `row_to_message`, and lenient the way RabbitmqSource is: header names are
    case-insensitive and may come without the `ce-` prefix; `x-` headers (RabbitMQ's own, such as
    `x-death`) are not attributes. Missing `id`, `type`, `time` and `datacontenttype` fall back to
    the message properties. JSON data is parsed; anything else is returned as bytes.
    """
    event: dict[str, Any] = {}
    for name, value in (getattr(properties, "headers", None) or {}).items():
        key = name.lower()
        if key.startswith("x-"):
            continue
        key = key.removeprefix(HEADER_PREFIX)
        if key == "content-type":
            key = "datacontenttype"
        event[key] = value.decode() if isinstance(value, bytes) else str(value)
    event.setdefault("specversion", SPECVERSION)
    if getattr(properties, "message_id", None):
        event.setdefault("id", properties.message_id)
    if getattr(properties, "type", None):
        event.setdefault("type", properties.type)
    if getattr(properties, "timestamp", None) is not None:
        event.setdefault("time", rfc3339(datetime.fromtimestamp(properties.timestamp, timezone.utc)))
    if getattr(properties, "content_type", None):
        event.setdefault("datacontenttype", properties.content_type)
    media = event.get("datacontenttype", "").split(";")[0].strip().lower()
    if body and (media == "application/json" or media.endswith("+json")):
        event["data"] = json.loads(body)
    else:
        event["data"] = bytes(body) if body else None
    return event
