"""The Postgres transport: the local broker's exchange and queues as tables, when no RabbitMQ answers.

The schema `localbroker` belongs to the migration role and is made by the local runtime at start
(`ensure_schema`, idempotent, under an advisory lock) — it is not a domain migration:

- `queues(name)`, `bindings(exchange, queue, pattern, regex)`: a Trigger's queue bound to the
  exchange by its routing key (a topic pattern: `*` one word, `#` any words), like queue_bind;
- `messages(id, exchange, routing_key, attributes, data)`: one row per published event;
- `deliveries(id, queue, message_id, state, attempts, next_attempt_at, settled_at)`: one row per
  queue the message was routed to. `state` is `pending` until the consumer settles it with what
  the dispatcher did (`acked`, `dead-lettered`, `dropped`, `filtered`); dead letters are the
  pending deliveries of the dead-letter queue (`replayed` once republished).

Publishing is the function `localbroker.publish(exchange, routing_key, attributes, data,
mandatory)` (SECURITY DEFINER): it inserts the message and a delivery for every bound queue (the
exchange "" addresses the queue named by the routing key, like RabbitMQ's default exchange).
The domain roles may only execute it (and use the schema): the outbox relay calls it in the same
transaction that marks its rows sent (`functions/runtime/relay/pg_publisher.py`).

Consuming: each of a Trigger's `parallelism` workers has its own connection and claims the
oldest due pending delivery of its queue with `FOR UPDATE SKIP LOCKED`, keeping the row locked
(the transaction open) while the dispatcher delivers it, with the Trigger's retries and backoff,
exactly as over RabbitMQ, where the message stays unacknowledged meanwhile. Then it is settled
and committed (ack). Two workers never hold the same delivery; a worker or connection that dies
releases its lock and the delivery is claimed again (at-least-once, as an unacked AMQP message
comes back). When the dispatcher raises (the dead-letter queue failed) the delivery is requeued:
`attempts` + 1 and `next_attempt_at` = now + 1 s. With parallelism 1 the single worker always
takes the head of the queue, even when it is not due yet, so the order holds through requeues.
Idle workers poll every `poll_interval` (50 ms). Settled messages older than a day are deleted
when the broker starts (`RETENTION`).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Sequence
from typing import Any

import pg8000.exceptions
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from localrun.broker.amqp import PublishError, Topology
from localrun.broker.delivery import Stopped
from localrun.broker.message import Event
from localrun.broker.model import Trigger
from localrun.broker.transport import BrokerUnavailable, Consumer, Handle, Transport

log = logging.getLogger(__name__)
SCHEMA = "localbroker"
_LOCK_KEY = 7_300_212  # serialises concurrent schema setups
_DB_ERRORS = (DBAPIError, pg8000.exceptions.InterfaceError, OSError)
REQUEUE_DELAY = 1.0  # seconds before a delivery whose handling raised is tried again
POLL_INTERVAL = 0.05
RETENTION = "1 day"  # settled messages older than this are deleted at start

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC;
CREATE TABLE IF NOT EXISTS {SCHEMA}.queues (
    name text PRIMARY KEY,
    declared_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {SCHEMA}.bindings (
    exchange text NOT NULL,
    queue text NOT NULL REFERENCES {SCHEMA}.queues ON DELETE CASCADE,
    pattern text NOT NULL,
    regex text NOT NULL,
    PRIMARY KEY (exchange, queue, pattern));
CREATE TABLE IF NOT EXISTS {SCHEMA}.messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    exchange text NOT NULL,
    routing_key text NOT NULL,
    attributes jsonb NOT NULL,
    data bytea NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS {SCHEMA}.deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    queue text NOT NULL,
    message_id bigint NOT NULL REFERENCES {SCHEMA}.messages ON DELETE CASCADE,
    state text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    settled_at timestamptz);
CREATE INDEX IF NOT EXISTS deliveries_pending ON {SCHEMA}.deliveries (queue, id) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_message ON {SCHEMA}.deliveries (message_id);
CREATE OR REPLACE FUNCTION {SCHEMA}.publish(p_exchange text, p_routing_key text, p_attributes jsonb,
                                           p_data bytea, p_mandatory boolean DEFAULT false)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp AS $$
DECLARE
    message bigint;
    routed integer;
BEGIN
    INSERT INTO messages (exchange, routing_key, attributes, data)
    VALUES (p_exchange, p_routing_key, p_attributes, p_data) RETURNING id INTO message;
    IF p_exchange = '' THEN
        INSERT INTO deliveries (queue, message_id) SELECT name, message FROM queues WHERE name = p_routing_key;
    ELSE
        INSERT INTO deliveries (queue, message_id)
        SELECT DISTINCT queue, message FROM bindings WHERE exchange = p_exchange AND p_routing_key ~ regex;
    END IF;
    GET DIAGNOSTICS routed = ROW_COUNT;
    IF routed = 0 THEN
        DELETE FROM messages WHERE id = message;
        IF p_mandatory THEN
            RAISE EXCEPTION 'unroutable: no queue for % on exchange "%"', p_routing_key, p_exchange
                USING ERRCODE = 'P0002';
        END IF;
    END IF;
    RETURN routed;
END $$;
REVOKE ALL ON FUNCTION {SCHEMA}.publish(text, text, jsonb, bytea, boolean) FROM PUBLIC;
"""


