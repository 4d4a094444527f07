"""`PgTriggerConsumer`: a Trigger's workers, each claiming the oldest due delivery of its queue."""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from localrun.broker.postgres.schema import DB_ERRORS, SCHEMA, engine, event_from_row
from localrun.broker.resources import Trigger
from localrun.broker.transport import ConsumerThreads, Handle, PublishError, Stopped, Topology

log = logging.getLogger(__name__)


class Queues(Protocol):
    """What a consumer needs of its PostgresTransport (typed here, so neither imports the other)."""

    url: str
    topology: Topology
    poll_interval: float
    requeue_delay: float


class PgTriggerConsumer(ConsumerThreads):
    """`parallelism` workers claiming a Trigger's deliveries; the TriggerConsumer contract."""

    def __init__(self, trigger: Trigger, transport: Queues, handle: Handle,
                 stopping: threading.Event) -> None:
        self.trigger, self.transport, self.handle, self.stopping = trigger, transport, handle, stopping
        self.queue = transport.topology.trigger_queue(trigger.name)
        self.connection_name = f"localrun-broker {transport.topology.prefix} trigger {trigger.name}"
        self.connected = threading.Event()
        self.connections = 0
        self.fifo = trigger.parallelism == 1
        self._lock = threading.Lock()
        self._engine = engine(transport.url, self.connection_name, poolclass=NullPool)
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

    def join(self, timeout: float) -> None:
        super().join(timeout)
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
            except DB_ERRORS as exc:
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
        delivery, event = row[0], event_from_row(row[2], row[3])
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
