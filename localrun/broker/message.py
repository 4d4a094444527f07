"""A CloudEvent as the local broker moves it: attributes (strings) and data (bytes).

On RabbitMQ it is the relay's message format (`functions/runtime/relay/message.py`): body =
data, every attribute a `ce-<name>` string header, `content_type`, `message_id`, `type`,
`timestamp` properties, persistent. Over HTTP it is CloudEvents' binary mode: `ce-*` headers,
`Content-Type` = datacontenttype, body = data.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pika

from functions.runtime.relay.message import HEADER_PREFIX, PERSISTENT, message_to_cloudevent, rfc3339

ERROR_EXTENSIONS = ("knativeerrordest", "knativeerrorcode", "knativeerrordata")
ERROR_DATA_LIMIT = 1024  # bytes of the subscriber's answer kept in knativeerrordata


@dataclass(slots=True)
class BrokerEvent:
    """One CloudEvent: context attributes and extensions by name, and its data as bytes."""

    attributes: dict[str, str]
    data: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # extra HTTP headers (traceparent)

    @property
    def id(self) -> str:
        return self.attributes.get("id", "")

    @property
    def type(self) -> str:
        return self.attributes.get("type", "")

    def with_attributes(self, **changes: str | None) -> BrokerEvent:
        """Return a copy with attributes set (None removes one)."""
        attributes = dict(self.attributes)
        for name, value in changes.items():
            if value is None:
                attributes.pop(name, None)
            else:
                attributes[name] = value
        return BrokerEvent(attributes, self.data, dict(self.headers))

    def without_errors(self) -> BrokerEvent:
        """Return a copy without the knativeerror* extensions a dead letter carries."""
        return self.with_attributes(**{name: None for name in ERROR_EXTENSIONS})


def new_event(type_: str, source: str, data: bytes | None = None, content_type: str = "",
              **extensions: str) -> BrokerEvent:
    """Return an event with a fresh UUID id and the current time."""
    attributes = {"specversion": "1.0", "id": str(uuid.uuid4()), "type": type_, "source": source,
                  "time": rfc3339(datetime.now(timezone.utc)), **extensions}
    if content_type:
        attributes["datacontenttype"] = content_type
    return BrokerEvent(attributes, data or b"")


def json_data(value: Any) -> bytes:
    """Return value as compact UTF-8 JSON text."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def from_message(properties: Any, body: bytes) -> BrokerEvent:
    """Return the event an AMQP message carries (read with the relay's own reader)."""
    raw = message_to_cloudevent(properties, body)
    data = raw.pop("data", None)
    if data is None:
        payload = b""
    elif isinstance(data, (bytes, bytearray)):
        payload = bytes(data)
    else:
        payload = bytes(body)  # JSON: keep the producer's exact text
    return BrokerEvent({k: str(v) for k, v in raw.items()}, payload)


def to_message(event: BrokerEvent) -> tuple[pika.BasicProperties, bytes]:
    """Return the AMQP properties and body of an event, in the relay's format."""
    a = event.attributes
    timestamp = None
    if a.get("time"):
        try:
            timestamp = int(datetime.fromisoformat(a["time"].replace("Z", "+00:00")).timestamp())
        except ValueError:
            timestamp = None
    properties = pika.BasicProperties(
        content_type=a.get("datacontenttype") or None, delivery_mode=PERSISTENT,
        message_id=a.get("id") or None, type=a.get("type") or None, timestamp=timestamp,
        headers={HEADER_PREFIX + k: str(v) for k, v in a.items()})
    return properties, event.data


def http_headers(event: BrokerEvent) -> list[tuple[str, str]]:
    """Return the binary-mode HTTP headers of an event."""
    out = []
    for name, value in event.attributes.items():
        if name == "datacontenttype":
            out.append(("Content-Type", _header_safe(value)))
        else:
            out.append(("ce-" + name, _header_safe(value)))
    out += [(k, _header_safe(v)) for k, v in event.headers.items()]
    return out


def from_binary_http(headers: Iterable[tuple[str, str]], body: bytes) -> BrokerEvent | None:
    """Return the binary-mode CloudEvent in HTTP headers and body, or None when there is none."""
    attributes: dict[str, str] = {}
    content_type = ""
    for name, value in headers:
        key = name.lower()
        if key.startswith("ce-"):
            attributes[key[3:]] = value
        elif key == "content-type":
            content_type = value
    if "specversion" not in attributes:
        return None
    if content_type:
        attributes["datacontenttype"] = content_type
    return BrokerEvent(attributes, body)


def from_structured(document: Mapping[str, Any]) -> BrokerEvent:
    """Return the event of a structured-mode JSON document (`data` or `data_base64`)."""
    attributes = {k: str(v) for k, v in document.items() if k not in ("data", "data_base64")}
    if "data_base64" in document:
        data = base64.b64decode(document["data_base64"])
    elif "data" in document:
        value = document["data"]
        media = attributes.get("datacontenttype", "application/json")
        data = value.encode() if isinstance(value, str) and not is_json(media) else json_data(value)
        attributes.setdefault("datacontenttype", "application/json")
    else:
        data = b""
    return BrokerEvent(attributes, data)


def is_json(media_type: str) -> bool:
    """Return whether a content type is JSON (`application/json`, `*+json`)."""
    media = media_type.split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json") or media == "text/json"


def truncate(body: bytes, limit: int = ERROR_DATA_LIMIT) -> str:
    """Return at most `limit` bytes of a response body as text."""
    return body[:limit].decode("utf-8", errors="replace")


def _header_safe(value: str) -> str:
    # The CloudEvents HTTP binding percent-encodes what a header cannot carry; the 1.x Python SDK
    # does not decode, so only characters that would break the header are encoded.
    if all(" " <= ch <= "~" for ch in value):
        return value
    return "".join(ch if " " <= ch <= "~" else "".join(f"%{b:02X}" for b in ch.encode()) for ch in value)
