"""The outbox relay against real RabbitMQ and Postgres: format, confirms, failures, concurrency."""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import timezone

import pytest
from sqlalchemy import text

from functions.runtime.relay import BrokerError, Relay, message_to_cloudevent
from tests.integration.events.conftest import (
    AMQP_URL,
    EVENT_TYPE,
    SOURCE,
    Forwarder,
    consume,
    free_port,
    running,
)

FAST = {"poll_interval": 0.02, "backoff_initial": 0.05, "backoff_max": 0.5}


def make_relay(accounts_url: str, exchange: str, amqp_url: str = AMQP_URL, **options) -> Relay:
    return Relay("accounts", accounts_url, amqp_url, exchange, **(FAST | options))


def event_ids(messages) -> list[uuid.UUID]:
    return [uuid.UUID(props.message_id) for props, _ in messages]


def assert_order_per_subject(messages, rows) -> None:
    """Each subject's events, first occurrences only, arrive in seq order."""
    seq = {r["id"]: r["seq"] for r in rows}
    seen: set[uuid.UUID] = set()
    arrived: dict[str, list[int]] = defaultdict(list)
    for props, _ in messages:
        event_id = uuid.UUID(props.message_id)
        if event_id not in seen:
            seen.add(event_id)
            arrived[props.headers["ce-subject"]].append(seq[event_id])
    for subject, seqs in arrived.items():
        assert seqs == sorted(seqs), f"{subject} out of order: {seqs}"


