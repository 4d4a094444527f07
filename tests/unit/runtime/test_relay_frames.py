"""The relay's own framing writes exactly the bytes pika's basic_publish would write."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timezone

import pika
import pika.exceptions
import pika.frame
import pytest

from functions.runtime.relay.frames import encode_properties, publish_frames
from functions.runtime.relay.message import AmqpMessage, OutboxRow, row_to_message

BODY_MAX = 131072 - 8  # pika's default frame_max less a frame's own header and end octet


def pika_bytes(channel: int, exchange: str, message: AmqpMessage, body_max: int = BODY_MAX) -> bytes:
    """What pika's Connection._send_message marshals for Channel.basic_publish."""
    frames = [pika.frame.Method(channel, pika.spec.Basic.Publish(exchange=exchange,
                                                                 routing_key=message.routing_key)).marshal(),
              pika.frame.Header(channel, len(message.body), message.properties).marshal()]
    for chunk in range(math.ceil(len(message.body) / body_max)):
        frames.append(pika.frame.Body(channel, message.body[chunk * body_max:(chunk + 1) * body_max]).marshal())
    return b"".join(frames)


def outbox_message(data: str = '{"n": 1}', traceparent: str | None = None,
                   subject: str = "user-1") -> AmqpMessage:
    row = OutboxRow(uuid.uuid4(), 7, "com.ecom.accounts.user.registered", "/accounts", subject, data,
                    datetime(2026, 12, 4, 12, 30, 1, 123456, tzinfo=timezone.utc), traceparent)
    return row_to_message(row)


@pytest.mark.parametrize("message", [
    outbox_message(),
    outbox_message(traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
    outbox_message(data='{"name": "Caf\\u00e9 \u00e9\u00e8 \u4e2d\u6587 \U0001f600"}', subject="\u00fcber-\u4e2d"),
    outbox_message(data=""),  # no body frame at all
], ids=["plain", "traced", "unicode", "empty body"])
def test_an_outbox_message_is_framed_as_pika_frames_it(message):
    assert publish_frames(1, "ecom.events", message, BODY_MAX) == pika_bytes(1, "ecom.events", message)
    assert publish_frames(7, "", message, BODY_MAX) == pika_bytes(7, "", message)


def test_a_body_longer_than_a_frame_is_split_where_pika_splits_it():
    message = outbox_message(data='{"text": "' + "x" * 10_000 + '"}')
    for body_max in (4096 - 8, 10_012, len(message.body), len(message.body) - 1):
        framed = publish_frames(1, "ecom.events", message, body_max)
        assert framed == pika_bytes(1, "ecom.events", message, body_max), body_max
    assert publish_frames(1, "x", message, 4088).count(bytes((pika.spec.FRAME_BODY, 0, 1))) >= 3


@pytest.mark.parametrize("properties", [
    pika.BasicProperties(),
    pika.BasicProperties(headers={}),
    pika.BasicProperties(headers={"count": 3, "flag": True, "ce-id": "a"}),  # not strings: pika's way
    pika.BasicProperties(headers={b"raw": "bytes key"}),
    pika.BasicProperties(content_type="text/plain", priority=5, correlation_id="c", reply_to="r",
                         expiration="60000", user_id="guest", app_id="relay", cluster_id="x",
                         content_encoding="gzip", delivery_mode=1, timestamp=0, type="t", message_id="m"),
], ids=["none", "empty headers", "typed headers", "bytes key", "every property"])
def test_properties_outside_the_relays_own_are_encoded_by_pika(properties):
    assert encode_properties(properties) == b"".join(properties.encode())


def test_a_type_longer_than_a_short_string_is_refused_as_pika_refuses_it():
    message = AmqpMessage("t" * 256, pika.BasicProperties(type="t" * 256), b"{}")
    with pytest.raises(pika.exceptions.ShortStringTooLong):
        publish_frames(1, "ecom.events", message, BODY_MAX)
