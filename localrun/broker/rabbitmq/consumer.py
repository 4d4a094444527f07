"""One Trigger's queue consumer: prefetch 100, `parallelism` workers, reconnects when RabbitMQ does.

Like eventing-rabbitmq's ConsumeFromQueue: one thread reads the queue into a local work queue
that `parallelism` workers drain (one worker keeps the queue's order, retries included). pika's
BlockingConnection is not thread-safe, so workers hand their acks back to the consumer thread
with `add_callback_threadsafe`. After a lost connection the unacknowledged messages come back
from RabbitMQ; local items of the old connection are discarded, never acked on the new one.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pika

from localrun.broker.message import BrokerEvent, from_message
from localrun.broker.rabbitmq.amqp import AMQP_ERRORS, declare_trigger, parameters
from localrun.broker.resources import PREFETCH, Trigger
from localrun.broker.transport import ConsumerThreads, PublishError, Stopped, Topology

log = logging.getLogger(__name__)
_STOP_GRACE = 5.0  # seconds in-flight deliveries get to finish (and be acked) on stop


@dataclass(frozen=True, slots=True)
class _Item:
    generation: int
    connection: pika.BlockingConnection
    channel: Any
    tag: int
    properties: Any
    body: bytes


class AmqpTriggerConsumer(ConsumerThreads):
    """Consumes `<prefix>.trigger.<name>` and hands each event to `handle(trigger, event)`."""

    def __init__(self, trigger: Trigger, topology: Topology, url: str,
                 handle: Callable[[Trigger, BrokerEvent], str], stopping: threading.Event) -> None:
        self.trigger, self.topology, self.url, self.handle = trigger, topology, url, handle
        self.stopping = stopping
        self.queue = topology.trigger_queue(trigger.name)
        self.connection_name = f"localrun-broker {topology.prefix} trigger {trigger.name}"
        self.connected = threading.Event()
        self.connections = 0  # how many times it has (re)connected
        self._items: queue.Queue[_Item | None] = queue.Queue()
        self._generation = 0
        self._busy = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._consume, name=f"broker-{trigger.name}", daemon=True)]
        self._threads += [threading.Thread(target=self._work, name=f"broker-{trigger.name}-{i}", daemon=True)
                          for i in range(trigger.parallelism)]

    def _consume(self) -> None:
        delay = 0.5
        while not self.stopping.is_set():
            connection = None
            try:
                connection = pika.BlockingConnection(parameters(self.url, self.connection_name))
                channel = connection.channel()
                declare_trigger(channel, self.topology, self.trigger.name, self.trigger.routing_key)
                channel.basic_qos(prefetch_count=PREFETCH)
                with self._lock:
                    self._generation += 1
                    generation = self._generation
                    self.connections += 1

                def on_message(ch: Any, method: Any, properties: Any, body: bytes) -> None:
                    self._items.put(_Item(generation, connection, ch, method.delivery_tag, properties, body))

                tag = channel.basic_consume(self.queue, on_message)
                self.connected.set()
                delay = 0.5
                log.info("trigger %s: consuming %s (parallelism %d)", self.trigger.name, self.queue,
                         self.trigger.parallelism)
                while not self.stopping.is_set():
                    connection.process_data_events(time_limit=0.2)
                self._drain(connection, channel, tag)
            except AMQP_ERRORS as exc:
                self.connected.clear()
                if self.stopping.is_set():
                    break
                log.warning("trigger %s: RabbitMQ connection lost or refused (%r); retrying in %.1f s",
                            self.trigger.name, exc, delay)
                self.stopping.wait(delay)
                delay = min(delay * 2, 10.0)
            finally:
                self.connected.clear()
                if connection is not None and connection.is_open:
                    try:
                        connection.close()  # unacked messages go back to the queue
                    except AMQP_ERRORS:
                        pass
        for _ in range(self.trigger.parallelism):
            self._items.put(None)

    def _drain(self, connection: pika.BlockingConnection, channel: Any, tag: str) -> None:
        """On stop: take no more messages, let in-flight ones finish and be acked, briefly."""
        channel.basic_cancel(tag)
        deadline = time.monotonic() + _STOP_GRACE
        while time.monotonic() < deadline:
            with self._lock:
                if self._busy == 0:
                    break
            connection.process_data_events(time_limit=0.05)
        connection.process_data_events(time_limit=0)

    def _work(self) -> None:
        while (item := self._items.get()) is not None:
            with self._lock:
                if self.stopping.is_set() or item.generation != self._generation:
                    continue  # from a closed connection: RabbitMQ delivers it again
                self._busy += 1
            try:
                self._settle(item, self._process(item))
            finally:
                with self._lock:
                    self._busy -= 1

    def _process(self, item: _Item) -> bool | None:
        """Return True to ack, False to requeue, None to leave it unacked (stopping)."""
        try:
            event = from_message(item.properties, item.body)
        except ValueError as exc:
            log.error("trigger %s: a message that is not a CloudEvent was dropped: %s",
                      self.trigger.name, exc)
            return True
        try:
            self.handle(self.trigger, event)
            return True
        except Stopped:
            return None
        except PublishError as exc:
            log.error("trigger %s: event %s not dead-lettered (%s); it will be delivered again",
                      self.trigger.name, event.id, exc)
        except Exception:
            log.exception("trigger %s: event %s failed in the broker; it will be delivered again",
                          self.trigger.name, event.id)
        self.stopping.wait(1.0)  # no hot loop on a persistent failure
        return False

    def _settle(self, item: _Item, ack: bool | None) -> None:
        if ack is None:
            return

        def settle() -> None:
            if item.generation == self._generation and item.channel.is_open:
                if ack:
                    item.channel.basic_ack(item.tag)
                else:
                    item.channel.basic_nack(item.tag, requeue=True)

        try:
            item.connection.add_callback_threadsafe(settle)
        except AMQP_ERRORS:
            pass  # the connection is gone: the message comes back with the next one
