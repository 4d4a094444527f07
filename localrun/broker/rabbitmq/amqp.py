"""RabbitMQ plumbing: connection parameters, the queue and exchange names, a confirming publisher."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from localrun.broker.message import BrokerEvent, to_message
from localrun.broker.transport import PublishError, Topology

log = logging.getLogger(__name__)
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
# What a lost connection or channel looks like to pika's blocking adapter.
AMQP_ERRORS = (pika.exceptions.AMQPError, OSError)


def parameters(url: str, name: str, *, heartbeat: int | None = None) -> pika.URLParameters:
    """Return connection parameters with a connection name RabbitMQ shows, and short timeouts."""
    params = pika.URLParameters(url)
    params.client_properties = {"connection_name": name, "product": "localrun.broker"}
    params.connection_attempts = 1
    params.socket_timeout = 5
    params.stack_timeout = 10
    params.blocked_connection_timeout = 30
    if heartbeat is not None:
        params.heartbeat = heartbeat
    return params


def declare_exchange(channel: BlockingChannel, topology: Topology) -> None:
    """Declare the durable topic exchange (the relay declares the same)."""
    channel.exchange_declare(topology.exchange, "topic", durable=True)


def declare_queue(channel: BlockingChannel, topology: Topology, queue: str) -> None:
    """Declare a durable queue of the broker's queue type (RabbitmqBrokerConfig.queueType)."""
    channel.queue_declare(queue, durable=True, arguments={"x-queue-type": topology.queue_type})


def queue_depths(url: str, topology: Topology, queues: Sequence[str]) -> dict[str, int | None]:
    """Return each queue's ready messages (a passive declare each; None where it does not exist)."""
    connection = pika.BlockingConnection(parameters(url, f"localrun-broker {topology.prefix} status"))
    depths: dict[str, int | None] = {}
    try:
        channel = connection.channel()
        for queue in queues:
            try:
                depths[queue] = channel.queue_declare(queue, passive=True).method.message_count
            except pika.exceptions.ChannelClosedByBroker:  # 404: closes the channel, open another
                depths[queue] = None
                channel = connection.channel()
    finally:
        if connection.is_open:
            connection.close()
    return depths


def declare_trigger(channel: BlockingChannel, topology: Topology, trigger: str, routing_key: str) -> None:
    """Declare a Trigger's queue and bind it to the exchange by its filtered type."""
    declare_exchange(channel, topology)
    queue = topology.trigger_queue(trigger)
    declare_queue(channel, topology, queue)
    channel.queue_bind(queue, topology.exchange, routing_key)


def delete_broker(url: str, topology: Topology, triggers: Iterable[str]) -> None:
    """Delete the Trigger queues, the dead-letter queue and the exchange (tests clean up)."""
    connection = pika.BlockingConnection(parameters(url, f"localrun-broker {topology.prefix} cleanup"))
    try:
        channel = connection.channel()
        for queue in [*(topology.trigger_queue(t) for t in triggers), topology.dead_letter_queue]:
            channel.queue_delete(queue)
        channel.exchange_delete(topology.exchange)
    finally:
        connection.close()


class Publisher:
    """Publishes with publisher confirms over one lazily opened connection; thread-safe."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def publish(self, exchange: str, routing_key: str, event: BrokerEvent, *, mandatory: bool = False) -> None:
        """Send an event and wait for RabbitMQ's confirm; raise PublishError.

        A connection found dead (RabbitMQ restarted) is replaced once before giving up.
        """
        properties, body = to_message(event)
        with self._lock:
            for attempt in (1, 2):
                try:
                    channel = self._open()
                    channel.basic_publish(exchange, routing_key, body, properties, mandatory=mandatory)
                    return
                except pika.exceptions.UnroutableError as exc:
                    where = exchange or "default exchange"
                    raise PublishError(f"{where} -> {routing_key}: unroutable") from exc
                except pika.exceptions.NackError as exc:
                    raise PublishError(f"{exchange} -> {routing_key}: nacked by RabbitMQ") from exc
                except AMQP_ERRORS as exc:
                    self._drop()
                    if attempt == 2:
                        raise PublishError(f"RabbitMQ at {redact_url(self.url)}: {exc!r}") from exc

    def declare(self, topology: Topology, queues: Iterable[str] = ()) -> None:
        """Declare the exchange and queues through this publisher's connection; raise PublishError."""
        with self._lock:
            try:
                channel = self._open()
                declare_exchange(channel, topology)
                for queue in queues:
                    declare_queue(channel, topology, queue)
            except AMQP_ERRORS as exc:
                self._drop()
                raise PublishError(f"RabbitMQ at {redact_url(self.url)}: {exc!r}") from exc

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _open(self) -> BlockingChannel:
        if self._channel is None or not self._channel.is_open:
            self._drop()
            # No heartbeats: an idle publisher never processes I/O, and must not be cut for it.
            self._connection = pika.BlockingConnection(parameters(self.url, self.name, heartbeat=0))
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
        return self._channel

    def _drop(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except AMQP_ERRORS:
                pass


def redact_url(url: str) -> str:
    """Return an AMQP URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"
