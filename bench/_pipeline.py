"""The local event pipeline the latency bench drives: runtime, a producer, and a watcher of the inbox.

`local_runtime(admin_url, amqp_url, transport)` is the runtime as `make dev` runs it (gateway,
activator, local broker on RabbitMQ or on its Postgres transport, the catalog's relay in a thread);
`StockProducer` commits com.ecom.inventory.availability.changed events into catalog.outbox at a steady
rate from a few threads (each its own connection and its own SKUs, so each SKU's versions are
committed in order); `InboxWatcher` notes when each event's inbox row became visible. How these
bound the measured latency is in bench/events.py's docstring.
"""

from __future__ import annotations

import json
import math
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pika
from _common import REPO
from jsonschema import Draft202012Validator
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from functions.runtime.db import tune_pg8000
from functions.runtime.jsonio import plain
from functions.runtime.outbox import append
from functions.runtime.relay import PostgresPublisher, Relay
from localrun.broker.loader import load_eventing
from localrun.broker.localbroker import LocalBroker, start_local_broker
from localrun.broker.rabbitmq.amqp import delete_broker
from localrun.broker.transport import Topology
from localrun.dev.keys import ensure_key_pair
from localrun.dev.stack import secrets_for
from localrun.gateway.server import serve
from localrun.serving.activator import Activator
from schemas.migrate import role_url


def while_broker_restarts(cleanup: Callable[[], None], seconds: float = 30.0) -> None:
    """Run a clean-up, retrying while RabbitMQ does not answer (it is being restarted, say)."""
    deadline, delay = time.monotonic() + seconds, 0.5
    while True:
        try:
            cleanup()
            return
        except (pika.exceptions.AMQPError, OSError):
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 5.0)



# --- outbox commit -> handler commit latency --------------------------------------------------

LATENCY_DOMAIN = "catalog"
# The catalog's copy of availability: one consumer per event, a version-guarded upsert (stock.changed,
# which the bench sent before availability.changed existed, also went to reporting: two per event).
AVAILABILITY_CHANGED = "com.ecom.inventory.availability.changed"
AVAILABILITY_SCHEMA = REPO / "events" / "schemas" / f"{AVAILABILITY_CHANGED}.json"
HANDLER = "catalog-on-availability-changed"  # the Trigger, the Knative Service and the inbox consumer
PRODUCER_SOURCE = "/ecom/bench/producer"
WATCH_INTERVAL_S = 0.005
TRANSPORTS = ("rabbitmq", "postgres")


@dataclass
class Runtime:
    """The local runtime of one latency run: gateway, activator, broker and the catalog's relay."""

    activator: Activator
    broker: LocalBroker
    relay: Relay
    relay_errors: list[BaseException]
    dispatched: dict[str, float]  # event id -> when the broker first POSTed it (time.time())
    transport: str


