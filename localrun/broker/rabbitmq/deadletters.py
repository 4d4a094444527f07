"""The dead-letter queue: list what is in it, or replay it to the exchange.

Listing takes every message without acknowledging it and then closes the channel, so RabbitMQ
puts them all back: reading changes nothing. Replaying republishes each event (with confirms)
to the exchange without its knativeerror* extensions, then acknowledges its dead letter; the
event goes to every Trigger that matches it again, which idempotent handlers allow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel

from localrun.broker.message import BrokerEvent, from_message, to_message
from localrun.broker.rabbitmq.amqp import parameters
from localrun.broker.transport import ReplayError, Topology


@contextmanager
def _channel(url: str, topology: Topology) -> Iterator[BlockingChannel | None]:
    """Yield a channel on which the dead-letter queue exists, or None when it does not."""
    connection = pika.BlockingConnection(parameters(url, f"localrun-broker {topology.prefix} dead-letters"))
    try:
        channel = connection.channel()
        try:
            channel.queue_declare(topology.dead_letter_queue, passive=True)
        except pika.exceptions.ChannelClosedByBroker:
            yield None  # 404: the broker never ran with this prefix
            return
        yield channel
    finally:
        if connection.is_open:
            connection.close()


def read_dead_letters(url: str, topology: Topology) -> list[BrokerEvent]:
    """Return the dead letters, oldest first, leaving them in the queue."""
    events = []
    with _channel(url, topology) as channel:
        if channel is None:
            return []
        while True:
            method, properties, body = channel.basic_get(topology.dead_letter_queue, auto_ack=False)
            if method is None:
                break
            events.append(from_message(properties, body))
    return events


def replay_dead_letters(url: str, topology: Topology, only_id: str | None = None) -> list[BrokerEvent]:
    """Republish dead letters (all, or the one with id `only_id`) to the exchange; return them."""
    replayed = []
    with _channel(url, topology) as channel:
        if channel is None:
            return []
        channel.confirm_delivery()
        while True:
            method, properties, body = channel.basic_get(topology.dead_letter_queue, auto_ack=False)
            if method is None:
                break
            event = from_message(properties, body)
            if only_id is not None and event.id != only_id:
                continue  # stays unacknowledged: back in the queue when the channel closes
            clean = event.without_errors()
            props, data = to_message(clean)
            try:  # mandatory: a dead letter no queue would take stays where it is
                channel.basic_publish(topology.exchange, clean.type, data, props, mandatory=True)
            except pika.exceptions.UnroutableError:
                raise ReplayError(f"no Trigger queue is bound to {clean.type} on {topology.exchange}; "
                                  f"event {clean.id} stays dead-lettered") from None
            channel.basic_ack(method.delivery_tag)
            replayed.append(clean)
    return replayed
