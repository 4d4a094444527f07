"""`PostgresTransport`: the broker's exchange, queues and dead letters in the `localbroker` schema."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from localrun.broker.message import BrokerEvent
from localrun.broker.postgres.consumer import PgTriggerConsumer
from localrun.broker.postgres.schema import (
    DB_ERRORS,
    SCHEMA,
    domain_roles,
    engine,
    ensure_schema,
    event_from_row,
    publish_message,
    topic_regex,
)
from localrun.broker.resources import Trigger
from localrun.broker.transport import (
    BrokerUnavailable,
    Handle,
    PublishError,
    ReplayError,
    Topology,
    Transport,
    TriggerConsumer,
)

REQUEUE_DELAY = 1.0  # seconds before a delivery whose handling raised is tried again
POLL_INTERVAL = 1.0  # the longest an idle consumer waits without a NOTIFY (a requeued delivery)
RETENTION = "1 day"  # settled messages older than this are deleted at start
# Each worker holds a database connection (it LISTENs for its queue), so a Trigger gets at most
# BROKER_PG_WORKERS (1) here, whatever its parallelism: thirty Triggers at four each would take
# more connections than a default server's hundred. RabbitMQ has no such limit.
DEFAULT_MAX_WORKERS = 1


class PostgresTransport(Transport):
    """The broker's exchange and queues as tables in the migration role's database."""

    kind = "postgres"

    def __init__(self, database_url: str, topology: Topology, *, poll_interval: float = POLL_INTERVAL,
                 requeue_delay: float = REQUEUE_DELAY, max_workers: int | None = None) -> None:
        self.url, self.topology = database_url, topology
        self.poll_interval, self.requeue_delay = poll_interval, requeue_delay
        if max_workers is None:
            max_workers = int(os.environ.get("BROKER_PG_WORKERS") or DEFAULT_MAX_WORKERS)
        self.max_workers = max(1, max_workers)
        self.engine = engine(database_url, f"localrun-broker {topology.prefix} publish",
                              pool_size=4, max_overflow=8, pool_pre_ping=True)

    def describe(self) -> str:
        from sqlalchemy import make_url

        url = make_url(self.url)
        return f"Postgres {url.host}:{url.port or 5432}/{url.database} (schema {SCHEMA})"

    def declare(self, triggers: Sequence[Trigger]) -> None:
        try:
            with self.engine.begin() as conn:
                ensure_schema(conn, domain_roles())
                for queue in [*(self.topology.trigger_queue(t.name) for t in triggers),
                              self.topology.dead_letter_queue]:
                    conn.execute(text(f"INSERT INTO {SCHEMA}.queues (name) VALUES (:q) ON CONFLICT DO NOTHING"),
                                 {"q": queue})
                for trigger in triggers:
                    conn.execute(text(
                        f"INSERT INTO {SCHEMA}.bindings (exchange, queue, pattern, regex) "
                        "VALUES (:ex, :q, :p, :r) ON CONFLICT DO NOTHING"),
                        {"ex": self.topology.exchange, "q": self.topology.trigger_queue(trigger.name),
                         "p": trigger.routing_key, "r": topic_regex(trigger.routing_key)})
                conn.execute(text(
                    f"DELETE FROM {SCHEMA}.messages m WHERE m.published_at < now() - CAST(:keep AS interval) "
                    f"AND NOT EXISTS (SELECT 1 FROM {SCHEMA}.deliveries d "
                    "WHERE d.message_id = m.id AND d.state = 'pending')"), {"keep": RETENTION})
        except DB_ERRORS as exc:
            raise BrokerUnavailable(f"the Postgres transport cannot set up {SCHEMA}: {exc!r}"[:500]) from exc

    def _send(self, exchange: str, routing_key: str, event: BrokerEvent, mandatory: bool = False) -> int:
        try:
            with self.engine.begin() as conn:
                return publish_message(conn, exchange, routing_key, event, mandatory)
        except DB_ERRORS as exc:
            raise PublishError(f"{exchange or 'default exchange'} -> {routing_key}: {exc}"[:500]) from exc

    def publish(self, event: BrokerEvent) -> None:
        self._send(self.topology.exchange, event.type, event)

    def dead_letter(self, event: BrokerEvent) -> None:
        self._send("", self.topology.dead_letter_queue, event, mandatory=True)

    def consumer(self, trigger: Trigger, handle: Handle, stopping: threading.Event) -> TriggerConsumer:
        return PgTriggerConsumer(trigger, self, handle, stopping)

    def read_dead_letters(self) -> list[BrokerEvent]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(
                f"SELECT m.attributes::text, m.data FROM {SCHEMA}.deliveries d "
                f"JOIN {SCHEMA}.messages m ON m.id = d.message_id "
                "WHERE d.queue = :q AND d.state = 'pending' ORDER BY d.id"),
                {"q": self.topology.dead_letter_queue}).all()
        return [event_from_row(a, d) for a, d in rows]

    def replay_dead_letters(self, only_id: str | None = None) -> list[BrokerEvent]:
        replayed = []
        with self.engine.connect() as conn:
            while True:
                row = conn.execute(text(
                    f"SELECT d.id, m.attributes::text, m.data FROM {SCHEMA}.deliveries d "
                    f"JOIN {SCHEMA}.messages m ON m.id = d.message_id "
                    "WHERE d.queue = :q AND d.state = 'pending' AND (CAST(:only AS text) IS NULL "
                    "OR m.attributes->>'id' = CAST(:only AS text)) "
                    "ORDER BY d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED"),
                    {"q": self.topology.dead_letter_queue, "only": only_id}).first()
                if row is None:
                    conn.rollback()
                    return replayed
                clean = event_from_row(row[1], row[2]).without_errors()
                try:
                    publish_message(conn, self.topology.exchange, clean.type, clean, mandatory=True)
                except DBAPIError as exc:
                    conn.rollback()
                    if "unroutable" in str(exc):
                        raise ReplayError(f"no Trigger queue is bound to {clean.type} on "
                                          f"{self.topology.exchange}; event {clean.id} stays dead-lettered") from None
                    raise
                conn.execute(text(f"UPDATE {SCHEMA}.deliveries SET state = 'replayed', settled_at = now() "
                                  "WHERE id = :id"), {"id": row[0]})
                conn.commit()
                replayed.append(clean)

    def queue_depths(self, queues: Sequence[str]) -> dict[str, int | None]:
        with self.engine.connect() as conn:
            known = set(conn.execute(text(f"SELECT name FROM {SCHEMA}.queues WHERE name = ANY(CAST(:qs AS text[]))"),
                                     {"qs": list(queues)}).scalars())
            counts = dict(conn.execute(text(
                f"SELECT queue, count(*) FROM {SCHEMA}.deliveries WHERE state = 'pending' "
                "AND queue = ANY(CAST(:qs AS text[])) GROUP BY queue"), {"qs": list(queues)}).all())
        return {q: (int(counts.get(q, 0)) if q in known else None) for q in queues}

    def delete(self, triggers: Sequence[str]) -> None:
        queues = [*(self.topology.trigger_queue(t) for t in triggers), self.topology.dead_letter_queue]
        with self.engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {SCHEMA}.deliveries WHERE queue = ANY(CAST(:qs AS text[]))"),
                         {"qs": queues})
            conn.execute(text(f"DELETE FROM {SCHEMA}.queues WHERE name = ANY(CAST(:qs AS text[]))"), {"qs": queues})
            conn.execute(text(f"DELETE FROM {SCHEMA}.bindings WHERE exchange = :ex"),
                         {"ex": self.topology.exchange})

    def close(self) -> None:
        self.engine.dispose()