@contextmanager
def local_runtime(admin_url: str, amqp_url: str, transport: str = "rabbitmq") -> Iterator[Runtime]:
    """Yield the local runtime over `admin_url`'s database, on an exchange and queues of its own.

    As `make dev` runs it: the gateway and activator in this process (the handler is its own
    functions-framework process, started by the first event), the local broker's Trigger
    consumers in this process, plus the catalog's relay in a thread with its defaults (woken by
    the outbox's NOTIFY). `transport` "postgres": the broker's queues are tables in the same
    database and the relay publishes there (`localbroker.publish`), RabbitMQ is not used.
    Everything is stopped and the exchange and queues deleted at the end.
    """
    if transport not in TRANSPORTS:
        raise ValueError(f"transport is one of {TRANSPORTS}")
    on_postgres = transport == "postgres"
    tag = uuid.uuid4().hex[:10]
    exchange, prefix = f"ecom.events.bench-{tag}", f"ecom.bench-{tag}"
    env = {"AMQP_URL": amqp_url, "EVENTS_EXCHANGE": exchange, "BROKER_QUEUE_PREFIX": prefix}
    with tempfile.TemporaryDirectory() as keys:
        private, public = ensure_key_pair(Path(keys))
        gateway, activator = serve(REPO, secrets_for(admin_url, (private.read_text(), public.read_text())),
                                   port=0, idle_seconds=600)
        broker: LocalBroker | None = None
        try:
            broker = start_local_broker(REPO, activator, gateway, env,
                                        database_url=admin_url if on_postgres else None)
            if broker is None:
                raise RuntimeError(f"the local broker did not start on {transport}")
            dispatched: dict[str, float] = {}
            send = broker.sender.send

            def timed_send(dest: Any, event: Any, timeout: float | None = None) -> Any:
                dispatched.setdefault(event.id, time.time())  # the first attempt's start
                return send(dest, event, timeout)

            broker.sender.send = timed_send  # type: ignore[method-assign]
            relay = Relay(LATENCY_DOMAIN, role_url(admin_url, LATENCY_DOMAIN), amqp_url, exchange,
                          publisher=PostgresPublisher(exchange) if on_postgres else None)
            errors: list[BaseException] = []
            stop = threading.Event()

            def run_relay() -> None:
                try:
                    relay.run(stop)
                except BaseException as exc:  # noqa: BLE001 - reported by the section
                    errors.append(exc)

            thread = threading.Thread(target=run_relay, name="bench-relay", daemon=True)
            thread.start()
            try:
                yield Runtime(activator, broker, relay, errors, dispatched, transport)
            finally:
                stop.set()
                thread.join(timeout=15)  # before the exchange goes: the relay would declare it again
        finally:
            try:
                if broker is not None:
                    broker.stop()
                    while_broker_restarts(broker.delete_topology)
                elif on_postgres:
                    pass  # the scratch database goes, with the localbroker schema in it
                else:  # start_local_broker may have declared some before failing (or Ctrl-C)
                    triggers = [t.name for t in load_eventing(REPO / "knative").triggers]
                    while_broker_restarts(lambda: delete_broker(amqp_url, Topology(exchange, prefix), triggers))
            finally:
                gateway.stop()
                activator.shutdown()


