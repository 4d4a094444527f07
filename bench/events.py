"""Event backbone benchmarks: the outbox relay's throughput, and outbox commit -> handler commit latency.

Relay throughput: N outbox rows (20,000 by default, on 500 aggregates) pending in a scratch
database; the relay (functions/runtime/relay) sends them all to a durable topic exchange bound to
one durable queue (so every message is routed and persisted, as in production), waiting for the
broker's confirms and marking rows sent, batch after batch. Measured against a baseline taken in
the same run: raw pika publishing the *same* messages with the same confirm strategy and no
database. Both confirm strategies are measured (see publisher.py): "stream" (what the relay
uses: a batch, then one wait for its confirms) and "each" (pika's public API: one wait per
message). Target: relay "stream" at least 6,000 msg/s on this machine.

Handler latency: the local runtime as `make dev` runs it, in this process (gateway and activator,
the local broker with its Trigger queue on an exchange of this run's own) plus the catalog's relay
in a thread with Relay's default 50 ms poll interval (what `python -m functions.runtime.relay` and
make dev's relay threads use; not tuned here). A producer writes com.ecom.inventory.stock.changed
events into catalog.outbox at a steady rate (200/s for 10 s by default, on 50 SKUs, versions
increasing per SKU), each with `outbox.append` in its own committed transaction as the catalog's
role; the relay publishes them, the broker POSTs them through the activator to
catalog-on-stock-changed, whose transaction writes the inbox row and the availability. 20 warm-up
events first (the handler's cold start) are not counted.

What "outbox commit -> handler commit" is, and why it is an upper bound: neither commit time is
stored (track_commit_timestamp is off, and the schema is not changed for a benchmark).
`outbox.created_at` and `inbox.received_at` are both `now()`, i.e. the *start* of their
transactions. So:
- the start is `outbox.created_at`, a little before the outbox commit (the producer's whole
  transaction takes a millisecond or two; its p50/p99 are printed);
- the end is when the inbox row became *visible*: a watcher polls the inbox by primary key every
  5 ms for the ids still outstanding, and the clock_timestamp() of the first poll that sees a
  row is after that row's commit. `received_at` alone would leave out the handler's own
  transaction (its upsert and commit), so it is printed separately, not used as the figure.
Both ends are on the database's clock, and both err towards a longer latency: the reported
figure (upper bound) over-states the true one by up to one poll interval plus the producer's
transaction. The lower bound is the later of received_at and the last poll that did not yet see
the row, minus the moment the producer's commit returned (time.time(): the same host clock as
PostgreSQL's here). The true latency lies between the two. The stage rows split the upper bound at
the relay's claim (`outbox.sent_at`, the relay transaction's start), the broker's first POST
(timed in this process) and `received_at`; one more row is the broker's whole request to the
handler (POST to answer). The watcher adds one index lookup per 5 ms. Everything shares 2 cores
here (the tail moves with whatever else runs: the load average is printed first).

Every section takes the same `Bench` (database, broker, exchange, queue), prints its own table
and returns its target line; the lines are repeated at the end.

Usage: .venv/bin/python bench/events.py [--events 20000] [--batch 500] [--profile]
           [--rate 200] [--seconds 10] [--skus 50] [--warmup 20] [--drain 30]
           [--only throughput|latency]
Everything made (database, exchanges, queues, function processes) is removed at the end, also on
Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pika
from _common import REPO, percentile, seeded_database, sigterm_as_interrupt, table
from cold_start import children_log
from jsonschema import Draft202012Validator
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.pool import NullPool

from functions.runtime.jsonio import plain
from functions.runtime.outbox import append, outbox_table
from functions.runtime.relay import ConfirmingPublisher, OutboxRow, Relay, row_to_message
from localrun.broker.loader import load_eventing
from localrun.broker.localbroker import LocalBroker, start_local_broker
from localrun.broker.rabbitmq.amqp import delete_broker
from localrun.broker.transport import Topology
from localrun.dev.keys import ensure_key_pair
from localrun.dev.stack import secrets_for
from localrun.gateway.server import serve
from localrun.serving.activator import Activator
from schemas.migrate import role_url

AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
DOMAIN = "accounts"
EVENT_TYPE = "com.ecom.accounts.user.registered"
SOURCE = "/ecom/accounts/register"
TARGET_MSG_S = 6_000


@dataclass
class Bench:
    """What every section gets: the scratch database (admin URL), its domain role, the broker."""

    admin_url: str
    domain_url: str
    amqp_url: str
    exchange: str
    queue: str
    options: argparse.Namespace
    admin: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")


@contextmanager
def bench_broker(amqp_url: str) -> Iterator[tuple[str, str]]:
    """Yield (exchange, queue): a durable topic exchange and a durable queue bound to all of it,
    named for this run; both deleted at the end."""
    tag = uuid.uuid4().hex[:10]
    exchange, queue = f"ecom.events.bench-{tag}", f"bench-events-{tag}"
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        channel = connection.channel()
        channel.exchange_declare(exchange, "topic", durable=True)
        channel.queue_declare(queue, durable=True)
        channel.queue_bind(queue, exchange, "#")
        connection.close()
        yield exchange, queue
    finally:
        def delete() -> None:
            connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
            try:
                channel = connection.channel()
                channel.queue_delete(queue)
                channel.exchange_delete(exchange)
            finally:
                if connection.is_open:
                    connection.close()

        while_broker_restarts(delete)


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


def purge(amqp_url: str, queue: str) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        connection.channel().queue_purge(queue)
    finally:
        connection.close()


def event_data(rnd: random.Random) -> dict:
    """A com.ecom.accounts.user.registered payload of realistic size."""
    user = uuid.UUID(int=rnd.getrandbits(128), version=4)
    return {"user_id": user, "email": f"shopper-{user.hex[:12]}@example.com",
            "name": f"Shopper {user.hex[:8]}", "registered_at": datetime.now(timezone.utc)}


def write_events(domain_url: str, count: int, subjects: int, seed: int = 1, per_tx: int = 1000) -> None:
    """Append `count` pending events on `subjects` aggregates as the domain's role.

    The rows are what `outbox.append` writes (id, type, source, subject, JSON-plain data), inserted
    many per statement: loading the backlog is not what is measured.
    """
    rnd = random.Random(seed)
    table_ = outbox_table(DOMAIN)
    names = [f"user-{i}" for i in range(subjects)]
    engine = create_engine(domain_url)
    try:
        for start in range(0, count, per_tx):
            with engine.begin() as conn:
                conn.execute(insert(table_), [
                    {"id": uuid.uuid4(), "type": EVENT_TYPE, "source": SOURCE,
                     "subject": rnd.choice(names), "data": plain(event_data(rnd))}
                    for _ in range(min(per_tx, count - start))])
    finally:
        engine.dispose()


def reset_outbox(bench: Bench) -> None:
    """Make every row pending again."""
    with bench.admin.connect() as conn:
        conn.execute(text(f"UPDATE {DOMAIN}.outbox SET sent_at = NULL"))
        conn.execute(text(f"VACUUM ANALYZE {DOMAIN}.outbox"))


def pending(bench: Bench) -> int:
    with bench.admin.connect() as conn:
        return conn.scalar(text(f"SELECT count(*) FROM {DOMAIN}.outbox WHERE sent_at IS NULL"))


def outbox_messages(bench: Bench) -> list:
    """The AMQP messages of every outbox row, in seq order (what the relay would publish)."""
    with bench.admin.connect() as conn:
        rows = conn.execute(text(
            f"SELECT id, seq, type, source, subject, data::text, created_at FROM {DOMAIN}.outbox "
            "ORDER BY seq"))
        return [row_to_message(OutboxRow(*r)) for r in rows]


# --- relay throughput -----------------------------------------------------------------------------

def timed(run: Callable[[], int], profile: bool = False) -> tuple[int, float, str]:
    """Return (messages, seconds, profile text) of one run."""
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    sent = run()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    report = ""
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(14)
        report = out.getvalue()
    return sent, seconds, report


def raw_publish(bench: Bench, messages: list, mode: str) -> int:
    """Publish messages with confirms, `batch` at a time, with no database: the baseline."""
    publisher = ConfirmingPublisher(bench.amqp_url, bench.exchange, mode)
    try:
        batch = bench.options.batch
        for start in range(0, len(messages), batch):
            confirmed = publisher.publish_batch(messages[start:start + batch])
            assert all(confirmed), "the broker nacked a message"
        return len(messages)
    finally:
        publisher.close()


def relay_all(bench: Bench, mode: str) -> int:
    relay = Relay(DOMAIN, bench.domain_url, bench.amqp_url, bench.exchange,
                  batch_size=bench.options.batch, confirm_mode=mode)
    try:
        return relay.drain()
    finally:
        relay.close()


def relay_throughput(bench: Bench) -> str:
    count = bench.options.events
    print(f"\nRelay throughput: {count:,} events, batches of {bench.options.batch}, persistent messages "
          "routed to one durable queue, publisher confirms")
    messages = outbox_messages(bench)
    results: dict[tuple[str, str], tuple[int, float]] = {}
    for mode in ("stream", "each"):
        purge(bench.amqp_url, bench.queue)
        sent, seconds, _ = timed(lambda: raw_publish(bench, messages, mode))
        results["pika only, no database", mode] = (sent, seconds)

        purge(bench.amqp_url, bench.queue)
        reset_outbox(bench)
        sent, seconds, _ = timed(lambda: relay_all(bench, mode))
        assert sent == count and pending(bench) == 0, f"relay sent {sent} of {count}"
        results["relay", mode] = (sent, seconds)

    rows = []
    for (case, mode), (sent, seconds) in results.items():
        rate = sent / seconds
        baseline = results["pika only, no database", mode]
        ratio = rate / (baseline[0] / baseline[1])
        rows.append([case, mode, f"{sent:,}", f"{seconds:.2f}", f"{rate:,.0f}",
                     "1.00" if case != "relay" else f"{ratio:.2f}"])
    print(table(["case", "confirms", "messages", "seconds", "msg/s", "vs baseline"], rows, left=2))
    relay_rate = results["relay", "stream"][0] / results["relay", "stream"][1]
    verdict = "met" if relay_rate >= TARGET_MSG_S else "MISSED"
    line = (f"target: relay at least {TARGET_MSG_S:,} msg/s with confirms -> {relay_rate:,.0f} msg/s, "
            f"{verdict}")
    print(line)
    if bench.options.profile:
        purge(bench.amqp_url, bench.queue)
        reset_outbox(bench)
        _, seconds, report = timed(lambda: relay_all(bench, "stream"), profile=True)
        print(f"\nProfile of one more relay run (stream; {seconds:.2f} s under the profiler), by own time:")
        print(report)
    purge(bench.amqp_url, bench.queue)  # the next section should not share RabbitMQ with 20,000 messages
    return line


# --- outbox commit -> handler commit latency --------------------------------------------------

LATENCY_DOMAIN = "catalog"
STOCK_CHANGED = "com.ecom.inventory.stock.changed"
STOCK_SCHEMA = REPO / "events" / "schemas" / f"{STOCK_CHANGED}.json"
HANDLER = "catalog-on-stock-changed"  # the Trigger, the Knative Service and the inbox consumer
PRODUCER_SOURCE = "/ecom/bench/producer"
RELAY_POLL_S = 0.05  # Relay's default: `python -m functions.runtime.relay` and make dev use it
WATCH_INTERVAL_S = 0.005
TARGET_P99_MS = 100.0


@dataclass
class Runtime:
    """The local runtime of one latency run: gateway, activator, broker and the catalog's relay."""

    activator: Activator
    broker: LocalBroker
    relay: Relay
    relay_errors: list[BaseException]
    dispatched: dict[str, float]  # event id -> when the broker first POSTed it (time.time())


