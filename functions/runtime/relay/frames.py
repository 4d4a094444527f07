"""A publish as the bytes on the wire: the relay's messages framed without pika's generic encoder.

`basic_publish` makes three frames per message (method, content header, body) through pika's
generic encoders, then hands each to the transport as its own buffer: one `send` system call per
frame. Measured with cProfile on this machine (bench/events.py --only throughput --profile, 20,000
messages of nine string headers): the properties' table encoding was about a third of the
relay's own time and the sends (three per message) another fifth. Our messages use a handful of
properties and only string headers, so `publish_frames` encodes those directly and returns the
three frames as one bytes, and the publisher writes a whole batch as one buffer.

The bytes are exactly the ones pika writes for the same message (tests/unit/runtime/test_relay_frames.py
compares them); a message with any property or header value this encoder does not cover is
encoded by pika's own `BasicProperties.encode`, so the shortcut never changes what is sent.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import pika.exceptions
import pika.spec

from functions.runtime.relay.message import AmqpMessage

_FRAME_END = bytes((pika.spec.FRAME_END,))
_FRAME = struct.Struct(">BHI")  # frame type, channel, payload size
_PUBLISH = struct.pack(">IH", pika.spec.Basic.Publish.INDEX, 0)  # method id, ticket 0
_NOT_MANDATORY = b"\x00"  # Basic.Publish's bits: mandatory and immediate both off
_LONG = struct.Struct(">I")
_HEADER = struct.Struct(">HxxQ")  # class id, weight 0, body size
_BP = pika.spec.BasicProperties
# Properties `encode_properties` leaves to pika (the relay sets none of them).
_LEFT_TO_PIKA = ("content_encoding", "priority", "correlation_id", "reply_to", "expiration",
                 "user_id", "app_id", "cluster_id")


def _short(value: str) -> bytes:
    data = value.encode()
    if len(data) > 255:
        raise pika.exceptions.ShortStringTooLong(data)
    return bytes((len(data),)) + data


@lru_cache(maxsize=1024)
def _field_name(key: str) -> bytes:
    """A table entry's name and its value's type tag (a string): the same few names every message."""
    return _short(key) + b"S"


@lru_cache(maxsize=1024)
def _publish_method(exchange: str, routing_key: str) -> bytes:
    """Basic.Publish's arguments: one exchange, and a routing key per event type."""
    return _PUBLISH + _short(exchange) + _short(routing_key) + _NOT_MANDATORY


def _frame(frame_type: int, channel: int, payload: bytes) -> bytes:
    return _FRAME.pack(frame_type, channel, len(payload)) + payload + _FRAME_END


def _table(headers: dict[str, Any]) -> bytes | None:
    """Return an AMQP field table of string values, or None when a key or value is not a string."""
    pieces = []
    for key, value in headers.items():
        if type(key) is not str or type(value) is not str:
            return None
        data = value.encode()
        pieces += (_field_name(key), _LONG.pack(len(data)), data)
    table = b"".join(pieces)
    return _LONG.pack(len(table)) + table


# The properties the relay sets, in AMQP's order (the flag bits' order), with their encoders.
_OURS: tuple[tuple[str, int, Callable[[Any], bytes | None]], ...] = (
    ("content_type", _BP.FLAG_CONTENT_TYPE, _short),
    ("headers", _BP.FLAG_HEADERS, _table),
    ("delivery_mode", _BP.FLAG_DELIVERY_MODE, struct.Struct("B").pack),
    ("message_id", _BP.FLAG_MESSAGE_ID, _short),
    ("timestamp", _BP.FLAG_TIMESTAMP, struct.Struct(">Q").pack),
    ("type", _BP.FLAG_TYPE, _short),
)


def encode_properties(properties: pika.spec.BasicProperties) -> bytes:
    """Return the encoded properties (flags, then fields, in AMQP's order) of a content header."""
    if any(getattr(properties, name) is not None for name in _LEFT_TO_PIKA):
        return b"".join(properties.encode())
    flags = 0
    pieces = []
    for name, flag, encode in _OURS:
        value = getattr(properties, name)
        if value is not None:
            encoded = encode(value)
            if encoded is None:  # a header pika encodes its own way
                return b"".join(properties.encode())
            flags |= flag
            pieces.append(encoded)
    return struct.pack(">H", flags) + b"".join(pieces)


def publish_frames(channel: int, exchange: str, message: AmqpMessage, body_max: int) -> bytes:
    """Return the frames of one Basic.Publish of `message` on `channel`, as one bytes.

    `body_max` is the connection's largest body fragment (frame_max less the frame's own 8 bytes):
    a longer body is split over several body frames, as pika does.
    """
    body = message.body
    method = _publish_method(exchange, message.routing_key)
    properties = encode_properties(message.properties)
    header = _HEADER.pack(_BP.INDEX, len(body)) + properties
    frames = [_frame(pika.spec.FRAME_METHOD, channel, method),
              _frame(pika.spec.FRAME_HEADER, channel, header)]
    for start in range(0, len(body), body_max):
        frames.append(_frame(pika.spec.FRAME_BODY, channel, body[start:start + body_max]))
    return b"".join(frames)
