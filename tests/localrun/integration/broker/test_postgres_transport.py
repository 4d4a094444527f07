"""The Postgres transport's queues: claims, order, requeues, dead letters (no HTTP, no RabbitMQ).

Each test gets a scratch database of its own; the subscriber is a FakeSender-like stub behind
the real Dispatcher, so the retry and dead-letter rules are the ones RabbitMQ's path uses.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from localrun.broker.delivery import Outcome, Sender
from localrun.broker.dispatcher import Dispatcher
from localrun.broker.message import json_data, new_event
from localrun.broker.postgres.consumer import PgTriggerConsumer
from localrun.broker.postgres.schema import topic_regex
from localrun.broker.postgres.transport import PostgresTransport
from localrun.broker.resources import Delivery, Destination, Trigger
from localrun.broker.transport import ReplayError, Topology
from localrun.dev.scratch import scratch_database
from tests.conftest import ADMIN_URL
from tests.e2e.conftest import wait_until

TYPE = "com.ecom.tests.thing.happened"
SUBSCRIBER = Destination("function", "fn", "shop")
SINK = Destination("service", "dead-letter-sink", "shop")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with scratch_database(ADMIN_URL, "pgqueue") as url:
        yield url


@pytest.fixture
def transport(database) -> Iterator[PostgresTransport]:
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    transport = PostgresTransport(database, Topology(f"{prefix}.events", prefix), poll_interval=0.01,
                                  requeue_delay=0.2, max_workers=4)  # a Trigger's parallelism, up to 4
    yield transport
    transport.close()


def trigger(name: str = "t", parallelism: int = 1, delivery: Delivery | None = None, **filter_) -> Trigger:
    return Trigger(name, "shop", "default", filter_ or {"type": TYPE}, SUBSCRIBER, delivery, parallelism)


def publish(transport: PostgresTransport, n: int, type_: str = TYPE, **data) -> list[str]:
    ids = []
    for i in range(n):
        event = new_event(type_, "/tests", json_data({"n": i, **data}), "application/json")
        transport.publish(event)
        ids.append(event.id)
    return ids


class Consuming:
    """Runs consumers of a transport until the block ends."""

    def __init__(self, transport, handle, *triggers: Trigger, copies: int = 1) -> None:
        self.stopping = threading.Event()
        self.consumers = [transport.consumer(t, handle, self.stopping) for t in triggers for _ in range(copies)]

    def __enter__(self):
        for consumer in self.consumers:
            consumer.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for consumer in self.consumers:
            consumer.join(10)


def deliveries(transport: PostgresTransport, queue: str) -> list[tuple]:
    with transport.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT m.attributes->>'id', d.state, d.attempts, d.next_attempt_at > now() "
            "FROM localbroker.deliveries d JOIN localbroker.messages m ON m.id = d.message_id "
            "WHERE d.queue = :q ORDER BY d.id"), {"q": queue})]


def test_topic_patterns_route_like_rabbitmq():
    import re

    cases = [("#", "a.b", True), ("a.*", "a.b", True), ("a.*", "a.b.c", False), ("a.#", "a", True),
             ("a.#", "a.b.c", True), ("#.c", "a.b.c", True), ("a.b", "a.bb", False), ("x-y.z", "x-y.z", True)]
    for pattern, key, routed in cases:
        assert bool(re.match(topic_regex(pattern), key)) is routed, (pattern, key)


def test_events_are_routed_only_to_the_queues_bound_to_their_type(transport):
    main, everything = trigger("main"), trigger("all", type="")
    transport.declare([main, everything])
    transport.declare([main, everything])  # idempotent
    mine = publish(transport, 2)
    other = publish(transport, 1, "com.ecom.tests.other.thing")
    assert [d[0] for d in deliveries(transport, transport.topology.trigger_queue("main"))] == mine
    assert [d[0] for d in deliveries(transport, transport.topology.trigger_queue("all"))] == mine + other


def test_two_consumers_never_get_the_same_delivery(transport):
    t = trigger(parallelism=4)
    transport.declare([t])
    ids = publish(transport, 200)
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def handle(_trigger, event):
        with lock:
            seen[event.id] += 1
        time.sleep(0.001)
        return "acked"

    with Consuming(transport, handle, t, copies=2):  # 2 consumers × 4 workers on one queue
        assert wait_until(lambda: sum(seen.values()) >= len(ids), 20)
        time.sleep(0.2)
    assert set(seen) == set(ids) and set(seen.values()) == {1}
    assert {d[1] for d in deliveries(transport, transport.topology.trigger_queue("t"))} == {"acked"}


def test_a_claimed_delivery_is_locked_until_it_is_settled(transport):
    t = trigger(parallelism=2)
    transport.declare([t])
    first, second = publish(transport, 2)
    a = PgTriggerConsumer(t, transport, lambda *_: "acked", threading.Event())
    engine = create_engine(transport.url)
    try:
        with engine.connect() as one, engine.connect() as two:
            assert one.execute(a._claim, {"q": a.queue, "limit": 1}).first()[2].find(first) >= 0
            assert two.execute(a._claim, {"q": a.queue, "limit": 1}).first()[2].find(second) >= 0
            three = engine.connect()
            assert three.execute(a._claim, {"q": a.queue, "limit": 1}).first() is None  # both held
            one.rollback()  # a consumer that dies: its delivery is free again
            assert three.execute(a._claim, {"q": a.queue, "limit": 1}).first()[2].find(first) >= 0
            three.close()
    finally:
        engine.dispose()


def test_parallelism_one_is_fifo_even_through_requeues(transport):
    t = trigger(parallelism=1)
    transport.declare([t])
    ids = publish(transport, 10)
    order: list[str] = []
    failed: set[str] = set()

    def handle(_trigger, event):
        order.append(event.id)
        if event.id == ids[3] and event.id not in failed:
            failed.add(event.id)
            raise RuntimeError("the dead-letter queue is down")  # requeued, 0.2 s later
        return "acked"

    with Consuming(transport, handle, t):
        assert wait_until(lambda: len(order) >= 11, 10)
    assert order == [*ids[:4], ids[3], *ids[4:]]


def test_a_requeued_delivery_waits_for_its_next_attempt(transport):
    t = trigger(parallelism=2)
    transport.declare([t])
    event_id, = publish(transport, 1)
    calls: list[float] = []

    def handle(_trigger, event):
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("boom")
        return "acked"

    with Consuming(transport, handle, t):
        assert wait_until(lambda: deliveries(transport, transport.topology.trigger_queue("t"))[0][2] == 1, 5)
        _, state, attempts, later = deliveries(transport, transport.topology.trigger_queue("t"))[0]
        if state == "pending":
            assert later  # next_attempt_at is in the future
        assert wait_until(lambda: len(calls) == 2, 5)
    assert calls[1] - calls[0] >= 0.19  # requeue_delay
    assert deliveries(transport, transport.topology.trigger_queue("t")) == [(event_id, "acked", 2, False)]


class StatusSender(Sender):
    """Answers the statuses an event's data asks for, attempt by attempt, and records the times."""

    def __init__(self, transport) -> None:
        super().__init__(None, transport)
        self.attempts: dict[str, list[float]] = {}

    def send(self, dest, event, timeout=None):
        import json

        if dest.kind == "broker":
            return super().send(dest, event, timeout)
        times = self.attempts.setdefault(event.id, [])
        times.append(time.monotonic())
        answers = json.loads(event.data).get("answer") or [200]
        status = answers[len(times) - 1] if len(times) <= len(answers) else 200
        return Outcome(status, f"status {status}".encode())