class Writer(threading.Thread):
    """Appends events (random subjects, `per_tx` per transaction) until `total` are written."""

    def __init__(self, outbox, total: int, subjects: list[str], per_tx: int = 10, pause: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.outbox, self.total, self.subjects = outbox, total, subjects
        self.per_tx, self.pause = per_tx, pause
        self.error: BaseException | None = None

    def run(self) -> None:
        rnd = random.Random(7)
        try:
            for _ in range(0, self.total, self.per_tx):
                self.outbox.write([rnd.choice(self.subjects) for _ in range(self.per_tx)])
                if self.pause:
                    time.sleep(self.pause)
        except BaseException as exc:  # noqa: BLE001
            self.error = exc

    def finish(self, timeout: float = 30) -> None:
        self.join(timeout)
        assert not self.is_alive() and self.error is None, self.error


def test_rows_go_out_as_persistent_binary_cloudevents_then_are_marked_sent(
        outbox, accounts_url, events_exchange, bind_queue):
    everything = bind_queue("#")
    accounts_only = bind_queue("com.ecom.accounts.#")
    orders_only = bind_queue("com.ecom.orders.#")
    ids = outbox.write(["user-a", "user-b", "user-a"])
    relay = make_relay(accounts_url, events_exchange)
    try:
        assert relay.relay_once() == 3
        assert relay.relay_once() == 0
    finally:
        relay.close()

    rows = outbox.rows()
    assert [r["id"] for r in rows] == ids and all(r["sent_at"] is not None for r in rows)
    messages = consume(everything, 3)
    assert len(consume(accounts_only, 3)) == 3 and consume(orders_only, 0) == []  # routed on the type
    assert event_ids(messages) == ids
    for (props, body), row in zip(messages, rows):
        time_text = row["created_at"].astimezone(timezone.utc).isoformat(timespec="microseconds")
        assert props.headers == {
            "ce-specversion": "1.0", "ce-id": str(row["id"]), "ce-type": EVENT_TYPE,
            "ce-source": SOURCE, "ce-subject": row["subject"], "ce-time": time_text.replace("+00:00", "Z"),
            "ce-dataschema": f"https://ecom.example/events/schemas/{EVENT_TYPE}.json",
            "ce-datacontenttype": "application/json"}
        assert props.delivery_mode == 2 and props.content_type == "application/json"
        assert props.message_id == str(row["id"]) and props.type == EVENT_TYPE
        assert props.timestamp == int(row["created_at"].timestamp())
        assert json.loads(body) == row["data"]
        event = message_to_cloudevent(props, body)
        assert event == {**{k.removeprefix("ce-"): v for k, v in props.headers.items()}, "data": row["data"]}

    # The same headers are a valid binary-mode CloudEvent for the CloudEvents SDK as well.
    from cloudevents.http import from_http

    props, body = messages[0]
    parsed = from_http({**props.headers, "content-type": props.content_type}, body)
    assert parsed["id"] == str(ids[0]) and parsed["subject"] == "user-a" and parsed.data == rows[0]["data"]


def test_rows_the_broker_nacks_stay_pending_and_go_out_later(outbox, accounts_url, events_exchange, bind_queue):
    # A queue that holds 5 messages and makes the broker nack any more: a real partial nack. The
    # relay marks the whole batch while the confirms come, so the nacked rows must be unmarked.
    queue = bind_queue("#", {"x-max-length": 5, "x-overflow": "reject-publish"})
    ids = outbox.write(["a", "b", "a", "b", "c", "a", "c", "b"])
    relay = make_relay(accounts_url, events_exchange)
    try:
        with pytest.raises(BrokerError, match="nacked 3 of 8"):
            relay.relay_once()
        assert [r["sent_at"] is not None for r in outbox.rows()] == [True] * 5 + [False] * 3
        assert event_ids(consume(queue, 5)) == ids[:5]  # room again
        assert relay.relay_once() == 3
    finally:
        relay.close()
    assert outbox.pending() == 0
    assert event_ids(consume(queue, 3)) == ids[5:]


def test_routing_key_is_the_event_type(outbox, accounts_url, events_exchange, bind_queue):
    registered = bind_queue(EVENT_TYPE)
    other = bind_queue("com.ecom.accounts.user.deleted")
    outbox.write(["u1"])
    outbox.write(["u2"], event_type="com.ecom.accounts.user.deleted")
    relay = make_relay(accounts_url, events_exchange)
    try:
        relay.drain()
    finally:
        relay.close()
    assert [p.headers["ce-subject"] for p, _ in consume(registered, 1)] == ["u1"]
    assert [p.headers["ce-subject"] for p, _ in consume(other, 1)] == ["u2"]


def test_unreachable_broker_marks_nothing_and_everything_goes_once_it_is_back(
        outbox, accounts_url, events_exchange, bind_queue):
    queue = bind_queue()
    ids = outbox.write([f"user-{i % 3}" for i in range(30)])
    port = free_port()
    relay = make_relay(accounts_url, events_exchange, f"amqp://guest:guest@127.0.0.1:{port}/%2F")
    with pytest.raises(BrokerError):
        relay.relay_once()
    assert outbox.pending() == 30

    forwarder = Forwarder(port)
    try:
        with running(relay):
            time.sleep(0.5)  # failing, backing off, marking nothing
            assert outbox.pending() == 30 and relay.stats["broker_failures"] >= 2
            forwarder.start()  # the broker is back
            outbox.wait_until_all_sent(10)
    finally:
        forwarder.stop()
    assert event_ids(consume(queue, 30)) == ids


def test_broker_restart_while_publishing_loses_nothing_and_keeps_each_aggregate_in_order(
        outbox, accounts_url, events_exchange, bind_queue):
    queue = bind_queue()
    subjects = [f"cart-{i}" for i in range(20)]
    for _ in range(10):  # a backlog, so that the broker stops in the middle of a stream of batches
        outbox.write([random.choice(subjects) for _ in range(400)])
    writer = Writer(outbox, total=1000, subjects=subjects, per_tx=20, pause=0.01)
    relay = make_relay(accounts_url, events_exchange, batch_size=50)
    with running(relay):
        writer.start()
        while outbox.pending() > 3000:  # publishing is under way
            time.sleep(0.01)
        try:
            subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=60)
            time.sleep(0.5)
        finally:
            subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)
        writer.finish()
        outbox.wait_until_all_sent(30)
    assert relay.stats["broker_failures"] >= 1
    rows = outbox.rows()
    messages = consume(queue, len(rows), timeout=30)
    assert set(event_ids(messages)) == {r["id"] for r in rows}  # nothing lost (duplicates allowed)
    assert_order_per_subject(messages, rows)