@contextmanager
def local_runtime(admin_url: str, amqp_url: str) -> Iterator[Runtime]:
    """Yield the local runtime over `admin_url`'s database, on an exchange and queues of its own.

    As `make dev` runs it: the gateway and activator in this process (the handler is its own
    functions-framework process, started by the first event), the local broker's Trigger
    consumers in this process, plus the catalog's relay in a thread with its default poll
    interval. Everything is stopped and the exchange and queues deleted at the end.
    """
    tag = uuid.uuid4().hex[:10]
    exchange, prefix = f"ecom.events.bench-{tag}", f"ecom.bench-{tag}"
    env = {"AMQP_URL": amqp_url, "EVENTS_EXCHANGE": exchange, "BROKER_QUEUE_PREFIX": prefix}
    with tempfile.TemporaryDirectory() as keys:
        private, public = ensure_key_pair(Path(keys))
        gateway, activator = serve(REPO, secrets_for(admin_url, (private.read_text(), public.read_text())),
                                   port=0, idle_seconds=600)
        broker: LocalBroker | None = None
        try:
            broker = start_local_broker(REPO, activator, gateway, env)
            if broker is None:
                raise RuntimeError(f"the local broker did not start: RabbitMQ at {amqp_url} does not answer")
            dispatched: dict[str, float] = {}
            send = broker.sender.send

            def timed_send(dest: Any, event: Any, timeout: float | None = None) -> Any:
                dispatched.setdefault(event.id, time.time())  # the first attempt's start
                return send(dest, event, timeout)

            broker.sender.send = timed_send  # type: ignore[method-assign]
            relay = Relay(LATENCY_DOMAIN, role_url(admin_url, LATENCY_DOMAIN), amqp_url, exchange,
                          poll_interval=RELAY_POLL_S)
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
                yield Runtime(activator, broker, relay, errors, dispatched)
            finally:
                stop.set()
                thread.join(timeout=15)  # before the exchange goes: the relay would declare it again
        finally:
            try:
                if broker is not None:
                    broker.stop()
                    while_broker_restarts(broker.delete_topology)
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
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
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
    """Writes com.ecom.inventory.stock.changed events to catalog.outbox as the catalog's role,
    one committed transaction each, on `skus` SKUs with a per-SKU increasing version."""

    def __init__(self, url: str, skus: int, watcher: InboxWatcher, seed: int = 4) -> None:
        self.engine = create_engine(url, poolclass=NullPool)
        self.conn = self.engine.connect()
        self.watcher = watcher
        self.rnd = random.Random(seed)
        self.skus = [f"BENCH-{i:03d}" for i in range(skus)]
        self.versions = dict.fromkeys(self.skus, 0)
        self.validator = Draft202012Validator(json.loads(STOCK_SCHEMA.read_text()),
                                              format_checker=Draft202012Validator.FORMAT_CHECKER)

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()

    def data(self, sku: str) -> dict:
        self.versions[sku] += 1
        on_hand = self.rnd.randint(0, 500)
        reserved = self.rnd.randint(0, on_hand)
        return {"sku": sku, "on_hand": on_hand, "reserved": reserved, "available": on_hand - reserved,
                "version": self.versions[sku], "changed_at": datetime.now(timezone.utc)}

    def send(self, index: int, validate: bool = False) -> Sent:
        sku = self.skus[index % len(self.skus)]
        data = self.data(sku)
        if validate:  # against the event's contract (the warm-up events; the rest are alike)
            self.validator.validate(plain(data))
        start = time.perf_counter()
        with self.conn.begin():
            event_id = str(append(self.conn, LATENCY_DOMAIN, STOCK_CHANGED, PRODUCER_SOURCE,
                                  subject=sku, data=data))
        committed = time.time()
        tx_ms = (time.perf_counter() - start) * 1000
        self.watcher.expect(event_id)
        return Sent(event_id, committed, tx_ms)

    def steady(self, rate: float, seconds: float) -> tuple[list[Sent], float, float]:
        """Send rate×seconds events on a fixed schedule; return them, the elapsed time and the
        producer's worst lag behind its schedule (s)."""
        count = round(rate * seconds)
        sent: list[Sent] = []
        lag = 0.0
        start = time.perf_counter()
        for index in range(count):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            else:
                lag = max(lag, -delay)
            sent.append(self.send(index))
        return sent, time.perf_counter() - start, lag


def epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def ms_stats(values: Sequence[float]) -> list[str]:
    """Return [count, p50, p95, p99, max] of values in seconds, as milliseconds."""
    if not values:
        return ["0", "-", "-", "-", "-"]
    return [f"{len(values):,}"] + [f"{percentile(values, p) * 1000:.1f}" for p in (50, 95, 99)] + \
        [f"{max(values) * 1000:.1f}"]


STAGES = ("outbox row (created_at) -> relay claims it (sent_at)",
          "relay claim -> broker POSTs it",
          "broker POST -> handler transaction start",
          "handler transaction start -> commit seen")


def handler_latency(bench: Bench) -> str:
    """Outbox commit -> handler commit at a steady rate, through the local runtime."""
    options = bench.options
    print(f"\nOutbox commit -> handler commit: {options.rate:g} events/s for {options.seconds:g} s on "
          f"{options.skus} SKUs, one transaction per event; relay (poll {RELAY_POLL_S * 1000:.0f} ms, its "
          f"default) -> RabbitMQ -> local broker -> activator -> {HANDLER}")
    load = os.getloadavg()
    print(f"(load average before: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} on {os.cpu_count()} cores: "
          "other work on the machine shows in the tail)")
    domain_url = role_url(bench.admin_url, LATENCY_DOMAIN)
    with children_log(), local_runtime(bench.admin_url, bench.amqp_url) as runtime, \
            InboxWatcher(domain_url) as watcher:
        producer = StockProducer(domain_url, options.skus, watcher)
        try:
            started = time.perf_counter()
            warm = [producer.send(i, validate=True) for i in range(options.warmup)]
            if not watcher.wait([s.id for s in warm], 60):
                raise RuntimeError(f"the {options.warmup} warm-up events were not handled within 60 s "
                                   f"(watcher: {watcher.error!r}, relay: {runtime.relay_errors!r})")
            warm_s = time.perf_counter() - started
            sent, elapsed, lag = producer.steady(options.rate, options.seconds)
            drained = watcher.wait([s.id for s in sent], options.drain)
        finally:
            producer.close()
        if watcher.error is not None or runtime.relay_errors:
            raise RuntimeError(f"watcher: {watcher.error!r}, relay: {runtime.relay_errors!r}")
        relay_stats = dict(runtime.relay.stats)
        history = {r.event_id: r for r in runtime.broker.history() if r.trigger == HANDLER}
        seen = dict(watcher.seen)
        polls, watch_cpu = watcher.polls, watcher.cpu_s

    ids = [s.id for s in sent]
    with bench.admin.connect() as conn:
        outbox = {r[0]: (epoch(r[1]), epoch(r[2])) for r in conn.execute(text(
            f"SELECT id::text, created_at, sent_at FROM {LATENCY_DOMAIN}.outbox "
            "WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids})}
        inbox = {r[0]: (epoch(r[1]), r[2]) for r in conn.execute(text(
            f"SELECT id, received_at, status FROM {LATENCY_DOMAIN}.inbox "
            "WHERE consumer = :consumer AND source = :source AND id = ANY(CAST(:ids AS text[]))"),
            {"consumer": HANDLER, "source": PRODUCER_SOURCE, "ids": ids})}

    upper, lower, to_start, answered = [], [], [], []
    stages: dict[str, list[float]] = {name: [] for name in STAGES}
    for event in sent:
        if event.id not in seen or event.id not in inbox:
            continue
        created, claimed = outbox[event.id]
        received = inbox[event.id][0]
        not_yet, visible = seen[event.id]
        upper.append(visible - created)
        lower.append(max(not_yet, received) - event.committed)
        to_start.append(received - created)
        dispatched = runtime.dispatched.get(event.id)
        if dispatched is not None and event.id in history:
            answered.append(history[event.id].at - dispatched)
        points = [created, claimed, dispatched, received, visible]
        for name, a, b in zip(STAGES, points, points[1:]):
            if a is not None and b is not None:
                stages[name].append(b - a)

    missing = [i for i in ids if i not in seen]
    rejected = sum(1 for i in ids if i in inbox and inbox[i][1] != "processed")
    not_acked = sum(1 for i in ids if i in history and history[i].result != "acked")
    retried = sum(1 for i in ids if i in history and history[i].attempts > 1)
    rows = [["commit -> handler commit (upper bound, reported)", *ms_stats(upper)],
            ["commit -> handler commit (lower bound)", *ms_stats(lower)],
            ["commit -> handler transaction start (received_at)", *ms_stats(to_start)],
            ["where the time goes (upper bound, by stage):", "", "", "", "", ""]]
    rows += [[f"  {name}", *ms_stats(values)] for name, values in stages.items()]
    rows += [["  (apart: broker POST -> handler's answer, one request)", *ms_stats(answered)]]
    print(table(["measure (ms)", "events", "p50", "p95", "p99", "max"], rows, left=1))
    tx = [s.tx_ms for s in sent]
    print(f"produced {len(sent):,} events in {elapsed:.2f} s ({len(sent) / elapsed:.1f}/s; worst lag behind "
          f"schedule {lag * 1000:.1f} ms); producer transactions p50 {percentile(tx, 50):.2f} ms, "
          f"p99 {percentile(tx, 99):.2f} ms")
    print(f"warm-up: {options.warmup} events handled in {warm_s:.2f} s (includes the handler's cold start); "
          f"relay: {relay_stats['batches']:,} batches in all; inbox watcher: {polls:,} polls, "
          f"{watch_cpu:.2f} s CPU in this process")
    print(f"handled {len(ids) - len(missing):,} of {len(ids):,}"
          f"{'' if drained else f' within {options.drain:g} s of the last one'}; missing {len(missing)}, "
          f"rejected {rejected}, not acked by the broker {not_acked}, retried {retried}")
    p99 = percentile(upper, 99)
    verdict = "met" if upper and not missing and p99 < TARGET_P99_MS / 1000 else "MISSED"
    rate_note = "" if options.rate == 200 else f" (this run: {options.rate:g} events/s)"
    line = (f"target: p99 < {TARGET_P99_MS:.0f} ms at 200 events/s{rate_note} -> p99 {p99 * 1000:.1f} ms"
            f"{f', {len(missing)} missing' if missing else ''}, {verdict}")
    print(line)
    return line


SECTIONS: dict[str, Callable[[Bench], str]] = {"throughput": relay_throughput, "latency": handler_latency}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="outbox rows to relay")
    parser.add_argument("--subjects", type=int, default=500, help="aggregates the events are spread over")
    parser.add_argument("--batch", type=int, default=500, help="relay batch size")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the relay run")
    parser.add_argument("--rate", type=float, default=200, help="latency: events per second")
    parser.add_argument("--seconds", type=float, default=10, help="latency: how long to produce")
    parser.add_argument("--skus", type=int, default=50, help="latency: SKUs the events are spread over")
    parser.add_argument("--warmup", type=int, default=20, help="latency: events sent (and not counted) first")
    parser.add_argument("--drain", type=float, default=30,
                        help="latency: longest wait for the last events (s)")
    parser.add_argument("--only", choices=sorted(SECTIONS), help="run one section")
    options = parser.parse_args()
    sigterm_as_interrupt()
    sections = [options.only] if options.only else list(SECTIONS)
    with seeded_database("events", seed=False) as admin_url, bench_broker(AMQP_URL) as (exchange, queue):
        domain_url = role_url(admin_url, DOMAIN)
        if "throughput" in sections:
            write_events(domain_url, options.events, options.subjects)
        bench = Bench(admin_url, domain_url, AMQP_URL, exchange, queue, options)
        try:
            lines = [SECTIONS[name](bench) for name in sections]
        finally:
            bench.admin.dispose()
    if len(lines) > 1:
        print("\nSummary")
        for line in lines:
            print(f"  {line}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (the database, exchanges, queues and function processes were removed)")