def topic_regex(pattern: str) -> str:
    """Return the POSIX regex of an AMQP topic pattern (`*` one word, `#` zero or more words)."""
    if pattern == "#":
        return "^.*$"
    regex, separated = "", False
    for index, word in enumerate(pattern.split(".")):
        if word == "#":
            regex += r"(?:[^.]+\.)*" if index == 0 else r"(?:\.[^.]+)*"
            separated = index != 0
            continue
        regex += (r"\." if separated else "") + (r"[^.]+" if word == "*" else re.escape(word))
        separated = True
    return f"^{regex}$"


def ensure_schema(conn: Any, roles: Sequence[str] = ()) -> None:
    """Create the schema, tables and publish function (idempotent); let `roles` publish."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    for statement in _statements(DDL):
        conn.exec_driver_sql(statement)
    for role in roles:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
        if exists and re.fullmatch(r"[a-z_][a-z0-9_]*", role):
            conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {role}")
            conn.exec_driver_sql(
                f"GRANT EXECUTE ON FUNCTION {SCHEMA}.publish(text, text, jsonb, bytea, boolean) TO {role}")


def _statements(ddl: str) -> list[str]:
    """Split the DDL on `;` at line ends outside the $$ function body."""
    out, current, in_body = [], [], False
    for line in ddl.strip().splitlines():
        current.append(line)
        if line.count("$$") % 2:
            in_body = not in_body
        if not in_body and line.rstrip().endswith(";"):
            out.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    return [s for s in out if s.strip()]


def domain_roles() -> list[str]:
    """Return the domain roles (the relays publish as them)."""
    from schemas.migrate import DOMAINS, role_name

    return [role_name(d) for d in DOMAINS]


def _engine(url: str, name: str, **options: Any) -> Engine:
    from functions.runtime.db import _remember_pg8000_rewrites

    _remember_pg8000_rewrites()
    return create_engine(url, connect_args={"application_name": name[:63], "timeout": 10}, **options)


def _publish(conn: Any, exchange: str, routing_key: str, event: Event, mandatory: bool = False) -> int:
    return conn.execute(text(f"SELECT {SCHEMA}.publish(:ex, :key, CAST(:attributes AS jsonb), :data, :mandatory)"), {
        "ex": exchange, "key": routing_key, "attributes": json.dumps(event.attributes),
        "data": bytes(event.data), "mandatory": mandatory}).scalar()


def _event(attributes: Any, data: Any) -> Event:
    if isinstance(attributes, str):
        attributes = json.loads(attributes)
    return Event({k: str(v) for k, v in attributes.items()}, bytes(data or b""))


class PostgresTransport(Transport):
    """The broker's exchange and queues as tables in the migration role's database."""

    kind = "postgres"

    def __init__(self, database_url: str, topology: Topology, *, poll_interval: float = POLL_INTERVAL,
                 requeue_delay: float = REQUEUE_DELAY) -> None:
        self.url, self.topology = database_url, topology
        self.poll_interval, self.requeue_delay = poll_interval, requeue_delay
        self.engine = _engine(database_url, f"localrun-broker {topology.prefix} publish",
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
        except _DB_ERRORS as exc:
            raise BrokerUnavailable(f"the Postgres transport cannot set up {SCHEMA}: {exc!r}"[:500]) from exc

    def _send(self, exchange: str, routing_key: str, event: Event, mandatory: bool = False) -> int:
        try:
            with self.engine.begin() as conn:
                return _publish(conn, exchange, routing_key, event, mandatory)
        except _DB_ERRORS as exc:
            raise PublishError(f"{exchange or 'default exchange'} -> {routing_key}: {exc}"[:500]) from exc

    def publish(self, event: Event) -> None:
        self._send(self.topology.exchange, event.type, event)

    def dead_letter(self, event: Event) -> None:
        self._send("", self.topology.dead_letter_queue, event, mandatory=True)

    def consumer(self, trigger: Trigger, handle: Handle, stopping: threading.Event) -> Consumer:
        return PgTriggerConsumer(trigger, self, handle, stopping)

    def read_dead_letters(self) -> list[Event]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(
                f"SELECT m.attributes::text, m.data FROM {SCHEMA}.deliveries d "
                f"JOIN {SCHEMA}.messages m ON m.id = d.message_id "
                "WHERE d.queue = :q AND d.state = 'pending' ORDER BY d.id"),
                {"q": self.topology.dead_letter_queue}).all()
        return [_event(a, d) for a, d in rows]

    def replay_dead_letters(self, only_id: str | None = None) -> list[Event]:
        from localrun.broker.deadletters import ReplayError

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
                clean = _event(row[1], row[2]).without_errors()
                try:
                    _publish(conn, self.topology.exchange, clean.type, clean, mandatory=True)
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


class PgTriggerConsumer:
    """`parallelism` workers claiming a Trigger's deliveries; same contract as TriggerConsumer."""

    def __init__(self, trigger: Trigger, transport: PostgresTransport, handle: Handle,
                 stopping: threading.Event) -> None:
        self.trigger, self.transport, self.handle, self.stopping = trigger, transport, handle, stopping
        self.queue = transport.topology.trigger_queue(trigger.name)
        self.connection_name = f"localrun-broker {transport.topology.prefix} trigger {trigger.name}"
        self.connected = threading.Event()
        self.connections = 0
        self.fifo = trigger.parallelism == 1
        self._lock = threading.Lock()
        self._engine = _engine(transport.url, self.connection_name, poolclass=NullPool)
        due = "" if self.fifo else "AND d.next_attempt_at <= now() "
        self._claim = text(
            f"SELECT d.id, d.next_attempt_at <= now() AS due, m.attributes::text, m.data "
            f"FROM {SCHEMA}.deliveries d JOIN {SCHEMA}.messages m ON m.id = d.message_id "
            f"WHERE d.queue = :q AND d.state = 'pending' {due}"
            "ORDER BY d.id LIMIT 1 FOR UPDATE OF d SKIP LOCKED")
        self._settle = text(f"UPDATE {SCHEMA}.deliveries SET state = :state, attempts = attempts + 1, "
                            "settled_at = now() WHERE id = :id")
        self._requeue = text(f"UPDATE {SCHEMA}.deliveries SET attempts = attempts + 1, "
                             "next_attempt_at = now() + make_interval(secs => :delay) WHERE id = :id")
        self._threads = [threading.Thread(target=self._work, name=f"broker-{trigger.name}-{i}", daemon=True)
                         for i in range(trigger.parallelism)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            if thread.ident is not None:
                thread.join(max(0.0, deadline - time.monotonic()))
        self._engine.dispose()

    def _work(self) -> None:
        delay = 0.5
        while not self.stopping.is_set():
            conn = None
            try:
                conn = self._engine.connect()
                with self._lock:
                    self.connections += 1
                self.connected.set()
                delay = 0.5
                while not self.stopping.is_set():
                    if not self.claim_one(conn):
                        self.stopping.wait(self.transport.poll_interval)
            except _DB_ERRORS as exc:
                if self.stopping.is_set():
                    break
                log.warning("trigger %s: database connection lost or refused (%r); retrying in %.1f s",
                            self.trigger.name, exc, delay)
                self.stopping.wait(delay)
                delay = min(delay * 2, 10.0)
            finally:
                if conn is not None:
                    try:
                        conn.close()  # an open transaction rolls back: its delivery is claimed again
                    except Exception:  # noqa: BLE001 - the connection is broken already
                        pass

    def claim_one(self, conn: Any) -> bool:
        """Claim, handle and settle one delivery; return False when there was none due."""
        row = conn.execute(self._claim, {"q": self.queue}).first()
        if row is None or not row.due:
            conn.rollback()
            return False
        delivery, event = row[0], _event(row[2], row[3])
        try:
            result = self.handle(self.trigger, event)
        except Stopped:
            conn.rollback()  # left pending, delivered again (first) next time
            return True
        except PublishError as exc:
            log.error("trigger %s: event %s not dead-lettered (%s); it will be delivered again",
                      self.trigger.name, event.id, exc)
            result = None
        except Exception:
            log.exception("trigger %s: event %s failed in the broker; it will be delivered again",
                          self.trigger.name, event.id)
            result = None
        if result is None:
            conn.execute(self._requeue, {"id": delivery, "delay": self.transport.requeue_delay})
        else:
            conn.execute(self._settle, {"id": delivery, "state": result})
        conn.commit()
        return True