def test_database_connection_killed_mid_run_recovers(
        outbox, accounts_url, events_exchange, bind_queue, admin_engine):
    queue = bind_queue()
    killed: list[list[uuid.UUID]] = []

    def kill_own_backend(rows) -> None:  # between the confirm and the mark, once
        if not killed:
            killed.append([r.id for r in rows])
            with admin_engine.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": relay.backend_pid})

    relay = make_relay(accounts_url, events_exchange, batch_size=50, after_confirm=kill_own_backend)
    writer = Writer(outbox, total=1500, subjects=[f"order-{i}" for i in range(30)], per_tx=15, pause=0.005)
    with running(relay):
        writer.start()
        for _ in range(3):  # and at random moments, by application name, as an operator would
            time.sleep(0.15)
            with admin_engine.connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE application_name = :name"), {"name": relay.application_name})
        writer.finish()
        outbox.wait_until_all_sent(20)
    assert relay.stats["db_failures"] >= 1
    rows = outbox.rows()
    messages = consume(queue, len(rows))
    counts = Counter(event_ids(messages))
    assert set(counts) == {r["id"] for r in rows}
    assert all(counts[i] >= 2 for i in killed[0])  # published, not marked: sent again
    assert_order_per_subject(messages, rows)


class SimulatedCrash(Exception):
    pass


def test_relay_killed_between_publish_and_mark_sends_again(outbox, accounts_url, events_exchange, bind_queue):
    queue = bind_queue()
    ids = outbox.write(["user-a", "user-b", "user-a", "user-c"])

    def crash(rows) -> None:
        raise SimulatedCrash("the relay died after the confirms, before marking")

    relay = make_relay(accounts_url, events_exchange, after_confirm=crash)
    with pytest.raises(SimulatedCrash):
        relay.relay_once()
    relay.close()
    assert outbox.pending() == 4  # published and confirmed, but not marked

    restarted = make_relay(accounts_url, events_exchange)
    try:
        assert restarted.relay_once() == 4
    finally:
        restarted.close()
    assert outbox.pending() == 0
    assert event_ids(consume(queue, 8)) == ids + ids  # each event twice, none lost


def test_a_subject_whose_earlier_row_another_relay_holds_waits(
        outbox, accounts_url, events_exchange, bind_queue, admin_engine):
    queue = bind_queue()
    ids = outbox.write(["held", "free", "held", "free"])
    relay = make_relay(accounts_url, events_exchange)
    try:
        with admin_engine.connect() as other_relay:  # holds the first "held" row, as a relay would
            other_relay.execute(text("BEGIN"))
            other_relay.execute(text("SELECT 1 FROM accounts.outbox WHERE id = :id FOR UPDATE"),
                                {"id": ids[0]})
            assert relay.relay_once() == 2  # "free" only: "held" #2 must not overtake #1
            other_relay.execute(text("ROLLBACK"))
        assert relay.relay_once() == 2
    finally:
        relay.close()
    assert [p.headers["ce-subject"] for p, _ in consume(queue, 4)] == ["free", "free", "held", "held"]


def test_two_relays_in_parallel_send_every_row_once_in_order_per_aggregate(
        outbox, accounts_url, events_exchange, bind_queue):
    queue = bind_queue()
    subjects = [f"agg-{i}" for i in range(50)]
    writer = Writer(outbox, total=2000, subjects=subjects, per_tx=10, pause=0.002)
    first = make_relay(accounts_url, events_exchange, batch_size=40)
    second = make_relay(accounts_url, events_exchange, batch_size=40)
    with running(first, "relay-1"), running(second, "relay-2"):
        writer.start()
        writer.finish()
        outbox.wait_until_all_sent(30)
    rows = outbox.rows()
    assert len(rows) == 2000
    messages = consume(queue, 2000)
    counts = Counter(event_ids(messages))
    assert set(counts) == {r["id"] for r in rows} and max(counts.values()) == 1  # each exactly once
    assert first.stats["sent"] + second.stats["sent"] == 2000
    assert_order_per_subject(messages, rows)


def test_the_relays_commits_do_not_wait_for_the_wal_flush(outbox, accounts_url, events_exchange, bind_queue):
    # A commit lost in a crash leaves its rows pending: they are sent again, as the test of a
    # relay killed between publish and mark shows. So the relay need not wait for the flush.
    bind_queue()
    relay = make_relay(accounts_url, events_exchange)
    try:
        outbox.write(["user-a"])
        assert relay.relay_once() == 1
        conn = relay._connection()
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
        conn.rollback()
    finally:
        relay.close()
    assert outbox.pending() == 0
