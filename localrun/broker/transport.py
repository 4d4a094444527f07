"""The seam between the local broker's logic and what carries its messages.

The dispatcher (filter, retries with backoff, dead-lettering), the sender and the ingress never
talk to RabbitMQ or Postgres themselves: they go through a `Transport`:

- `publish(event)`: to the broker's exchange, routing key = the event's type (what a producer,
  a subscriber's reply, a `broker` destination and the ingress do); raise PublishError;
- `dead_letter(event)`: into the dead-letter queue; raise PublishError;
- `consumer(trigger, handle, stopping)`: a consumer of the Trigger's queue that hands each event
  to `handle` (the dispatcher) with the Trigger's parallelism, and acknowledges it when `handle`
  returns, requeues it when it raises, leaves it for redelivery on `Stopped`;
- `read_dead_letters()` / `replay_dead_letters(only_id)`; `declare(triggers)` at start
  (raise BrokerUnavailable), `delete(triggers)` for tests, `close()`.

Two implement it: `AmqpTransport` (RabbitMQ, the default, as in the cluster) and
`localrun.broker.pgqueue.PostgresTransport` (the embedded default when no RabbitMQ answers).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Protocol

import pika

from localrun.broker.amqp import AMQP_ERRORS, Publisher, Topology, parameters, redact_url
from localrun.broker.message import Event
from localrun.broker.model import Trigger


class BrokerUnavailable(RuntimeError):
    """The transport did not answer, or refused the broker's exchange and queues."""


class Consumer(Protocol):
    trigger: Trigger
    connected: threading.Event

    def start(self) -> None: ...

    def join(self, timeout: float) -> None: ...


Handle = Callable[[Trigger, Event], str]


class Transport(ABC):
    kind: str  # "rabbitmq" | "postgres"
    topology: Topology

    @abstractmethod
    def describe(self) -> str:
        """Return where messages go, for people (no password)."""

    @abstractmethod
    def declare(self, triggers: Sequence[Trigger]) -> None:
        """Make the exchange, a queue per Trigger bound by its routing key, the dead-letter queue."""

    @abstractmethod
    def publish(self, event: Event) -> None:
        """Publish to the exchange with the event's type as routing key; raise PublishError."""

    def ingress_publish(self, event: Event) -> None:
        """Publish an event the ingress accepted (a connection of its own where that matters)."""
        self.publish(event)

    @abstractmethod
    def dead_letter(self, event: Event) -> None:
        """Put an event in the dead-letter queue; raise PublishError."""

    @abstractmethod
    def consumer(self, trigger: Trigger, handle: Handle, stopping: threading.Event) -> Consumer:
        """Return a (not started) consumer of the Trigger's queue."""

    @abstractmethod
    def read_dead_letters(self) -> list[Event]:
        """Return the dead letters, oldest first, leaving them where they are."""

    @abstractmethod
    def replay_dead_letters(self, only_id: str | None = None) -> list[Event]:
        """Republish dead letters (without knativeerror*) to the exchange; return them."""

    @abstractmethod
    def delete(self, triggers: Sequence[str]) -> None:
        """Delete this broker's queues and exchange (tests)."""

    def close(self) -> None:
        """Release connections."""


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
            self.topology.declare_exchange(channel)
            for trigger in triggers:
                self.topology.declare_trigger(channel, trigger.name, trigger.routing_key)
            self.topology.declare_queue(channel, self.topology.dead_letter_queue)
        except AMQP_ERRORS as exc:
            raise BrokerUnavailable(
                f"RabbitMQ refused the broker's exchange or queues ({exc!r}); a queue declared "
                "before with another x-queue-type must be deleted first") from exc
        finally:
            if connection.is_open:
                connection.close()

    def publish(self, event: Event) -> None:
        self.publisher.publish(self.topology.exchange, event.type, event)

    def ingress_publish(self, event: Event) -> None:
        self._ingress_publisher.publish(self.topology.exchange, event.type, event)

    def dead_letter(self, event: Event) -> None:
        self.publisher.publish("", self.topology.dead_letter_queue, event, mandatory=True)

    def consumer(self, trigger: Trigger, handle: Handle, stopping: threading.Event) -> Consumer:
        from localrun.broker.consumer import TriggerConsumer

        return TriggerConsumer(trigger, self.topology, self.url, handle, stopping)

    def read_dead_letters(self) -> list[Event]:
        from localrun.broker.deadletters import read_dead_letters

        return read_dead_letters(self.url, self.topology)

    def replay_dead_letters(self, only_id: str | None = None) -> list[Event]:
        from localrun.broker.deadletters import replay_dead_letters

        return replay_dead_letters(self.url, self.topology, only_id)

    def delete(self, triggers: Sequence[str]) -> None:
        self.topology.delete(self.url, triggers)

    def close(self) -> None:
        self.publisher.close()
        self._ingress_publisher.close()
