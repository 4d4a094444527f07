"""Event backbone benchmarks: the outbox relay's throughput with publisher confirms.

Relay throughput: N outbox rows (20,000 by default, on 500 aggregates) pending in a scratch
database; the relay (functions/runtime/relay) sends them all to a durable topic exchange bound to
one durable queue (so every message is routed and persisted, as in production), waiting for the
broker's confirms and marking rows sent, batch after batch. Measured against a baseline taken in
the same run: raw pika publishing the *same* messages with the same confirm strategy and no
database. Both confirm strategies are measured (see publisher.py): "stream" (what the relay
uses: a batch, then one wait for its confirms) and "each" (pika's public API: one wait per
message). Target: relay "stream" at least 6,000 msg/s on this machine.

Every section takes the same `Bench` (database, broker, exchange, queue) and prints its own
table; `bench_broker`, `write_events`, `reset_outbox` and `purge` are the building blocks for
further measurements (such as outbox commit → handler commit latency).

Usage: .venv/bin/python bench/events.py [--events 20000] [--batch 500] [--profile]
Everything made (database, exchange, queue) is removed at the end, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pika
from _common import seeded_database, sigterm_as_interrupt, table
from sqlalchemy import Engine, create_engine, insert, text

from functions.runtime.jsonio import plain
from functions.runtime.outbox import outbox_table
from functions.runtime.relay import ConfirmingPublisher, OutboxRow, Relay, row_to_message
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
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        channel = connection.channel()
        channel.queue_delete(queue)
        channel.exchange_delete(exchange)
        connection.close()


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


def relay_throughput(bench: Bench) -> None:
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
    print(f"target: relay at least {TARGET_MSG_S:,} msg/s with confirms -> "
          f"{relay_rate:,.0f} msg/s, {verdict}")
    if bench.options.profile:
        purge(bench.amqp_url, bench.queue)
        reset_outbox(bench)
        _, seconds, report = timed(lambda: relay_all(bench, "stream"), profile=True)
        print(f"\nProfile of one more relay run (stream; {seconds:.2f} s under the profiler), by own time:")
        print(report)


SECTIONS: list[Callable[[Bench], None]] = [relay_throughput]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000, help="outbox rows to relay")
    parser.add_argument("--subjects", type=int, default=500, help="aggregates the events are spread over")
    parser.add_argument("--batch", type=int, default=500, help="relay batch size")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the relay run")
    options = parser.parse_args()
    sigterm_as_interrupt()
    with seeded_database("events", seed=False) as admin_url, bench_broker(AMQP_URL) as (exchange, queue):
        domain_url = role_url(admin_url, DOMAIN)
        write_events(domain_url, options.events, options.subjects)
        bench = Bench(admin_url, domain_url, AMQP_URL, exchange, queue, options)
        try:
            for section in SECTIONS:
                section(bench)
        finally:
            bench.admin.dispose()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (the database, exchange and queue were removed)")