def dispatching(transport, t: Trigger):
    sender = StatusSender(transport)
    stopping = threading.Event()
    dispatcher = Dispatcher(sender, transport, stopping)
    consumer = transport.consumer(t, dispatcher.handle, stopping)
    return sender, dispatcher, consumer, stopping


def test_retries_follow_the_triggers_backoff_then_the_delivery_is_acked(transport):
    t = trigger(delivery=Delivery(3, "exponential", 0.05, SINK))
    transport.declare([t])
    sender, dispatcher, consumer, stopping = dispatching(transport, t)
    event_id, = publish(transport, 1, answer=[500, 500, 500, 200])
    consumer.start()
    try:
        assert wait_until(lambda: [r.result for r in dispatcher.history()] == ["acked"], 10)
    finally:
        stopping.set()
        consumer.join(10)
    times = sender.attempts[event_id]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(times) == 4 and gaps[0] >= 0.09 and gaps[1] >= 0.19 and gaps[2] >= 0.39  # 0.1, 0.2, 0.4 s
    assert deliveries(transport, transport.topology.trigger_queue("t")) == [(event_id, "acked", 1, False)]


def test_a_400_is_dead_lettered_and_replay_brings_it_back(transport):
    t = trigger(delivery=Delivery(3, "exponential", 0.05, SINK))
    transport.declare([t])
    sender, dispatcher, consumer, stopping = dispatching(transport, t)
    event_id, = publish(transport, 1, answer=[400])
    consumer.start()
    try:
        assert wait_until(lambda: [r.result for r in dispatcher.history()] == ["dead-lettered"], 10)
        assert len(sender.attempts[event_id]) == 1
        dead, = transport.read_dead_letters()
        assert dead.id == event_id and dead.attributes["knativeerrorcode"] == "400"
        assert dead.attributes["knativeerrordata"] == "status 400"
        assert transport.read_dead_letters()[0].id == event_id  # reading changes nothing
        replayed, = transport.replay_dead_letters(event_id)
        assert not any(k.startswith("knativeerror") for k in replayed.attributes)
        assert wait_until(lambda: [r.result for r in dispatcher.history()] == ["dead-lettered", "acked"], 10)
        assert transport.read_dead_letters() == []
    finally:
        stopping.set()
        consumer.join(10)
    states = [d[1] for d in deliveries(transport, transport.topology.trigger_queue("t"))]
    assert states == ["dead-lettered", "acked"]


