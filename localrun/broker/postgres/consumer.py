"""`PgTriggerConsumer`: a Trigger's workers, each claiming the oldest due deliveries of its queue.

A worker claims up to `CLAIM_BATCH` deliveries in one statement, hands them to the dispatcher
one after the other and settles them all in one statement and one commit: one claim, one
settle and one commit (a WAL flush) per batch instead of per event. The batch stops at the first
delivery that is not settled (requeued after a failure, or left on Stopped): with parallelism 1
the queue's order holds through requeues, as before. A worker that dies mid-batch releases every
delivery of it, handled or not: they are delivered again (at least once, as unacknowledged AMQP
messages come back; the inbox de-duplicates).

A worker's session commits with `synchronous_commit = off`: a settle lost in a database crash
leaves the delivery pending, delivered again (at least once, as always); no WAL flush is waited
for per batch.

An idle worker waits on its connection's socket for the queue's NOTIFY (`publish` notifies each
queue it routes to: `queue_channel`), and looks anyway after `poll_interval`: that is how a
requeued delivery is found once it is due.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.pool import NullPool

from functions.runtime.relay.wakeup import Wakeup
from localrun.broker.postgres.schema import DB_ERRORS, SCHEMA, engine, event_from_row, queue_channel
from localrun.broker.resources import Trigger
from localrun.broker.transport import ConsumerThreads, Handle, PublishError, Stopped, Topology

log = logging.getLogger(__name__)
CLAIM_BATCH = 8  # deliveries a worker takes at once (handled in order, settled together)
HEAD_RETRY_S = 0.05  # parallelism 1, head not due yet (requeued): look again this soon


class Queues(Protocol):
    """What a consumer needs of its PostgresTransport (typed here, so neither imports the other)."""

    url: str
    topology: Topology
    poll_interval: float
    requeue_delay: float
    max_workers: int


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
            "ORDER BY d.id LIMIT :limit FOR UPDATE OF d SKIP LOCKED")
        self._settle = text(
            f"UPDATE {SCHEMA}.deliveries d SET state = s.state, attempts = d.attempts + 1, settled_at = now() "
            "FROM unnest(CAST(:ids AS bigint[]), CAST(:states AS text[])) AS s(id, state) WHERE d.id = s.id")
        self._requeue = text(f"UPDATE {SCHEMA}.deliveries SET attempts = attempts + 1, "
                             "next_attempt_at = now() + make_interval(secs => :delay) WHERE id = :id")
        self._threads = [threading.Thread(target=self._work, name=f"broker-{trigger.name}-{i}", daemon=True)
                         for i in range(min(trigger.parallelism, transport.max_workers))]

    def join(self, timeout: float) -> None:
        super().join(timeout)
        self._engine.dispose()

    def _work(self) -> None:
        delay = 0.5
        while not self.stopping.is_set():
            conn = None
            try:
                conn = self._engine.connect()
                conn.exec_driver_sql(f"LISTEN {queue_channel(self.queue)}")
                conn.exec_driver_sql("SET synchronous_commit = off")  # a lost settle only redelivers
                conn.commit()  # LISTEN takes effect at commit
                wakeup = Wakeup.of(conn.connection.dbapi_connection)
                with self._lock:
                    self.connections += 1
                self.connected.set()
                delay = 0.5
                while not self.stopping.is_set():
                    claimed = self.claim(conn)
                    if claimed is None:  # the head is not due yet (parallelism 1)
                        self.stopping.wait(HEAD_RETRY_S)
                    elif claimed == 0:
                        if wakeup is None:
                            self.stopping.wait(self.transport.poll_interval)
                        else:
                            wakeup.wait(self.transport.poll_interval, self.stopping)
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
                        conn.close()  # an open transaction rolls back: its deliveries are claimed again
                    except Exception:  # noqa: BLE001 - the connection is broken already
                        pass

    def claim(self, conn: Any) -> int | None:
        """Claim, handle and settle a batch; return how many were claimed, None when the head is not due."""
        rows = conn.execute(self._claim, {"q": self.queue, "limit": CLAIM_BATCH}).all()
        if not rows or not rows[0].due:
            conn.rollback()
            return None if rows else 0
        settled: list[tuple[int, str]] = []
        for row in rows:
            if not row.due:  # parallelism 1: a requeued delivery further on; it is the head next time
                break
            delivery, event = row[0], event_from_row(row[2], row[3])
            try:
                result = self.handle(self.trigger, event)
            except Stopped:
                break  # left pending, delivered again (first) next time
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
                break  # the rest of the batch is released, so the order holds
            settled.append((delivery, result))
        if settled:
            conn.execute(self._settle, {"ids": [d for d, _ in settled], "states": [r for _, r in settled]})
        conn.commit()
        return len(rows)