class InboxWatcher:
    """Polls the handler's inbox for the events it waits for; notes when each became visible.

    One query every WATCH_INTERVAL_S on its own autocommit connection, by primary key, for the
    ids still outstanding (a few dozen at a time). A row seen by a poll was committed before that
    poll's snapshot, so before its clock_timestamp(); a row not seen was committed after the
    poll's statement_timestamp() (the snapshot is taken after it). So each event's handler commit
    lies in (previous poll's statement time, this poll's clock time]: a bracket of about one
    interval, on the database's clock.
    """

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool,
                                    connect_args={"application_name": "bench-inbox-watcher"})
        self.seen: dict[str, tuple[float, float]] = {}  # id -> (not yet seen at, seen at), epoch s
        self.polls = 0
        self.cpu_s = 0.0  # the watcher thread's own CPU time (its cost to the run)
        self.error: BaseException | None = None
        self._outstanding: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-inbox-watcher", daemon=True)
        self._query = text(
            f"SELECT statement_timestamp(), clock_timestamp(), ARRAY(SELECT id FROM {LATENCY_DOMAIN}.inbox "
            "WHERE consumer = :consumer AND source = :source AND id = ANY(CAST(:ids AS text[])))")

    def __enter__(self) -> InboxWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.engine.dispose()

    def expect(self, event_id: str) -> None:
        with self._lock:
            self._outstanding.add(event_id)

    def seen_now(self) -> dict[str, tuple[float, float]]:
        """Return a copy of what was seen so far: id -> (not yet seen at, seen at)."""
        with self._lock:
            return dict(self.seen)

    def outstanding(self) -> int:
        with self._lock:
            return len(self._outstanding)

    def wait(self, ids: Sequence[str], seconds: float) -> bool:
        """Wait until every id was seen, at most `seconds`; return whether they all were."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.error is None:
            with self._lock:
                if all(i in self.seen for i in ids):
                    return True
            time.sleep(0.02)
        with self._lock:
            return all(i in self.seen for i in ids)

    def _run(self) -> None:
        try:
            with self.engine.connect() as conn:
                previous, asked = 0.0, set()  # the last poll's statement time and ids
                while not self._stop.is_set():
                    with self._lock:
                        ids = list(self._outstanding)
                    if ids:
                        started, clock, found = conn.execute(self._query, {
                            "consumer": HANDLER, "source": PRODUCER_SOURCE, "ids": ids}).one()
                        self.polls += 1
                        with self._lock:
                            for event_id in found:
                                # not asked for last time: no bound from that poll (0.0)
                                self.seen[event_id] = (previous if event_id in asked else 0.0,
                                                       clock.timestamp())
                                self._outstanding.discard(event_id)
                        previous, asked = started.timestamp(), set(ids)
                    self.cpu_s = time.thread_time()
                    self._stop.wait(WATCH_INTERVAL_S)
        except BaseException as exc:  # noqa: BLE001 - reported by the section
            self.error = exc


@dataclass
class Sent:
    """One produced event, as the producer saw it."""

    id: str
    committed: float  # time.time() when the commit returned
    tx_ms: float  # BEGIN .. COMMIT returned, as the producer timed it


class StockProducer:
    """Writes com.ecom.inventory.availability.changed events to catalog.outbox as the catalog's role,
    one committed transaction each, on `skus` SKUs with a per-SKU increasing version.

    One connection per producing thread (`steady` uses as many as the rate needs: a commit waits
    for the WAL flush), each with SKUs of its own, so a SKU's versions commit in order.
    """

    def __init__(self, url: str, skus: int, watcher: InboxWatcher, seed: int = 4) -> None:
        # Pooled, so the producing threads' backends live from step to step and their CPU is counted.
        self.engine = create_engine(url, pool_size=8, max_overflow=0,
                                    connect_args={"application_name": "bench-producer"})
        tune_pg8000(self.engine)  # as the functions' engine is: checkout writes its events this way
        self.watcher = watcher
        self.rnd = random.Random(seed)
        self.skus = [f"BENCH-{i:03d}" for i in range(skus)]
        self.versions = dict.fromkeys(self.skus, 0)
        self.validator = Draft202012Validator(json.loads(AVAILABILITY_SCHEMA.read_text()),
                                              format_checker=Draft202012Validator.FORMAT_CHECKER)
        self.cpu_s = 0.0  # the producing threads' own CPU time, so far
        self._lock = threading.Lock()

    def close(self) -> None:
        self.engine.dispose()

    def data(self, sku: str) -> dict:
        self.versions[sku] += 1
        with self._lock:
            in_stock = self.rnd.random() < 0.5
        return {"sku": sku, "in_stock": in_stock, "version": self.versions[sku],
                "changed_at": datetime.now(timezone.utc)}

    def send(self, conn: Any, sku: str, validate: bool = False) -> Sent:
        data = self.data(sku)
        if validate:  # against the event's contract (the warm-up events; the rest are alike)
            self.validator.validate(plain(data))
        start = time.perf_counter()
        with conn.begin():
            event_id = str(append(conn, LATENCY_DOMAIN, AVAILABILITY_CHANGED, PRODUCER_SOURCE, subject=sku, data=data))
        committed = time.time()
        tx_ms = (time.perf_counter() - start) * 1000
        self.watcher.expect(event_id)
        return Sent(event_id, committed, tx_ms)

    def warm_up(self, count: int) -> list[Sent]:
        with self.engine.connect() as conn:
            return [self.send(conn, self.skus[i % len(self.skus)], validate=True) for i in range(count)]

    def steady(self, rate: float, seconds: float) -> tuple[list[Sent], float, float]:
        """Send rate x seconds events on a fixed schedule; return them, the elapsed time and the
        worst lag of a producing thread behind its schedule (s)."""
        threads = max(2, min(8, math.ceil(rate / 100)))  # a commit takes 2-5 ms here, more when busy
        count = round(rate * seconds)
        results: list[tuple[list[Sent], float]] = [([], 0.0)] * threads
        errors: list[BaseException] = []
        start = time.perf_counter() + 0.05

        def produce(index: int) -> None:
            skus = self.skus[index::threads]
            sent: list[Sent] = []
            lag = 0.0
            cpu = time.thread_time()
            try:
                with self.engine.connect() as conn:
                    for n in range(index, count, threads):
                        delay = start + n / rate - time.perf_counter()
                        if delay > 0:
                            time.sleep(delay)
                        else:
                            lag = max(lag, -delay)
                        sent.append(self.send(conn, skus[(n // threads) % len(skus)]))
            except BaseException as exc:  # noqa: BLE001 - raised below
                errors.append(exc)
            results[index] = (sent, lag)
            with self._lock:
                self.cpu_s += time.thread_time() - cpu

        workers = [threading.Thread(target=produce, args=(i,), name=f"bench-producer-{i}", daemon=True)
                   for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if errors:
            raise errors[0]
        sent = sorted((s for part, _ in results for s in part), key=lambda s: s.committed)
        return sent, time.perf_counter() - start, max(lag for _, lag in results)
