"""The local broker end to end: real RabbitMQ, a real function process started by the activator.

Every test runs on both transports (`world` is parametrized): RabbitMQ, and the Postgres
transport in a scratch database of its own.

The test writes its own world into a temporary directory: a subscriber function that records
each CloudEvent it receives and answers the statuses the event's data asks for (by attempt),
its Knative Service, a Broker with a dead-letter sink, Triggers, a PingSource, an event
catalog and a Kong file with the ingress route. Exchange and queues get names of their own and
are deleted at the end.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent

from localrun.broker.__main__ import main as broker_cli
from localrun.broker.localbroker import LocalBroker
from localrun.broker.message import json_data, new_event
from localrun.broker.rabbitmq.amqp import DEFAULT_AMQP_URL
from localrun.dev.scratch import scratch_database
from localrun.gateway.plugins import load_gateway
from localrun.gateway.server import Gateway
from localrun.serving.activator import Activator
from localrun.serving.manifests import load_services
from tests.conftest import ADMIN_URL
from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
AMQP_URL = os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL
NS = "ecom-test"
MAIN = "com.ecom.tests.thing.happened"
SEQUENCE = "com.ecom.tests.step.taken"
PARALLEL = "com.ecom.tests.job.queued"
UNBOUND = "com.ecom.tests.nobody.listens"
SUBSCRIBER_URL = f"http://test-subscriber.{NS}.svc.cluster.local"

SUBSCRIBER = '''
import fcntl, json, os, time
import functions_framework

@functions_framework.http
def receive(request):
    started = time.time()
    body = request.get_data()
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    time.sleep(float(data.get("sleep", 0)))
    with open(os.environ["RECORD_FILE"], "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        attempt = 1 + sum(1 for line in fh if json.loads(line)["id"] == headers.get("ce-id"))
        answers = data.get("answer") or [200]
        status = answers[attempt - 1] if attempt <= len(answers) else 200
        fh.write(json.dumps({"id": headers.get("ce-id"), "attempt": attempt, "status": status,
                             "headers": headers, "body": body.decode(), "path": request.path,
                             "started": started, "ended": time.time()}) + "\\n")
    return f"status {status}", status
'''

MANIFESTS = f'''
apiVersion: eventing.knative.dev/v1alpha1
kind: RabbitmqBrokerConfig
metadata: {{name: test-broker, namespace: {NS}}}
spec:
  rabbitmqClusterReference: {{name: test-rabbitmq, namespace: {NS}}}
  queueType: quorum
---
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: {NS}
  annotations: {{eventing.knative.dev/broker.class: RabbitMQBroker}}
spec:
  config: {{apiVersion: eventing.knative.dev/v1alpha1, kind: RabbitmqBrokerConfig, name: test-broker}}
  delivery:
    retry: 3
    backoffPolicy: exponential
    backoffDelay: PT0.05S
    deadLetterSink:
      ref: {{apiVersion: v1, kind: Service, name: dead-letter-sink}}
---
apiVersion: v1
kind: Service
metadata: {{name: dead-letter-sink, namespace: {NS}}}
spec:
  ports: [{{port: 80}}]
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {{name: test-subscriber, namespace: {NS}}}
spec:
  template:
    metadata:
      annotations: {{autoscaling.knative.dev/min-scale: "0"}}
    spec:
      containers:
        - image: test
          env:
            - {{name: FUNCTION_SOURCE, value: subscriber.py}}
            - {{name: FUNCTION_TARGET, value: receive}}
            - {{name: RECORD_FILE, value: "$(RECORD_DIR)/received.jsonl"}}
            - {{name: RECORD_DIR, value: unused}}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata: {{name: main, namespace: {NS}}}
spec:
  broker: default
  filter: {{attributes: {{type: {MAIN}, source: /tests/main}}}}
  subscriber: {{ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: test-subscriber}}}}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: sequence
  namespace: {NS}
  annotations: {{rabbitmq.eventing.knative.dev/parallelism: "1"}}
spec:
  broker: default
  filter: {{attributes: {{type: {SEQUENCE}}}}}
  subscriber: {{ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: test-subscriber}}}}
  delivery: {{retry: 2, backoffPolicy: linear, backoffDelay: PT0.05S}}
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: parallel
  namespace: {NS}
  annotations: {{rabbitmq.eventing.knative.dev/parallelism: "4"}}
spec:
  broker: default
  filter: {{attributes: {{type: {PARALLEL}}}}}
  subscriber: {{ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: test-subscriber}}}}
---
apiVersion: sources.knative.dev/v1
kind: PingSource
metadata: {{name: tick, namespace: {NS}}}
spec:
  schedule: "* * * * *"
  contentType: application/json
  data: '{{"answer": [200]}}'
  sink: {{ref: {{apiVersion: serving.knative.dev/v1, kind: Service, name: test-subscriber}}}}
'''

KONG = f'''
_format_version: "3.0"
services:
  - name: broker-ingress
    url: http://default-broker-ingress.{NS}.svc.cluster.local
    routes:
      - name: events-ingress
        paths: [/events]
        methods: [POST]
'''

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False,
    "properties": {"answer": {"type": "array", "items": {"type": "integer", "minimum": 100, "maximum": 599}},
                   "n": {"type": "integer"}, "sleep": {"type": "number", "maximum": 2}},
}


PRODUCER = "producer-tests"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now


class World:
    """The running pieces and helpers to publish events and read what the subscriber received."""

    def __init__(self, root: Path, broker: LocalBroker, activator: Activator, gateway: Gateway,
                 clock: FakeClock) -> None:
        self.root, self.broker, self.activator = root, broker, activator
        self.gateway, self.clock = gateway, clock

    def publish(self, type_: str = MAIN, source: str = "/tests/main", **data: object) -> str:
        subject = f"s-{uuid.uuid4().hex[:6]}"
        event = new_event(type_, source, json_data(data), "application/json", subject=subject)
        self.broker.publish(event)
        return event.id

    def received(self, event_id: str | None = None) -> list[dict]:
        path = self.root / "received.jsonl"
        lines = path.read_text().splitlines() if path.exists() else []
        records = [json.loads(line) for line in lines]
        return [r for r in records if event_id is None or r["id"] == event_id]

    def wait_received(self, event_id: str, count: int = 1, seconds: float = 15) -> list[dict]:
        assert wait_until(lambda: len(self.received(event_id)) >= count, seconds), \
            f"{event_id}: received {len(self.received(event_id))} of {count}"
        return self.received(event_id)

    def result(self, event_id: str, seconds: float = 10) -> str:
        def done() -> list:
            return [r for r in self.broker.history() if r.event_id == event_id and r.result != "filtered"]
        assert wait_until(lambda: bool(done()), seconds), f"{event_id}: no outcome"
        return done()[-1].result

    def dead_letter(self, event_id: str, seconds: float = 10):
        found: list = []

        def look() -> bool:
            found[:] = [e for e in self.broker.dead_letters() if e.id == event_id]
            return bool(found)
        assert wait_until(look, seconds), f"{event_id} is not in the dead-letter queue"
        return found[0]

    def post(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.port, timeout=10)
        try:
            # This Kong file has no key-auth: the header stands in for the one key-auth sets.
            conn.request("POST", "/events", body=body, headers={**headers, "X-Consumer-Username": PRODUCER})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()


@pytest.fixture(scope="module", params=["rabbitmq", "postgres"])
def world(request, tmp_path_factory) -> Iterator[World]:
    if request.param == "postgres":
        with scratch_database(ADMIN_URL, "broker") as url:
            yield from _world(tmp_path_factory, url)
    else:
        yield from _world(tmp_path_factory, None)


def _world(tmp_path_factory, database_url: str | None) -> Iterator[World]:
    root = tmp_path_factory.mktemp("broker")
    (root / "knative").mkdir()
    (root / "knative" / "eventing.yaml").write_text(MANIFESTS.replace("$(RECORD_DIR)", str(root)))
    (root / "subscriber.py").write_text(SUBSCRIBER)
    (root / "kong.yaml").write_text(KONG)
    (root / "events" / "schemas").mkdir(parents=True)
    (root / "events" / "catalog.yaml").write_text("events:\n" + "".join(
        f"  - {{type: {t}, producers: [broker-ingress], consumers: [test-subscriber], meaning: test}}\n"
        for t in (MAIN, SEQUENCE, PARALLEL)) +
        f"outside_producers:\n  - {{name: tests, consumer: {PRODUCER}, types: [{MAIN}, {SEQUENCE}, {PARALLEL}]}}\n")
    for t in (MAIN, SEQUENCE, PARALLEL):
        (root / "events" / "schemas" / f"{t}.json").write_text(json.dumps(SCHEMA | {"$id": f"urn:{t}"}))
    suffix = uuid.uuid4().hex[:8]
    log = (root / "functions.log").open("w")
    activator = Activator(load_services(root / "knative", {}), root, idle_seconds=60, log_to=log)
    clock = FakeClock()
    os.environ["BROKER_PG_WORKERS"] = "4"  # a Trigger's parallelism, up to 4, on the Postgres transport too
    try:
        broker = LocalBroker(root, activator, AMQP_URL, exchange=f"test-{suffix}.events", prefix=f"test-{suffix}",
                             clock=clock, database_url=database_url)
    finally:
        del os.environ["BROKER_PG_WORKERS"]
    router, plugins = load_gateway(root / "kong.yaml")
    gateway = Gateway(router, activator, port=0, plugins=plugins)
    try:
        broker.start()
        gateway.start()
        gateway.add_upstream(broker.ingress_ksvc, broker.ingress_address)
        yield World(root, broker, activator, gateway, clock)
    finally:
        gateway.stop()
        broker.stop()
        broker.delete_topology()
        activator.shutdown()
        log.close()


class TestDelivery:
    def test_a_scaled_to_zero_subscriber_is_started_by_the_first_event(self, world):
        assert "test-subscriber" not in world.activator.running()
        first = world.publish()
        world.wait_received(first)
        assert world.activator.starts["test-subscriber"] == 1
        assert wait_until(lambda: world.activator.stop("test-subscriber"), 5)
        second = world.publish()
        world.wait_received(second)
        assert world.activator.starts["test-subscriber"] == 2

    def test_an_event_arrives_in_binary_mode(self, world):
        event_id = world.publish(n=7)
        record, = world.wait_received(event_id)
        h = record["headers"]
        assert (h["ce-id"], h["ce-type"], h["ce-source"], h["ce-specversion"]) == \
            (event_id, MAIN, "/tests/main", "1.0")
        assert h["content-type"] == "application/json" and "ce-datacontenttype" not in h
        assert h["ce-subject"].startswith("s-") and h["ce-time"] and h["traceparent"].startswith("00-")
        assert h["host"] == f"test-subscriber.{NS}.svc.cluster.local"
        assert json.loads(record["body"]) == {"n": 7} and record["path"] == "/"
        assert world.result(event_id) == "acked"

    def test_a_subscriber_failing_three_times_gets_the_event_four_times_and_it_is_acked(self, world):
        event_id = world.publish(answer=[500, 500, 500, 200])
        records = world.wait_received(event_id, 4)
        assert [r["status"] for r in records] == [500, 500, 500, 200]
        assert world.result(event_id) == "acked"
        record, = [r for r in world.broker.history() if r.event_id == event_id]
        assert record.attempts == 4
        gaps = [b["started"] - a["ended"] for a, b in zip(records, records[1:])]
        assert gaps[2] > gaps[0] >= 0.09  # exponential backoff from PT0.05S: 0.1, 0.2, 0.4 s
        time.sleep(0.5)
        assert len(world.received(event_id)) == 4  # acked: never delivered again

    def test_a_400_goes_straight_to_the_dead_letter_queue_and_replay_brings_it_back(self, world, capsys):
        event_id = world.publish(answer=[400])
        world.wait_received(event_id)
        assert world.result(event_id) == "dead-lettered"
        dead = world.dead_letter(event_id)
        assert len(world.received(event_id)) == 1  # not retried
        assert dead.attributes["knativeerrorcode"] == "400"
        assert dead.attributes["knativeerrordest"] == SUBSCRIBER_URL
        assert dead.attributes["knativeerrordata"] == "status 400"
        assert json.loads(dead.data) == {"answer": [400]} and dead.type == MAIN
        args = ["dead-letters", "--exchange", world.broker.topology.exchange,
                "--prefix", world.broker.topology.prefix]
        if world.broker.transport.kind == "postgres":
            args += ["--transport", "postgres", "--database-url", world.broker.transport.url]
        else:
            args += ["--transport", "rabbitmq", "--amqp-url", AMQP_URL]
        assert broker_cli(args) == 0
        assert event_id in capsys.readouterr().out
        assert broker_cli([*args, "--replay", "--id", event_id]) == 0
        assert f"replayed {MAIN} {event_id}" in capsys.readouterr().out
        second = world.wait_received(event_id, 2)[1]
        assert not any(k.startswith("ce-knativeerror") for k in second["headers"])
        assert second["status"] == 200
        assert wait_until(lambda: [r.result for r in world.broker.history() if r.event_id == event_id]
                          == ["dead-lettered", "acked"], 10)
        assert event_id not in [e.id for e in world.broker.dead_letters()]

    def test_exhausted_retries_go_to_the_dead_letter_queue(self, world):
        event_id = world.publish(answer=[503, 503, 503, 503])
        world.wait_received(event_id, 4)
        assert world.dead_letter(event_id).attributes["knativeerrorcode"] == "503"
        assert world.result(event_id) == "dead-lettered"

    def test_a_trigger_filter_that_does_not_match_delivers_nothing(self, world):
        other_source = world.publish(source="/tests/elsewhere")
        other_type = world.publish(type_=UNBOUND)
        barrier = world.publish()  # the main Trigger is FIFO: once this arrives, the others were seen
        world.wait_received(barrier)
        assert world.received(other_source) == [] and world.received(other_type) == []
        assert [r.result for r in world.broker.history() if r.event_id == other_source] == ["filtered"]
        assert not [r for r in world.broker.history() if r.event_id == other_type]  # never routed

    def test_parallelism_one_keeps_the_order_even_through_retries(self, world):
        ids = [world.publish(SEQUENCE, n=n, answer=[500, 200] if n == 3 else [200]) for n in range(12)]
        world.wait_received(ids[-1])
        order = [json.loads(r["body"])["n"] for r in world.received() if r["id"] in ids]
        assert order == [0, 1, 2, 3, 3, *range(4, 12)]

    def test_parallelism_four_delivers_concurrently(self, world):
        ids = [world.publish(PARALLEL, sleep=0.6) for _ in range(4)]
        records = [world.wait_received(i)[0] for i in ids]
        overlapping = max(sum(1 for o in records if o["started"] < r["ended"] and r["started"] < o["ended"])
                          for r in records)
        assert overlapping >= 3


class TestIngress:
    def test_a_binary_event_is_accepted_and_delivered(self, world):
        attributes = {"type": MAIN, "source": "/tests/main", "datacontenttype": "application/json"}
        ce = CloudEvent(attributes, {"n": 1})
        headers, body = to_binary(ce)
        status, _, answer = world.post(headers, body)
        assert (status, answer) == (202, b"")
        record, = world.wait_received(ce["id"])
        assert json.loads(record["body"]) == {"n": 1}

    def test_a_structured_event_is_accepted_and_delivered_in_binary_mode(self, world):
        ce = CloudEvent({"type": MAIN, "source": "/tests/main", "subject": "st"}, {"n": 2})
        status, _, _ = world.post(*to_structured(ce))
        assert status == 202
        record, = world.wait_received(ce["id"])
        assert record["headers"]["ce-subject"] == "st" and json.loads(record["body"]) == {"n": 2}

    def test_an_unknown_type_is_refused_with_problem_json(self, world):
        ce = CloudEvent({"type": UNBOUND, "source": "/tests/main"}, {"n": 1})
        status, headers, body = world.post(*to_binary(ce))
        assert status == 400 and headers["Content-Type"] == "application/problem+json"
        problem = json.loads(body)
        assert problem["type"] == "https://ecom.example/problems/invalid-event" and problem["status"] == 400
        assert [e["field"] for e in problem["errors"]] == ["type"]

    def test_invalid_data_is_refused_naming_the_path(self, world):
        ce = CloudEvent({"type": MAIN, "source": "/tests/main", "datacontenttype": "application/json"},
                        {"n": "seven", "answer": [200, 42]})
        status, _, body = world.post(*to_binary(ce))
        assert status == 400
        assert sorted(e["field"] for e in json.loads(body)["errors"]) == ["data.answer.1", "data.n"]

    def test_a_missing_attribute_is_named(self, world):
        status, _, body = world.post({"ce-specversion": "1.0", "ce-type": MAIN, "ce-source": "/t",
                                      "Content-Type": "application/json"}, b"{}")
        assert status == 400 and json.loads(body)["errors"] == [{"field": "id", "message": "is required"}]


class TestPingSources:
    def test_a_pingsource_sends_its_event_when_its_minute_comes(self, world):
        world.clock.now += timedelta(minutes=1)
        world.broker.pings.run_pending()
        assert wait_until(lambda: [r for r in world.received()
                                   if r["headers"].get("ce-type") == "dev.knative.sources.ping"], 15)
        record, = [r for r in world.received() if r["headers"].get("ce-type") == "dev.knative.sources.ping"]
        assert record["headers"]["ce-source"] == f"/apis/v1/namespaces/{NS}/pingsources/tick"
        assert json.loads(record["body"]) == {"answer": [200]}


def _close_connection(name: str) -> bool:
    """Close the RabbitMQ connection called `name` server-side, as a broker restart would."""
    listing = subprocess.run(["rabbitmqctl", "-q", "list_connections", "pid", "client_properties"],
                             capture_output=True, text=True, timeout=30)
    pids = [line.split("\t")[0] for line in listing.stdout.splitlines() if f'"{name}"' in line]
    for pid in pids:
        subprocess.run(["rabbitmqctl", "-q", "close_connection", pid, "test: simulated restart"],
                       capture_output=True, timeout=30)
    return bool(pids)


def test_a_consumer_reconnects_after_rabbitmq_drops_it(world):
    if world.broker.transport.kind != "rabbitmq":
        pytest.skip("a dropped AMQP connection does not exist on the Postgres transport")
    assert shutil.which("rabbitmqctl"), "this machine kind runs RabbitMQ: rabbitmqctl cuts the connection"
    consumer, = [c for c in world.broker.consumers if c.trigger.name == "main"]
    before = consumer.connections
    assert _close_connection(consumer.connection_name), "rabbitmqctl found no connection to cut"
    assert wait_until(lambda: consumer.connections > before and consumer.connected.is_set(), 15)
    event_id = world.publish()
    world.wait_received(event_id)
    assert world.result(event_id) == "acked"



def test_status_shows_each_triggers_queue_and_counts_the_dead_letters(world):
    """What `make status` prints of the broker, on both transports."""
    before = world.broker.status()
    assert before["transport"] == world.broker.transport.describe()
    assert {q["trigger"] for q in before["queues"]} == {t.name for t in world.broker.triggers}
    assert all(q["depth"] is not None for q in before["queues"])  # declared at start
    event_id = world.publish(answer=[400])
    world.dead_letter(event_id)
    assert world.broker.status()["dead_letters"] == before["dead_letters"] + 1
    missing = f"{world.broker.topology.prefix}.trigger.never-declared"
    assert world.broker.transport.queue_depths([missing]) == {missing: None}


def test_a_queue_nobody_consumes_shows_its_waiting_events(world):
    from localrun.broker.resources import Destination, Trigger

    kind = f"com.ecom.tests.waiting-{uuid.uuid4().hex[:8]}"
    idle = Trigger(f"idle-{uuid.uuid4().hex[:6]}", NS, "default", {"type": kind},
                   Destination("function", "nobody", NS), None, 1)
    transport = world.broker.transport
    transport.declare([idle])  # bound, with no consumer
    queue = world.broker.topology.trigger_queue(idle.name)
    try:
        for _ in range(3):
            world.publish(type_=kind)
        assert wait_until(lambda: transport.queue_depths([queue])[queue] == 3, 10)
    finally:
        if transport.kind == "rabbitmq":
            import pika

            connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
            connection.channel().queue_delete(queue)
            connection.close()
