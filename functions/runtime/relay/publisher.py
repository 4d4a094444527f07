"""Publishing a batch of messages to RabbitMQ and learning which ones the broker confirmed.

Two ways to wait for publisher confirms with pika's BlockingConnection:

- "stream" (the default): enable confirms on the channel's underlying asynchronous channel with
  our own ack/nack callback, write the whole batch as one buffer (its frames encoded by
  `frames.py`: the bytes pika would write, made faster), then run the connection's I/O loop until
  every delivery tag is acked or nacked (one wait per batch). This reaches pika's own internals
  (`BlockingChannel._impl`, `_flush_output`, the same ones `BlockingChannel.basic_publish` uses,
  and the connection's `_output_marshaled_frames` and `_body_max_length`, the ones
  `Channel.basic_publish` uses), stable across pika 1.x (pyproject pins `<2`); when they are
  missing we fall back to "each".
- "each": pika's public API, `confirm_delivery()` then `basic_publish`, which waits for the
  confirm of every message before sending the next: one broker round trip (and, for persistent
  messages on durable queues, one disk sync) per message.

Measured on this machine (bench/events.py, persistent messages to a durable queue, no database):
"each" about 1,300 msg/s (the broker syncs to disk before every confirm, and we wait for each),
"stream" about 13,000 msg/s (one sync covers many messages), so the relay streams.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NoReturn
from urllib.parse import unquote, urlsplit

import pika
import pika.exceptions
import pika.spec

from functions.runtime.relay.frames import publish_frames
from functions.runtime.relay.message import AmqpMessage

log = logging.getLogger("functions.runtime.relay")

CONFIRM_MODES = ("stream", "each")


class BrokerError(Exception):
    """The broker could not be reached, closed the connection, or did not confirm in time.

    `confirmed[i]` tells whether message i of the batch was confirmed (acked) before it happened.
    """

    def __init__(self, message: str, confirmed: Sequence[bool] = ()) -> None:
        super().__init__(message)
        self.confirmed = list(confirmed)


class ConfigurationError(Exception):
    """The broker refused our setup (an exchange of that name with another type or durability)."""


def broker_label(amqp_url: str) -> str:
    """Return `host:port/vhost` of an AMQP URL, without its credentials (for logs)."""
    parts = urlsplit(amqp_url)
    return f"{parts.hostname}:{parts.port or 5672} vhost {unquote(parts.path[1:]) or '/'}"


class ConfirmingPublisher:
    """One connection and channel in confirm mode, publishing to one durable topic exchange."""

    def __init__(self, amqp_url: str, exchange: str, confirm_mode: str = "stream",
                 confirm_timeout: float = 30.0) -> None:
        if confirm_mode not in CONFIRM_MODES:
            raise ValueError(f"confirm_mode must be one of {CONFIRM_MODES}")
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.confirm_mode = confirm_mode
        self.confirm_timeout = confirm_timeout
        self._connection: pika.BlockingConnection | None = None
        self._channel = None
        self._streaming = False
        self._next_tag = 0  # the delivery tag of the last message published on the channel
        self._outstanding: dict[int, int] = {}  # delivery tag -> index in the current batch
        self._acked: list[bool] = []

    @property
    def label(self) -> str:
        """Return where it publishes, for logs (no credentials)."""
        return broker_label(self.amqp_url)

    @property
    def connected(self) -> bool:
        return self._connection is not None and self._connection.is_open

    def connect(self) -> None:
        """Open the connection and channel, declare the exchange, enable confirms (idempotent)."""
        if self.connected and self._channel is not None and self._channel.is_open:
            return
        self.close()
        params = pika.URLParameters(self.amqp_url)
        query = urlsplit(self.amqp_url).query
        if "blocked_connection_timeout" not in query:
            params.blocked_connection_timeout = 30  # a broker in a resource alarm: give up, retry
        if "socket_timeout" not in query:
            params.socket_timeout = 5
        if "connection_attempts" not in query:
            params.connection_attempts = 1  # the relay's own loop retries, with backoff
        try:
            self._connection = pika.BlockingConnection(params)
            self._channel = self._connection.channel()
            self._channel.exchange_declare(self.exchange, "topic", durable=True)
            self._enable_confirms()
        except pika.exceptions.ChannelClosedByBroker as exc:
            self.close()
            if exc.reply_code == 406:  # PRECONDITION_FAILED: an incompatible exchange exists
                raise ConfigurationError(f"exchange {self.exchange!r}: {exc.reply_text}") from exc
            raise BrokerError(f"channel closed by broker: {exc.reply_code} {exc.reply_text}") from exc
        except (pika.exceptions.AMQPError, OSError) as exc:
            self.close()
            raise BrokerError(f"cannot connect to {broker_label(self.amqp_url)}: {exc!r}") from exc

    def _enable_confirms(self) -> None:
        channel = self._channel
        impl = getattr(channel, "_impl", None)
        connection = getattr(impl, "connection", None)
        self._streaming = (self.confirm_mode == "stream" and hasattr(channel, "_flush_output")
                           and hasattr(connection, "_output_marshaled_frames")
                           and isinstance(getattr(connection, "_body_max_length", None), int))
        self._next_tag = 0
        if not self._streaming:
            channel.confirm_delivery()
            return
        selected: list[bool] = []
        impl.confirm_delivery(ack_nack_callback=self._on_confirm,
                              callback=lambda _frame: selected.append(True))
        channel._flush_output(lambda: bool(selected))

    def _on_confirm(self, frame: pika.frame.Method) -> None:
        method = frame.method
        ok = isinstance(method, pika.spec.Basic.Ack)
        if method.multiple:
            done = [tag for tag in self._outstanding if tag <= method.delivery_tag]
        else:
            done = [method.delivery_tag] if method.delivery_tag in self._outstanding else []
        for tag in done:
            self._acked[self._outstanding.pop(tag)] = ok

    def publish_batch(self, messages: Sequence[AmqpMessage], conn: object = None) -> list[bool]:
        """Publish messages in order; return, per message, whether the broker confirmed it.

        `conn` (the relay's database transaction) is not used: RabbitMQ is not in it.

        A False means the broker nacked it (it did not take responsibility for it). Raises
        BrokerError (with what was confirmed so far) when the connection or channel is lost or
        the confirms do not arrive within `confirm_timeout`.
        """
        self.connect()
        if self._streaming:
            return self._publish_streaming(messages)
        return self._publish_each(messages)

    def _publish_streaming(self, messages: Sequence[AmqpMessage]) -> list[bool]:
        self._acked = [False] * len(messages)
        self._outstanding = {}
        impl = self._channel._impl
        timed_out: list[bool] = []
        timer = None
        try:
            impl._raise_if_not_open()
            connection, channel, body_max = impl.connection, impl.channel_number, impl.connection._body_max_length
            # One buffer for the batch: one send for it, where basic_publish made three per message.
            connection._output_marshaled_frames(
                [b"".join([publish_frames(channel, self.exchange, m, body_max) for m in messages])])
            for index in range(len(messages)):
                self._next_tag += 1
                self._outstanding[self._next_tag] = index
        except (pika.exceptions.AMQPError, OSError) as exc:
            self._lost(exc)
        try:
            timer = self._connection.call_later(self.confirm_timeout, lambda: timed_out.append(True))
            self._channel._flush_output(lambda: not self._outstanding or bool(timed_out))
        except (pika.exceptions.AMQPError, OSError) as exc:
            self._lost(exc)
        finally:
            if timer is not None and self.connected:
                self._connection.remove_timeout(timer)
        if self._outstanding:
            self._fail(f"no confirm within {self.confirm_timeout} s")
        return list(self._acked)

    def _lost(self, exc: BaseException) -> NoReturn:
        """The connection failed mid-batch."""
        self._fail(f"publishing to {broker_label(self.amqp_url)} failed: {exc!r}", exc)

    def _fail(self, message: str, cause: BaseException | None = None) -> NoReturn:
        """Give up on the batch: close the connection, raise with what was confirmed so far."""
        acked = list(self._acked)
        self.close()
        raise BrokerError(message, acked) from cause

    def _publish_each(self, messages: Sequence[AmqpMessage]) -> list[bool]:
        acked: list[bool] = []
        try:
            for message in messages:
                try:
                    self._channel.basic_publish(self.exchange, message.routing_key, message.body,
                                                message.properties)
                    acked.append(True)
                except pika.exceptions.NackError:
                    acked.append(False)
        except (pika.exceptions.AMQPError, OSError) as exc:
            self.close()
            raise BrokerError(f"publishing to {broker_label(self.amqp_url)} failed: {exc!r}",
                              acked + [False] * (len(messages) - len(acked))) from exc
        return acked

    def idle(self) -> None:
        """Serve heartbeats and notice a closed connection while there is nothing to publish."""
        if not self.connected:
            return
        try:
            self._connection.process_data_events(0)
        except (pika.exceptions.AMQPError, OSError) as exc:
            self.close()
            log.warning("relay broker connection lost while idle",
                        extra={"broker": broker_label(self.amqp_url), "error": repr(exc)[:300]})

    def close(self) -> None:
        """Close the connection, quietly (it may be dead already)."""
        connection, self._connection, self._channel = self._connection, None, None
        self._outstanding = {}
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail in many ways
                pass
