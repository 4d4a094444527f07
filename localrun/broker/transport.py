"""The seam between the local broker's logic and what carries its messages.

The dispatcher (filter, retries with backoff, dead-lettering), the sender and the ingress never
talk to RabbitMQ or Postgres themselves: they go through a `Transport`:

- `publish(event)`: to the broker's exchange, routing key = the event's type (what a producer,
  a subscriber's reply, a `broker` destination and the ingress do); raise PublishError;
- `dead_letter(event)`: into the dead-letter queue; raise PublishError;
- `consumer(trigger, handle, stopping)`: a consumer of the Trigger's queue that hands each event
  to `handle` (the dispatcher) with the Trigger's parallelism, and acknowledges it when `handle`
  returns, requeues it when it raises, leaves it for redelivery on `Stopped`;
- `read_dead_letters()` / `replay_dead_letters(only_id)`; `queue_depths(queues)` for `make status`;
  `declare(triggers)` at start
  (raise BrokerUnavailable), `delete(triggers)` for tests, `close()`.

Two implement it, each in its own package: `rabbitmq.transport.AmqpTransport` (the default, as in
the cluster) and `postgres.transport.PostgresTransport` (the embedded default when no RabbitMQ
answers). This module holds only the contract: the names both use (`Topology`), the errors, and
the consumer's shape; it imports neither pika nor SQLAlchemy.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from localrun.broker.message import BrokerEvent
from localrun.broker.resources import Trigger

DEFAULT_EXCHANGE = "ecom.events"
DEFAULT_PREFIX = "ecom.broker"


class BrokerUnavailable(RuntimeError):
    """The transport did not answer, or refused the broker's exchange and queues."""


class PublishError(RuntimeError):
    """The transport did not take a message (unreachable, nacked, or unroutable when mandatory)."""


class ReplayError(RuntimeError):
    """A dead letter could not be republished (nothing would receive it)."""


class Stopped(Exception):
    """The broker is stopping: the event is left unacknowledged, for RabbitMQ to redeliver."""


@dataclass(frozen=True)
class Topology:
    """The exchange the events are published to and the queues the local broker owns."""

    exchange: str = DEFAULT_EXCHANGE
    prefix: str = DEFAULT_PREFIX
    queue_type: str = "classic"

    def trigger_queue(self, trigger: str) -> str:
        return f"{self.prefix}.trigger.{trigger}"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.prefix}.dead-letter"


class TriggerConsumer(Protocol):
    """What `Transport.consumer` returns: one Trigger's queue, handed to the dispatcher."""

    trigger: Trigger
    connected: threading.Event

    def start(self) -> None: ...

    def join(self, timeout: float) -> None: ...


Handle = Callable[[Trigger, BrokerEvent], str]


class ConsumerThreads:
    """Both transports' consumers: their threads start together and are joined within one timeout."""

    _threads: list[threading.Thread]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> None:
        """Wait for the threads after `stopping` was set."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.ident is not None:  # started
                thread.join(max(0.0, deadline - time.monotonic()))


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
    def publish(self, event: BrokerEvent) -> None:
        """Publish to the exchange with the event's type as routing key; raise PublishError."""

    def ingress_publish(self, event: BrokerEvent) -> None:
        """Publish an event the ingress accepted (a connection of its own where that matters)."""
        self.publish(event)

    @abstractmethod
    def dead_letter(self, event: BrokerEvent) -> None:
        """Put an event in the dead-letter queue; raise PublishError."""

    @abstractmethod
    def consumer(self, trigger: Trigger, handle: Handle, stopping: threading.Event) -> TriggerConsumer:
        """Return a (not started) consumer of the Trigger's queue."""

    @abstractmethod
    def read_dead_letters(self) -> list[BrokerEvent]:
        """Return the dead letters, oldest first, leaving them where they are."""

    @abstractmethod
    def replay_dead_letters(self, only_id: str | None = None) -> list[BrokerEvent]:
        """Republish dead letters (without knativeerror*) to the exchange; return them."""

    @abstractmethod
    def queue_depths(self, queues: Sequence[str]) -> dict[str, int | None]:
        """Return the messages waiting in each queue (None: the queue does not exist), for `make status`.

        RabbitMQ counts the ready messages (not those a consumer holds unacknowledged); the
        Postgres transport its pending deliveries (including one being delivered now).
        """

    @abstractmethod
    def delete(self, triggers: Sequence[str]) -> None:
        """Delete this broker's queues and exchange (tests)."""

    def close(self) -> None:
        """Release connections."""
