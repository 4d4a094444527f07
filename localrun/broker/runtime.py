"""LocalBroker: the Trigger consumers, the ingress and the PingSources of one Broker, started together."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pika

from localrun.broker.amqp import (
    AMQP_ERRORS,
    DEFAULT_AMQP_URL,
    DEFAULT_EXCHANGE,
    DEFAULT_PREFIX,
    Publisher,
    Topology,
    redact_url,
    parameters,
)
from localrun.broker.consumer import TriggerConsumer
from localrun.broker.contracts import Contracts
from localrun.broker.delivery import DEFAULT_TIMEOUT, Sender, Stopped, deliver
from localrun.broker.dispatcher import Dispatcher, Record
from localrun.broker.loader import load_eventing
from localrun.broker.ingress import IngressServer
from localrun.broker.message import Event
from localrun.broker.ping import PING_DELIVERY, PingScheduler, ping_event, utc_now
from localrun.broker.model import PingSource

if TYPE_CHECKING:
    from localrun.activator import Activator
    from localrun.gateway import Gateway

log = logging.getLogger(__name__)


class BrokerUnavailable(RuntimeError):
    """RabbitMQ did not answer, or refused the broker's exchange and queues."""


class LocalBroker:
    """Knative Eventing's RabbitMQ broker for one Broker of the manifests, on this machine."""

    def __init__(self, repo_root: Path, activator: Activator | None, amqp_url: str = DEFAULT_AMQP_URL,
                 exchange: str = DEFAULT_EXCHANGE, prefix: str = DEFAULT_PREFIX, *,
                 knative_dir: Path | None = None, events_dir: Path | None = None, broker: str = "default",
                 ingress_host: str = "127.0.0.1", ingress_port: int = 0,
                 non_retryable: str = "dead-letter", default_timeout: float = DEFAULT_TIMEOUT,
                 clock: Callable[[], datetime] = utc_now) -> None:
        repo_root = Path(repo_root)
        eventing = load_eventing(knative_dir or repo_root / "knative")
        self.name, self.url = broker, amqp_url
        spec = eventing.brokers.get(broker)
        if spec is None:
            log.warning("no Broker %r in the manifests: no Trigger is served", broker)
        self.triggers = [t for t in eventing.triggers if t.broker == broker]
        self.ping_sources = eventing.ping_sources
        self.topology = Topology(exchange, prefix, spec.queue_type if spec else "classic")
        self.stopping = threading.Event()
        self.publisher = Publisher(amqp_url, f"localrun-broker {prefix} dispatch")
        self._ingress_publisher = Publisher(amqp_url, f"localrun-broker {prefix} ingress")
        self.sender = Sender(activator, self.publisher, self.topology, default_timeout)
        self.dispatcher = Dispatcher(self.sender, self.publisher, self.topology, self.stopping, non_retryable)
        self.consumers = [TriggerConsumer(t, self.topology, amqp_url, self.dispatcher.handle, self.stopping)
                          for t in self.triggers]
        self.contracts = Contracts(events_dir or repo_root / "events")
        self.pings = PingScheduler(self.ping_sources, self._fire_ping, clock)
        self._ingress_address = (ingress_host, ingress_port)
        self.ingress: IngressServer | None = None

    @property
    def ingress_ksvc(self) -> str:
        """Return the host label Kong's service for the ingress names (`default-broker-ingress`)."""
        return f"{self.name}-broker-ingress"

    @property
    def ingress_address(self) -> tuple[str, int]:
        """Return (host, port) the ingress listens on, once started."""
        if self.ingress is None:
            raise RuntimeError("the broker is not started")
        return self.ingress.address

    def start(self, wait: float = 10.0) -> None:
        """Declare the exchange and queues, then consume, serve the ingress and run the pings.

        Raise BrokerUnavailable when RabbitMQ does not answer now; later outages are ridden out
        (each consumer reconnects with backoff). Waits up to `wait` s for the consumers.
        """
        self.declare()
        for consumer in self.consumers:
            consumer.start()
        deadline = time.monotonic() + wait
        for consumer in self.consumers:
            if not consumer.connected.wait(max(0.0, deadline - time.monotonic())):
                log.warning("trigger %s is not consuming yet", consumer.trigger.name)
        self.ingress = IngressServer(self._ingress_address, self.contracts, self._ingress_publisher,
                                     self.topology.exchange)
        self.ingress.start()
        self.pings.start()
        log.info("local broker %r: exchange %s, %d trigger(s), %d pingsource(s), ingress http://%s:%d",
                 self.name, self.topology.exchange, len(self.consumers), len(self.ping_sources),
                 *self.ingress.address)

    def declare(self) -> None:
        """Declare the exchange, every Trigger's bound queue and the dead-letter queue."""
        try:
            name = f"localrun-broker {self.topology.prefix} setup"
            connection = pika.BlockingConnection(parameters(self.url, name))
        except AMQP_ERRORS as exc:
            raise BrokerUnavailable(f"RabbitMQ at {redact_url(self.url)} does not answer: {exc!r}") from exc
        try:
            channel = connection.channel()
            self.topology.declare_exchange(channel)
            for trigger in self.triggers:
                self.topology.declare_trigger(channel, trigger.name, trigger.routing_key)
            self.topology.declare_queue(channel, self.topology.dead_letter_queue)
        except AMQP_ERRORS as exc:
            raise BrokerUnavailable(
                f"RabbitMQ refused the broker's exchange or queues ({exc!r}); a queue declared "
                "before with another x-queue-type must be deleted first") from exc
        finally:
            if connection.is_open:
                connection.close()

    def stop(self) -> None:
        """Stop consuming (in-flight events get a few seconds), the ingress and the pings."""
        self.stopping.set()
        self.pings.stop()
        if self.ingress is not None:
            self.ingress.stop()
        for consumer in self.consumers:
            consumer.join(timeout=10)
        self.publisher.close()
        self._ingress_publisher.close()

    def history(self) -> list[Record]:
        """Return what became of each event per Trigger so far (acked, dead-lettered, ...)."""
        return self.dispatcher.history()

    def publish(self, event: Event) -> None:
        """Publish an event to the exchange as a producer would (routing key = type); raise PublishError."""
        self.publisher.publish(self.topology.exchange, event.type, event)

    def delete_topology(self) -> None:
        """Delete this broker's queues and exchange (for tests, which each use their own names)."""
        self.topology.delete(self.url, [t.name for t in self.triggers])

    def _fire_ping(self, source: PingSource, minute: datetime) -> None:
        event = ping_event(source, minute)
        threading.Thread(target=self._send_ping, args=(source, event), name=f"ping-{source.name}",
                         daemon=True).start()

    def _send_ping(self, source: PingSource, event: Event) -> None:
        try:
            outcome, attempts = deliver(self.sender, source.sink, event, PING_DELIVERY, self.stopping)
        except Stopped:
            return
        if outcome.ok:
            log.info("pingsource %s: event %s delivered to %s", source.name, event.id, source.sink.url)
        else:
            log.error("pingsource %s: event %s lost after %d attempts to %s: %s", source.name, event.id,
                      attempts, source.sink.url, outcome.describe())


def start_local_broker(repo_root: Path, activator: Activator, gateway: Gateway | None = None,
                       env: Mapping[str, str] | None = None) -> LocalBroker | None:
    """Start the broker from AMQP_URL, EVENTS_EXCHANGE and BROKER_QUEUE_PREFIX; map its ingress in
    the gateway; return None (logged) when RabbitMQ does not answer."""
    env = os.environ if env is None else env
    pika_log = logging.getLogger("pika")
    if pika_log.level == logging.NOTSET:  # pika logs every connection close; ours say what matters
        pika_log.setLevel(logging.CRITICAL)
    broker = LocalBroker(repo_root, activator, env.get("AMQP_URL") or DEFAULT_AMQP_URL,
                         env.get("EVENTS_EXCHANGE") or DEFAULT_EXCHANGE,
                         env.get("BROKER_QUEUE_PREFIX") or DEFAULT_PREFIX,
                         non_retryable=env.get("BROKER_NON_RETRYABLE") or "dead-letter")
    try:
        broker.start()
    except BrokerUnavailable as exc:
        log.warning("local broker not started: %s", exc)
        broker.stop()
        return None
    if gateway is not None:
        gateway.add_upstream(broker.ingress_ksvc, broker.ingress_address)
    return broker