def test_a_dead_letter_no_queue_would_take_stays(transport):
    t = trigger()
    transport.declare([t])
    stray = new_event("com.ecom.tests.nobody.listens", "/tests", b"{}", "application/json",
                      knativeerrorcode="400")
    transport.dead_letter(stray)
    with pytest.raises(ReplayError):
        transport.replay_dead_letters()
    assert [e.id for e in transport.read_dead_letters()] == [stray.id]


def test_exhausted_retries_are_dead_lettered(transport):
    t = trigger(delivery=Delivery(2, "linear", 0.01, SINK))
    transport.declare([t])
    sender, dispatcher, consumer, stopping = dispatching(transport, t)
    event_id, = publish(transport, 1, answer=[503, 503, 503])
    consumer.start()
    try:
        assert wait_until(lambda: [r.result for r in dispatcher.history()] == ["dead-lettered"], 10)
    finally:
        stopping.set()
        consumer.join(10)
    assert len(sender.attempts[event_id]) == 3
    assert transport.read_dead_letters()[0].attributes["knativeerrorcode"] == "503"


def test_a_domain_role_may_publish_but_not_read_the_queues(transport):
    from schemas.migrate import role_url

    transport.declare([trigger()])
    engine = create_engine(role_url(transport.url, "accounts"))
    try:
        with engine.begin() as conn:
            routed = conn.execute(text("SELECT localbroker.publish(:ex, :key, '{}'::jsonb, ''::bytea, false)"),
                                  {"ex": transport.topology.exchange, "key": TYPE}).scalar()
        assert routed == 1
        with engine.connect() as conn, pytest.raises(Exception, match="permission denied"):
            conn.execute(text("SELECT * FROM localbroker.deliveries"))
    finally:
        engine.dispose()


def test_an_idle_consumer_wakes_on_publish_not_at_its_poll_interval(database):
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    slow = PostgresTransport(database, Topology(f"{prefix}.events", prefix), poll_interval=30.0)
    t = trigger(parallelism=2)
    slow.declare([t])
    handled: dict[str, float] = {}

    def handle(_trigger, event):
        handled[event.id] = time.monotonic()
        return "acked"

    try:
        with Consuming(slow, handle, t) as consuming:
            assert all(c.connected.wait(5) for c in consuming.consumers)
            time.sleep(0.3)  # every worker found nothing and waits
            for _ in range(3):
                published = time.monotonic()
                event_id, = publish(slow, 1)
                assert wait_until(lambda: event_id in handled, 5)
                assert handled[event_id] - published < 2.0  # far below the 30 s poll
                time.sleep(0.2)
    finally:
        slow.close()
    assert {d[1] for d in deliveries(slow, slow.topology.trigger_queue("t"))} == {"acked"}


def test_a_batch_is_settled_together_and_each_delivery_once(transport):
    t = trigger(parallelism=1)
    transport.declare([t])
    ids = publish(transport, 20)  # more than one claim's worth
    order: list[str] = []

    with Consuming(transport, lambda _t, event: order.append(event.id) or "acked", t):
        assert wait_until(lambda: len(order) >= len(ids), 10)
        time.sleep(0.1)
    assert order == ids
    assert deliveries(transport, transport.topology.trigger_queue("t")) == [(i, "acked", 1, False) for i in ids]


def test_queue_depths_count_the_pending_deliveries_of_each_queue(transport):
    main, other = trigger("main"), trigger("other", type="com.ecom.tests.other.thing")
    transport.declare([main, other])
    publish(transport, 3)
    publish(transport, 1, "com.ecom.tests.other.thing")
    queues = [transport.topology.trigger_queue(n) for n in ("main", "other")]
    missing = f"{transport.topology.prefix}.trigger.never-declared"
    dead = transport.topology.dead_letter_queue
    assert transport.queue_depths([*queues, dead, missing]) == {queues[0]: 3, queues[1]: 1, dead: 0, missing: None}
    event_id = deliveries(transport, queues[0])[0][0]
    with transport.engine.begin() as conn:  # one delivered (acked): it no longer waits
        conn.execute(text("UPDATE localbroker.deliveries SET state = 'acked' WHERE id = (SELECT d.id FROM "
                          "localbroker.deliveries d JOIN localbroker.messages m ON m.id = d.message_id "
                          "WHERE d.queue = :q AND m.attributes->>'id' = :e)"), {"q": queues[0], "e": event_id})
    assert transport.queue_depths(queues)[queues[0]] == 2
