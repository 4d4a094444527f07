"""The relay loop: claim pending outbox rows, publish them with confirms, mark them sent.

One batch is one database transaction:

1. claim up to `batch_size` pending rows, `ORDER BY seq ... FOR UPDATE SKIP LOCKED`, and mark
   them sent: rows another relay is sending are skipped, never sent twice at the same time; the
   marks are the transaction's, uncommitted: a crash undoes them;
2. keep, per subject (aggregate), only the rows that come before any pending row of that subject
   we did not get (see `_hold_back`): the others wait for a later batch, so an aggregate's events
   leave in seq order however many relays run (1 and 2 are one statement, one round trip);
3. publish what is left in seq order and wait for the confirms;
4. unmark any row not confirmed (held back, nacked, or after one of its subject that was; with
   all confirmed, nothing to do) and commit.

The relay's session commits with `synchronous_commit = off`: its commit only marks rows sent (and,
to the Postgres transport, stores the messages with the marks), so one lost in a database crash
just leaves the rows pending, and they are sent again, as after any crash before the commit.
The commit does not wait for its WAL flush: one fsync per batch less (bench/events.py, CPU per
event of the relay's backend), and the next batch starts sooner.

Crash anywhere before the commit and the rows stay pending: they are published again by the next
batch (at least once; consumers de-duplicate on source + id). A row's mark is never committed
unless the broker confirmed it. When the broker fails in the middle of a batch, the rows it
confirmed (each subject's confirmed prefix) stay marked when the transaction ends, the rest are resent
after a reconnect with backoff. When the database fails, the transaction is gone with the
connection: everything in it is resent after a reconnect with backoff.

Wake-up: the relay's connection LISTENs on the outbox's channel, and every outbox insert
notifies it at commit (a trigger), so an idle relay starts its next batch as soon as a row is
committed (`wakeup.py`), and again at once after a full batch or a notification that came during
a batch (the ones read with the batch's first statement came before it, and its claim saw their rows). `poll_interval` (1 s by default) is only the fallback: the longest an idle relay waits
without a notification (one index-only probe of the partial index on pending rows). Rows held
back for another relay are retried after `HELD_BACK_RETRY_S`: that relay's commit notifies no one.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pg8000.exceptions
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from functions.runtime.outbox import notify_channel
from functions.runtime.relay.message import OutboxRow, row_to_message
from functions.runtime.relay.pg_publisher import PostgresPublisher
from functions.runtime.relay.publisher import BrokerError, ConfirmingPublisher
from functions.runtime.relay.wakeup import Wakeup

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

log = logging.getLogger("functions.runtime.relay")

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
DEFAULT_EXCHANGE = "ecom.events"
DEFAULT_BATCH = 500
DEFAULT_POLL_INTERVAL = 1.0  # seconds without a notification before an idle relay looks anyway
HELD_BACK_RETRY_S = 0.05
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# SQLAlchemy wraps most driver errors; pg8000 lets a socket reset in the middle of a read escape
# as a bare OSError (ConnectionResetError). Broker failures never get here: the publisher turns
# them into BrokerError.
_DB_FAILURES = (DBAPIError, pg8000.exceptions.InterfaceError, OSError)


class DatabaseError(Exception):
    """The database connection failed (terminated, restarted, unreachable)."""


class Relay:
    """Relays one domain's outbox to the events exchange.

    `database` is an Engine or a URL (then the relay makes its own engine, application_name
    `ecom-relay-<domain>`); connect as the domain's role: the relay reads and marks only
    `<domain>.outbox`. `after_confirm(rows)` is a seam for tests: it runs after the broker
    confirmed a batch and before the marks are committed (raise in it to simulate a crash).

    `publisher` replaces the RabbitMQ publisher: `PostgresPublisher(exchange)` sends to the
    local broker's Postgres transport, in the same transaction that marks the rows sent.
    """

    def __init__(self, domain: str, database: Engine | str, amqp_url: str = DEFAULT_AMQP_URL,
                 exchange: str = DEFAULT_EXCHANGE, *, batch_size: int = DEFAULT_BATCH,
                 poll_interval: float = DEFAULT_POLL_INTERVAL, confirm_timeout: float = 30.0,
                 backoff_initial: float = 0.1, backoff_max: float = 5.0, confirm_mode: str = "stream",
                 stats_interval: float = 10.0,
                 after_confirm: Callable[[Sequence[OutboxRow]], None] | None = None,
                 publisher: ConfirmingPublisher | PostgresPublisher | None = None) -> None:
        if not _IDENTIFIER.match(domain):
            raise ValueError(f"not a domain schema name: {domain!r}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.domain = domain
        self.application_name = f"ecom-relay-{domain}"
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.stats_interval = stats_interval
        self.after_confirm = after_confirm
        self.publisher = publisher or ConfirmingPublisher(amqp_url, exchange, confirm_mode, confirm_timeout)
        self._engine, self._owns_engine = self._make_engine(database)
        self._conn: Connection | None = None
        self._wakeup: Wakeup | None = None  # None: the driver's socket cannot be watched, poll
        self.backend_pid: int | None = None  # the database session's pid, for operators and tests
        self.stats = {"sent": 0, "batches": 0, "empty_claims": 0, "held_back": 0, "broker_failures": 0,
                      "db_failures": 0}
        outbox = f"{domain}.outbox"
        # The claim, its marks and, per claimed subject, the first pending row of it that is not
        # ours (held by another relay, or skipped): one statement, one snapshot (see _hold_back;
        # the marks change rows the snapshot still sees pending, as foreign_first reads them).
        self._claim = text(
            f"WITH claimed AS MATERIALIZED (SELECT id, seq, type, source, subject, data, created_at, "
            "traceparent "
            f"FROM {outbox} WHERE sent_at IS NULL ORDER BY seq LIMIT :limit FOR UPDATE SKIP LOCKED), "
            f"marked AS (UPDATE {outbox} SET sent_at = now() WHERE seq IN (SELECT seq FROM claimed)), "
            f"foreign_first AS (SELECT o.subject, min(o.seq) AS first FROM {outbox} o "
            "WHERE o.sent_at IS NULL AND o.seq <= (SELECT max(seq) FROM claimed) "
            "AND o.subject IN (SELECT subject FROM claimed) "
            "AND NOT EXISTS (SELECT 1 FROM claimed c WHERE c.seq = o.seq) GROUP BY o.subject) "
            "SELECT c.id, c.seq, c.type, c.source, c.subject, c.data::text AS data, c.created_at, "
            "c.traceparent, f.first "
            "FROM claimed c LEFT JOIN foreign_first f ON f.subject = c.subject ORDER BY c.seq")
        self._unmark = text(f"UPDATE {outbox} SET sent_at = NULL WHERE seq = ANY(CAST(:seqs AS bigint[]))")

    def _make_engine(self, database: Engine | str) -> tuple[Engine, bool]:
        if not isinstance(database, str):
            return database, False
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        from functions.runtime.db import tune_pg8000

        engine = create_engine(database, poolclass=NullPool,  # one long-lived connection, reopened on failure
                               connect_args={"application_name": self.application_name, "timeout": 10})
        tune_pg8000(engine)
        return engine, True

    # --- one batch ------------------------------------------------------------------------------

    def relay_once(self) -> int:
        """Relay one batch; return how many rows were published and marked sent.

        Raises BrokerError or DatabaseError when either is unavailable (nothing unconfirmed is
        marked); `run` retries those with backoff.
        """
        return self._batch()[1]

    def drain(self) -> int:
        """Relay batches until no pending row is left that this relay may send; return the count."""
        total = 0
        while True:
            claimed, sent = self._batch()
            total += sent
            if claimed < self.batch_size or sent == 0:
                return total

    def _connection(self) -> Connection:
        if self._conn is None:
            try:
                self._conn = self._engine.connect()
                self.backend_pid = self._conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                self._conn.exec_driver_sql(f"LISTEN {notify_channel(self.domain)}")
                self._conn.exec_driver_sql("SET synchronous_commit = off")  # why: the module's docstring
                self._conn.commit()  # LISTEN takes effect at commit
                self._wakeup = Wakeup.of(self._conn.connection.dbapi_connection)
            except _DB_FAILURES as exc:
                self._drop_connection()
                raise DatabaseError(f"cannot connect: {_describe(exc)}") from exc
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn, self.backend_pid, self._wakeup = self._conn, None, None, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:  # noqa: BLE001 - the connection is broken already
                pass

    def _batch(self) -> tuple[int, int]:
        """Relay one batch; return (rows claimed, rows sent)."""
        self.publisher.connect()  # first: no rows are claimed (and locked) while the broker is down
        conn = self._connection()
        try:
            claimed = conn.execute(self._claim, {"limit": self.batch_size}).all()
            if self._wakeup is not None:
                # What woke this batch was read with its first statement: it was delivered before
                # the transaction began (Postgres holds notifications back inside one), so its rows
                # are committed and in this claim's snapshot. Forgotten here, only the ones that
                # arrive with the commit start the next batch at once; otherwise every wake-up
                # would cost a second claim that finds nothing.
                self._wakeup.pending()
            if not claimed:
                conn.rollback()
                self.stats["empty_claims"] += 1
                return 0, 0
            rows = [OutboxRow(*r[:8]) for r in claimed]
            sendable = _hold_back(rows, [r[8] for r in claimed])
            if not sendable:
                conn.rollback()
                self.stats["held_back"] += len(rows)
                return len(rows), 0
            try:
                confirmed = self.publisher.publish_batch([row_to_message(r) for r in sendable], conn)
            except BrokerError as exc:
                self._keep_marks(conn, rows, _confirmed_prefixes(sendable, exc.confirmed))
                conn.commit()
                raise
            if self.after_confirm is not None:
                self.after_confirm(sendable)
            done = _confirmed_prefixes(sendable, confirmed)
            self._keep_marks(conn, rows, done)
            conn.commit()
        except _DB_FAILURES as exc:
            self._drop_connection()
            raise DatabaseError(_describe(exc)) from exc
        except BaseException:
            self._rollback_quietly()
            raise
        self.stats["sent"] += len(done)
        self.stats["batches"] += 1
        self.stats["held_back"] += len(rows) - len(sendable)
        if len(done) < len(sendable):
            raise BrokerError(f"broker nacked {len(sendable) - len(done)} of {len(sendable)} messages")
        return len(rows), len(done)

    def _keep_marks(self, conn: Connection, claimed: Sequence[OutboxRow], done: Sequence[OutboxRow]) -> None:
        """Leave exactly `done` of the claimed rows (all marked by the claim) marked sent in the
        transaction: unmark the others, when there are any."""
        if len(done) < len(claimed):
            kept = {r.seq for r in done}
            conn.execute(self._unmark, {"seqs": [r.seq for r in claimed if r.seq not in kept]})

    def _rollback_quietly(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.rollback()
        except Exception:  # noqa: BLE001 - a dead connection cannot roll back: it is dropped
            self._drop_connection()

    # --- the loop -------------------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None) -> None:
        """Relay until `stop` is set: poll when idle, back off (exponentially) after failures."""
        stop = stop or threading.Event()
        delay = self.backoff_initial
        last_stats = time.monotonic()
        log.info("relay started", extra={"domain": self.domain, "exchange": self.publisher.exchange,
                                         "broker": self.publisher.label,
                                         "batch_size": self.batch_size})
        try:
            while not stop.is_set():
                try:
                    claimed, sent = self._batch()
                    delay = self.backoff_initial
                except BrokerError as exc:
                    self.stats["broker_failures"] += 1
                    self._failed("broker", exc, delay)
                    stop.wait(delay * random.uniform(0.5, 1.0))
                    delay = min(delay * 2, self.backoff_max)
                    continue
                except DatabaseError as exc:
                    self.stats["db_failures"] += 1
                    self._failed("database", exc, delay)
                    stop.wait(delay * random.uniform(0.5, 1.0))
                    delay = min(delay * 2, self.backoff_max)
                    continue
                except Exception:
                    log.exception("relay stopped by an unexpected error", extra={"domain": self.domain})
                    raise
                if time.monotonic() - last_stats >= self.stats_interval:
                    self._log_stats()
                    last_stats = time.monotonic()
                if claimed < self.batch_size or sent == 0:
                    self.publisher.idle()
                    self._wait(stop, held_back=claimed > 0 and sent == 0)
        finally:
            self._log_stats()
            self.close()

    def _wait(self, stop: threading.Event, held_back: bool) -> None:
        """Wait for the next batch: a notification, the poll interval, or a held-back retry."""
        if held_back:
            stop.wait(HELD_BACK_RETRY_S)
        elif self._wakeup is None:
            stop.wait(self.poll_interval)
        else:
            self._wakeup.wait(self.poll_interval, stop)

    def _failed(self, what: str, exc: Exception, delay: float) -> None:
        log.warning(f"relay {what} failure, retrying", extra={
            "domain": self.domain, "error": str(exc)[:300], "retry_in_s": round(delay, 3)})

    def _log_stats(self) -> None:
        log.info("relay progress", extra={"domain": self.domain, **self.stats})

    def close(self) -> None:
        """Close the broker and database connections (and the engine the relay made)."""
        self.publisher.close()
        self._rollback_quietly()
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass
        if self._owns_engine:
            self._engine.dispose()


def _hold_back(rows: list[OutboxRow], foreign_first: Sequence[int | None]) -> list[OutboxRow]:
    """Return the rows of the batch that may be published now without reordering a subject.

    `foreign_first[i]` is the seq of the first pending row of row i's subject (up to the batch's
    last seq) that is not in the batch, if any: the claim statement computes it.

    SKIP LOCKED hands out rows in seq order but skips the ones another relay holds, so the
    batch may contain a subject's later rows while an earlier one is in the other relay's
    batch, and is unsent until that relay commits. Publishing them now could put them on the
    exchange before it. So, per subject, we keep only our rows *before* the subject's first
    pending row that is not ours; the rest stay pending (released at our commit) for a later
    batch, when the earlier row is sent. Rows the other relay marked sent and committed no
    longer count as pending, so a subject is held back only while it really has to wait.

    This relies on a subject's rows being committed in seq order, which holds because the
    unit of work writes an aggregate's event after changing (and so locking) the aggregate:
    a later transaction on the same aggregate waits for the earlier one before taking a seq.
    The same premise makes one snapshot for the claim and the check enough: a row of the subject
    with a lower seq than a row we claimed committed before it, so the claim's snapshot sees it.
    """
    return [r for r, first in zip(rows, foreign_first) if first is None or r.seq < first]


def _describe(exc: BaseException) -> str:
    """Name and message of a database failure (the driver's, not SQLAlchemy's long wrapper)."""
    cause = getattr(exc, "orig", None) or exc
    return f"{type(cause).__name__}: {cause}"[:300]


def _confirmed_prefixes(rows: Sequence[OutboxRow], confirmed: Sequence[bool]) -> list[OutboxRow]:
    """Return the rows that were confirmed and whose subject's earlier rows here all were too."""
    broken: set[str] = set()
    done = []
    for index, row in enumerate(rows):
        if row.subject in broken:
            continue
        if index < len(confirmed) and confirmed[index]:
            done.append(row)
        else:
            broken.add(row.subject)
    return done
