"""`AmqpTransport`: RabbitMQ carries the broker's messages, as eventing-rabbitmq does in the cluster."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pika

from localrun.broker.message import BrokerEvent
from localrun.broker.rabbitmq.amqp import (
    AMQP_ERRORS,
    Publisher,
    declare_exchange,
    declare_queue,
    declare_trigger,
    delete_broker,
    parameters,
    queue_depths,
    redact_url,
)
from localrun.broker.rabbitmq.consumer import AmqpTriggerConsumer
from localrun.broker.rabbitmq.deadletters import read_dead_letters, replay_dead_letters
from localrun.broker.resources import Trigger
from localrun.broker.transport import BrokerUnavailable, Handle, Topology, Transport, TriggerConsumer


class AmqpTransport(Transport):
    """RabbitMQ: a topic exchange, a durable queue per Trigger, a dead-letter queue."""

    kind = "rabbitmq"

    def __init__(self, url: str, topology: Topology) -> None:
        self.url, self.topology = url, topology
        self.publisher = Publisher(url, f"localrun-broker {topology.prefix} dispatch")
        self._ingress_publisher = Publisher(url, f"localrun-broker {topology.prefix} ingress")

    def describe(self) -> str:
        return f"RabbitMQ {redact_url(self.url)}"

    def declare(self, triggers: Sequence[Trigger]) -> None:
        try:
            name = f"localrun-broker {self.topology.prefix} setup"
            connection = pika.BlockingConnection(parameters(self.url, name))
        except AMQP_ERRORS as exc:
            raise BrokerUnavailable(f"RabbitMQ at {redact_url(self.url)} does not answer: {exc!r}") from exc
        try:
            channel = connection.channel()
            declare_exchange(channel, self.topology)
            for trigger in triggers:
                declare_trigger(channel, self.topology, trigger.name, trigger.routing_key)
            declare_queue(channel, self.topology, self.topology.dead_letter_queue)
        except AMQP_ERRORS as exc:
            raise BrokerUnavailable(
                f"RabbitMQ refused the broker's exchange or queues ({exc!r}); a queue declared "
                "before with another x-queue-type must be deleted first") from exc
        finally:
            if connection.is_open:
                connection.close()

    def publish(self, event: BrokerEvent) -> None:
        self.publisher.publish(self.topology.exchange, event.type, event)

    def ingress_publish(self, event: BrokerEvent) -> None:
        self._ingress_publisher.publish(self.topology.exchange, event.type, event)

    def dead_letter(self, event: BrokerEvent) -> None:
        self.publisher.publish("", self.topology.dead_letter_queue, event, mandatory=True)

    def consumer(self, trigger: Trigger, handle: Handle, stopping: threading.Event) -> TriggerConsumer:
        return AmqpTriggerConsumer(trigger, self.topology, self.url, handle, stopping)

    def read_dead_letters(self) -> list[BrokerEvent]:
        return read_dead_letters(self.url, self.topology)

    def replay_dead_letters(self, only_id: str | None = None) -> list[BrokerEvent]:
        return replay_dead_letters(self.url, self.topology, only_id)

    def queue_depths(self, queues: Sequence[str]) -> dict[str, int | None]:
        return queue_depths(self.url, self.topology, queues)

    def delete(self, triggers: Sequence[str]) -> None:
        delete_broker(self.url, self.topology, triggers)

    def close(self) -> None:
        self.publisher.close()
        self._ingress_publisher.close()
