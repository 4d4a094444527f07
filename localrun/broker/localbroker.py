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

from localrun.broker.contracts import Contracts
from localrun.broker.delivery import DEFAULT_TIMEOUT, Sender, deliver
from localrun.broker.dispatcher import Dispatcher, Record
from localrun.broker.ingress import IngressServer
from localrun.broker.loader import load_eventing
from localrun.broker.message import BrokerEvent
from localrun.broker.ping import PING_DELIVERY, PingScheduler, ping_event, utc_now
from localrun.broker.rabbitmq.amqp import DEFAULT_AMQP_URL
from localrun.broker.rabbitmq.transport import AmqpTransport
from localrun.broker.resources import PingSource
from localrun.broker.transport import (
    DEFAULT_EXCHANGE,
    DEFAULT_PREFIX,
    BrokerUnavailable,
    Stopped,
    Topology,
    Transport,
)

if TYPE_CHECKING:
    from localrun.gateway.server import Gateway
    from localrun.serving.activator import Activator

log = logging.getLogger(__name__)


class LocalBroker:
    """Knative Eventing's RabbitMQ broker for one Broker of the manifests, on this machine.

    Messages travel through RabbitMQ at `amqp_url`, or, given `database_url` (the migration
    role's), through the Postgres transport in that database (`postgres/`).
    """

    def __init__(self, repo_root: Path, activator: Activator | None, amqp_url: str = DEFAULT_AMQP_URL,
                 exchange: str = DEFAULT_EXCHANGE, prefix: str = DEFAULT_PREFIX, *,
                 knative_dir: Path | None = None, events_dir: Path | None = None, broker: str = "default",
                 ingress_host: str = "127.0.0.1", ingress_port: int = 0,
                 non_retryable: str = "dead-letter", default_timeout: float = DEFAULT_TIMEOUT,
                 clock: Callable[[], datetime] = utc_now, database_url: str | None = None) -> None:
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
        self.transport: Transport
        if database_url is None:
            self.transport = AmqpTransport(amqp_url, self.topology)
        else:
            from localrun.broker.postgres.transport import PostgresTransport

            self.transport = PostgresTransport(database_url, self.topology)
        self.sender = Sender(activator, self.transport, default_timeout)
        self.dispatcher = Dispatcher(self.sender, self.transport, self.stopping, non_retryable, eventing.forwards)
        self.consumers = [self.transport.consumer(t, self.dispatcher.handle, self.stopping)
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

        Raise BrokerUnavailable when the transport does not answer now; later outages are ridden out
        (each consumer reconnects with backoff). Waits up to `wait` s for the consumers.
        """
        self.declare()
        for consumer in self.consumers:
            consumer.start()
        deadline = time.monotonic() + wait
        for consumer in self.consumers:
            if not consumer.connected.wait(max(0.0, deadline - time.monotonic())):
                log.warning("trigger %s is not consuming yet", consumer.trigger.name)
        self.ingress = IngressServer(self._ingress_address, self.contracts, self.transport)
        self.ingress.start()
        self.pings.start()
        log.info("local broker %r on %s: exchange %s, %d trigger(s), %d pingsource(s), ingress http://%s:%d",
                 self.name, self.transport.describe(), self.topology.exchange, len(self.consumers), len(self.ping_sources),
                 *self.ingress.address)

    def declare(self) -> None:
        """Declare the exchange, every Trigger's bound queue and the dead-letter queue."""
        self.transport.declare(self.triggers)

    def stop(self) -> None:
        """Stop consuming (in-flight events get a few seconds), the ingress and the pings."""
        self.stopping.set()
        self.pings.stop()
        if self.ingress is not None:
            self.ingress.stop()
        for consumer in self.consumers:
            consumer.join(timeout=10)
        self.transport.close()

    def history(self) -> list[Record]:
        """Return what became of each event per Trigger so far (acked, dead-lettered, ...)."""
        return self.dispatcher.history()

    def publish(self, event: BrokerEvent) -> None:
        """Publish an event to the exchange as a producer would (routing key = type); raise PublishError."""
        self.transport.publish(event)

    def dead_letters(self) -> list[BrokerEvent]:
        """Return the dead letters, oldest first, leaving them in the dead-letter queue."""
        return self.transport.read_dead_letters()

    def replay_dead_letters(self, only_id: str | None = None) -> list[BrokerEvent]:
        """Republish the dead letters (all, or one) to the exchange; return them."""
        return self.transport.replay_dead_letters(only_id)

    def status(self) -> dict[str, object]:
        """Return what `make status` shows of the broker: each Trigger queue's depth, the dead letters."""
        queues = {self.topology.trigger_queue(t.name): t.name for t in self.triggers}
        dead = self.topology.dead_letter_queue
        depths = self.transport.queue_depths([*queues, dead])
        return {"transport": self.transport.describe(), "exchange": self.topology.exchange,
                "queues": [{"queue": q, "trigger": t, "depth": depths.get(q)} for q, t in queues.items()],
                "dead_letter_queue": dead, "dead_letters": depths.get(dead)}

    def delete_topology(self) -> None:
        """Delete this broker's queues and exchange (for tests, which each use their own names)."""
        self.transport.delete([t.name for t in self.triggers])

    def _fire_ping(self, source: PingSource, minute: datetime) -> None:
        event = ping_event(source, minute)
        threading.Thread(target=self._send_ping, args=(source, event), name=f"ping-{source.name}",
                         daemon=True).start()

    def _send_ping(self, source: PingSource, event: BrokerEvent) -> None:
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
                       env: Mapping[str, str] | None = None, *,
                       database_url: str | None = None) -> LocalBroker | None:
    """Start the broker from AMQP_URL, EVENTS_EXCHANGE and BROKER_QUEUE_PREFIX; map its ingress in
    the gateway; return None (logged) when its transport does not answer.

    With `database_url` (the migration role's) it runs on the Postgres transport instead of
    RabbitMQ (`localrun.dev` chooses, see `choose_transport`)."""
    env = os.environ if env is None else env
    pika_log = logging.getLogger("pika")
    if pika_log.level == logging.NOTSET:  # pika logs every connection close; ours say what matters
        pika_log.setLevel(logging.CRITICAL)
    broker = LocalBroker(repo_root, activator, env.get("AMQP_URL") or DEFAULT_AMQP_URL,
                         env.get("EVENTS_EXCHANGE") or DEFAULT_EXCHANGE,
                         env.get("BROKER_QUEUE_PREFIX") or DEFAULT_PREFIX,
                         non_retryable=env.get("BROKER_NON_RETRYABLE") or "dead-letter",
                         database_url=database_url)
    try:
        broker.start()
    except BrokerUnavailable as exc:
        log.warning("local broker not started: %s", exc)
        broker.stop()
        return None
    if gateway is not None:
        gateway.add_upstream(broker.ingress_ksvc, broker.ingress_address)
    return broker
