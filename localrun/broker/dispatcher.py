"""What happens to one event for one Trigger: filter, deliver with retries, dead-letter or drop.

Mirrors eventing-rabbitmq's dispatcher, with one deliberate difference: an answer that is not
retried (400, 422, other 4xx) goes to the dead-letter sink, as Knative's data-plane spec says,
while eventing-rabbitmq acknowledges it as if it had succeeded. `non_retryable="ack"` gives the
cluster's behaviour instead (PLATFORM-FACTS.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from localrun.broker.delivery import Outcome, Sender, deliver
from localrun.broker.message import BrokerEvent, truncate
from localrun.broker.resources import Delivery, Destination, Trigger
from localrun.broker.transport import Stopped, Transport

log = logging.getLogger(__name__)
# How a dead letter bound for an HTTP sink is sent before it falls back to the dead-letter queue.
_SINK_DELIVERY = Delivery(retry=2, backoff_policy="exponential", backoff_delay=0.1)


@dataclass(frozen=True, slots=True)
class Record:
    """What the broker did with one event for one Trigger."""

    trigger: str
    event_id: str
    result: str  # acked | dead-lettered | dropped | filtered
    attempts: int
    status: int | None
    at: float


class Dispatcher:
    """Handles events for every Trigger; keeps the last outcomes for tests and `make dev` logs."""

    def __init__(self, sender: Sender, transport: Transport, stopping: threading.Event,
                 non_retryable: str = "dead-letter", forwards: Mapping[str, Destination] | None = None) -> None:
        if non_retryable not in ("dead-letter", "ack"):
            raise ValueError("non_retryable is dead-letter or ack")
        self.sender, self.transport = sender, transport
        self.forwards = dict(forwards or {})  # a sink Service's name -> where it forwards (loader.py)
        self.stopping, self.non_retryable = stopping, non_retryable
        self._history: deque[Record] = deque(maxlen=10_000)
        self._lock = threading.Lock()

    def history(self) -> list[Record]:
        """Return the records so far, oldest first."""
        with self._lock:
            return list(self._history)

    def handle(self, trigger: Trigger, event: BrokerEvent) -> str:
        """Deliver an event for a Trigger and return what became of it; the caller then acks.

        Raise Stopped (broker stopping) or PublishError (dead-letter queue unreachable): the
        message must then stay unacknowledged so RabbitMQ delivers it again.
        """
        if not trigger.matches(event.attributes):
            return self._record(trigger, event, "filtered", 0, None)
        if "knativeerrordest" in event.attributes:
            # eventing-rabbitmq's dispatcher drops events that carry it (a dead letter on the loose).
            log.warning("trigger %s: event %s carries knativeerrordest; dropped as eventing-rabbitmq "
                        "does (replay strips it)", trigger.name, event.id)
            return self._record(trigger, event, "dropped", 0, None)
        outcome, attempts = deliver(self.sender, trigger.subscriber, event, trigger.delivery, self.stopping)
        if outcome.ok:
            if outcome.reply is not None:
                self._publish_reply(trigger, outcome.reply)
            return self._record(trigger, event, "acked", attempts, outcome.status)
        if not outcome.retryable and self.non_retryable == "ack":
            log.warning("trigger %s: event %s answered %s; acknowledged as eventing-rabbitmq does",
                        trigger.name, event.id, outcome.describe())
            return self._record(trigger, event, "acked", attempts, outcome.status)
        delivery = trigger.delivery
        if delivery is None or delivery.dead_letter_sink is None:
            log.error("trigger %s: event %s (%s) dropped after %d attempt(s), %s: no dead-letter sink",
                      trigger.name, event.id, event.type, attempts, outcome.describe())
            return self._record(trigger, event, "dropped", attempts, outcome.status)
        self._dead_letter(trigger, event, outcome)
        log.warning("trigger %s: event %s (%s) dead-lettered after %d attempt(s): %s",
                    trigger.name, event.id, event.type, attempts, outcome.describe())
        return self._record(trigger, event, "dead-lettered", attempts, outcome.status)

    def _dead_letter(self, trigger: Trigger, event: BrokerEvent, outcome: Outcome) -> None:
        assert trigger.delivery is not None and trigger.delivery.dead_letter_sink is not None
        data = truncate(outcome.body) if outcome.body else outcome.error
        dead = event.with_attributes(
            knativeerrordest=trigger.subscriber.url,
            knativeerrorcode=str(outcome.status) if outcome.status is not None else None,
            knativeerrordata=data or None)
        sink = trigger.delivery.dead_letter_sink
        # A plain Kubernetes Service (our dead-letter-sink Deployment) does not run locally: its
        # stand-in is the dead-letter queue, which `make dead-letters` reads and replays; and,
        # as the sink does once it kept one, the dead letter is forwarded where its Service says.
        if sink.kind != "service":
            result, _ = deliver(self.sender, sink, dead, _SINK_DELIVERY, self.stopping)
            if result.ok:
                return
            log.error("dead-letter sink %s: %s; keeping event %s in %s instead", sink.url,
                      result.describe(), event.id, self.transport.topology.dead_letter_queue)
        self.transport.dead_letter(dead)
        forward = self.forwards.get(sink.name) if sink.kind == "service" else None
        if forward is not None:
            try:
                result, _ = deliver(self.sender, forward, dead, _SINK_DELIVERY, self.stopping)
            except Stopped:  # it is kept: only the count waits for a replay
                log.warning("dead letter %s not forwarded to %s: the broker is stopping", event.id, forward.url)
                return
            if not result.ok:
                log.error("dead letter %s not forwarded to %s: %s; kept in %s", event.id, forward.url,
                          result.describe(), self.transport.topology.dead_letter_queue)

    def _publish_reply(self, trigger: Trigger, reply: BrokerEvent) -> None:
        try:
            self.transport.publish(reply)
        except Exception as exc:  # a lost reply must not redeliver the event that was handled
            log.error("trigger %s: reply %s (%s) not published: %s", trigger.name, reply.id, reply.type, exc)

    def _record(self, trigger: Trigger, event: BrokerEvent, result: str, attempts: int, status: int | None) -> str:
        with self._lock:
            self._history.append(Record(trigger.name, event.id, result, attempts, status, time.time()))
        return result
