"""The outbox relay on both transports: RabbitMQ (with confirms) and the local broker's Postgres
transport (the relay's own transaction). The RabbitMQ-only failure tests are in test_relay.py."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from functions.runtime.relay import PostgresPublisher, Relay
from localrun.broker.postgres.transport import PostgresTransport
from localrun.broker.resources import Destination, Trigger
from localrun.broker.transport import Topology
from tests.e2e.conftest import wait_until
from tests.integration.events.conftest import AMQP_URL, consume, running
from tests.integration.events.test_relay import FAST, SimulatedCrash, Writer, assert_order_per_subject


class RabbitSide:
    kind = "rabbitmq"

    def __init__(self, exchange: str, bind_queue) -> None:
        self.exchange, self._bind = exchange, bind_queue

    def relay(self, accounts_url: str, **options) -> Relay:
        return Relay("accounts", accounts_url, AMQP_URL, self.exchange, **(FAST | options))

    def bind(self, pattern: str = "#") -> str:
        return self._bind(pattern)

    def received(self, queue: str, at_least: int) -> list[tuple[uuid.UUID, str]]:
        return [(uuid.UUID(p.message_id), p.headers["ce-subject"]) for p, _ in consume(queue, at_least)]


class PostgresSide:
    kind = "postgres"

    def __init__(self, database_url: str) -> None:
        prefix = f"relay-{uuid.uuid4().hex[:8]}"
        self.exchange = f"{prefix}.events"
        self.transport = PostgresTransport(database_url, Topology(self.exchange, prefix))
        self.transport.declare([])

    def relay(self, accounts_url: str, **options) -> Relay:
        return Relay("accounts", accounts_url, exchange=self.exchange,
                     publisher=PostgresPublisher(self.exchange), **(FAST | options))

    def bind(self, pattern: str = "#") -> str:
        name = f"q{uuid.uuid4().hex[:8]}"
        self.transport.declare([Trigger(name, "ns", "default", {"type": "" if pattern == "#" else pattern},
                                        Destination("url", uri="http://unused"), None)])
        return self.transport.topology.trigger_queue(name)

    def received(self, queue: str, at_least: int) -> list[tuple[uuid.UUID, str]]:
        def rows():
            with self.transport.engine.connect() as conn:
                return conn.execute(text(
                    "SELECT m.attributes->>'id', m.attributes->>'subject' FROM localbroker.deliveries d "
                    "JOIN localbroker.messages m ON m.id = d.message_id WHERE d.queue = :q ORDER BY d.id"),
                    {"q": queue}).all()
        wait_until(lambda: len(rows()) >= at_least, 10)
        return [(uuid.UUID(i), s) for i, s in rows()]


@pytest.fixture(params=["rabbitmq", "postgres"])
def side(request, relay_database) -> Iterator[RabbitSide | PostgresSide]:
    if request.param == "rabbitmq":
        yield RabbitSide(request.getfixturevalue("events_exchange"), request.getfixturevalue("bind_queue"))
    else:
        side = PostgresSide(relay_database)
        yield side
        side.transport.close()


class Message:
    """A (props, body) pair as assert_order_per_subject reads it."""

    def __init__(self, event_id: uuid.UUID, subject: str) -> None:
        self.message_id, self.headers = str(event_id), {"ce-subject": subject}


def test_rows_go_out_in_order_to_the_bound_queues_then_are_marked_sent(outbox, accounts_url, side):
    everything, accounts_only, orders_only = side.bind("#"), side.bind("com.ecom.accounts.#"), \
        side.bind("com.ecom.orders.#")
    ids = outbox.write(["user-a", "user-b", "user-a"])
    relay = side.relay(accounts_url)
    try:
        assert relay.relay_once() == 3
        assert relay.relay_once() == 0
    finally:
        relay.close()
    assert outbox.pending() == 0
    assert [i for i, _ in side.received(everything, 3)] == ids
    assert [i for i, _ in side.received(accounts_only, 3)] == ids
    assert side.received(orders_only, 0) == []


def test_relay_killed_between_publish_and_mark(outbox, accounts_url, side):
    queue = side.bind()
    ids = outbox.write(["user-a", "user-b", "user-a", "user-c"])

    def crash(rows) -> None:
        raise SimulatedCrash("the relay died after publishing, before marking")

    relay = side.relay(accounts_url, after_confirm=crash)
    with pytest.raises(SimulatedCrash):
        relay.relay_once()
    relay.close()
    assert outbox.pending() == 4
    restarted = side.relay(accounts_url)
    try:
        assert restarted.relay_once() == 4
    finally:
        restarted.close()
    assert outbox.pending() == 0
    received = [i for i, _ in side.received(queue, 8 if side.kind == "rabbitmq" else 4)]
    if side.kind == "rabbitmq":
        assert received == ids + ids  # confirmed before the crash: sent again (at least once)
    else:
        assert received == ids  # the messages rolled back with the marks: sent once


def test_two_relays_in_parallel_send_every_row_once_in_order_per_aggregate(outbox, accounts_url, side):
    queue = side.bind()
    subjects = [f"agg-{i}" for i in range(30)]
    writer = Writer(outbox, total=600, subjects=subjects, per_tx=10, pause=0.002)
    first, second = side.relay(accounts_url, batch_size=20), side.relay(accounts_url, batch_size=20)
    with running(first, "relay-1"), running(second, "relay-2"):
        writer.start()
        writer.finish()
        outbox.wait_until_all_sent(30)
    rows = outbox.rows()
    received = side.received(queue, 600)
    counts = Counter(i for i, _ in received)
    assert set(counts) == {r["id"] for r in rows} and max(counts.values()) == 1
    assert first.stats["sent"] + second.stats["sent"] == 600
    assert_order_per_subject([(Message(i, s), b"") for i, s in received], rows)


def test_before_the_local_broker_exists_the_relay_waits_and_marks_nothing(outbox, accounts_url, admin_engine):
    """Postgres only: the relay started before `localbroker.publish` exists retries, as when
    RabbitMQ is down, and sends everything once it is there."""
    with admin_engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS localbroker CASCADE"))
    outbox.write(["a", "b"])
    exchange = f"late-{uuid.uuid4().hex[:8]}.events"
    relay = Relay("accounts", accounts_url, exchange=exchange, publisher=PostgresPublisher(exchange), **FAST)
    transport = PostgresTransport(admin_engine.url.render_as_string(hide_password=False),
                                  Topology(exchange, exchange))
    try:
        with running(relay):
            assert not wait_until(lambda: outbox.pending() == 0, 0.5)
            assert relay.stats["db_failures"] >= 1
            transport.declare([Trigger("late", "ns", "default", {}, Destination("url", uri="http://x"), None)])
            outbox.wait_until_all_sent(10)
    finally:
        transport.close()
