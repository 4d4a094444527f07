"""The dispatcher's decisions, without RabbitMQ or HTTP: retry, dead-letter, drop, filter, ack."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timezone

import pytest

from functions.runtime.relay.message import OutboxRow, row_to_message
from localrun.broker.delivery import Outcome, _reply, deliver
from localrun.broker.dispatcher import Dispatcher
from localrun.broker.localbroker import start_local_broker
from localrun.broker.message import (
    BrokerEvent,
    from_binary_http,
    from_message,
    http_headers,
    new_event,
    to_message,
)
from localrun.broker.resources import Delivery, Destination, Trigger
from localrun.broker.transport import Stopped, Topology

SUBSCRIBER = Destination("function", "fn", "shop")
SINK = Destination("service", "dead-letter-sink", "shop")


class FakeSender:
    """Answers with the given statuses in turn (None: no answer), recording each attempt."""

    def __init__(self, *statuses: int | None, body: bytes = b"nope") -> None:
        self.statuses, self.body, self.sent = list(statuses), body, []

    def send(self, dest, event, timeout=None):
        self.sent.append((dest, event))
        status = self.statuses.pop(0) if self.statuses else 200
        return Outcome(status, self.body) if status is not None else Outcome(None, error="refused")


class FakeTransport:
    """Records what the dispatcher publishes, as (exchange, routing key, event)."""

    def __init__(self) -> None:
        self.topology = Topology("ex", "pfx")
        self.published: list[tuple[str, str, BrokerEvent]] = []

    def publish(self, event):
        self.published.append((self.topology.exchange, event.type, event))

    def dead_letter(self, event):
        self.published.append(("", self.topology.dead_letter_queue, event))


class NoWait(threading.Event):
    """A stopping flag whose waits return at once, recording how long they would have been."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout=None):
        self.waits.append(timeout)
        return self.is_set()


def trigger(delivery: Delivery | None = Delivery(3, "exponential", 0.1, SINK), **filter_: str) -> Trigger:
    return Trigger("t", "shop", "default", filter_ or {"type": "com.ecom.a.b.c"}, SUBSCRIBER, delivery)


def event(**extra: str) -> BrokerEvent:
    return new_event("com.ecom.a.b.c", "/ecom/a/x", b'{"n":1}', "application/json", **extra)


def dispatcher(sender: FakeSender, non_retryable: str = "dead-letter"):
    publisher, stopping = FakeTransport(), NoWait()
    return Dispatcher(sender, publisher, stopping, non_retryable), publisher, stopping


class TestOutcomes:
    @pytest.mark.parametrize("status", [None, 404, 408, 409, 429, 500, 502, 503, 504])
    def test_retried_answers(self, status):
        assert Outcome(status).retryable and not Outcome(status).ok

    @pytest.mark.parametrize("status", [400, 401, 403, 410, 413, 422, 301])
    def test_answers_that_are_not_retried(self, status):
        assert not Outcome(status).retryable and not Outcome(status).ok

    @pytest.mark.parametrize("status", [200, 202, 204])
    def test_success(self, status):
        assert Outcome(status).ok


class TestRetries:
    def test_500_three_times_then_200_is_four_attempts_with_growing_waits(self):
        sender, stopping = FakeSender(500, 500, 500, 200), NoWait()
        outcome, attempts = deliver(sender, SUBSCRIBER, event(), Delivery(3, "exponential", 0.1), stopping)
        assert outcome.ok and attempts == 4
        assert stopping.waits == pytest.approx([0.2, 0.4, 0.8])

    def test_retries_stop_at_the_configured_number(self):
        sender = FakeSender(503, 503, 503, 503, 200)
        outcome, attempts = deliver(sender, SUBSCRIBER, event(), Delivery(2, "linear", 0.1), NoWait())
        assert outcome.status == 503 and attempts == 3

    def test_an_answer_that_is_not_retried_is_final(self):
        outcome, attempts = deliver(FakeSender(400), SUBSCRIBER, event(), Delivery(5), NoWait())
        assert outcome.status == 400 and attempts == 1

    def test_no_delivery_spec_means_no_retry(self):
        assert deliver(FakeSender(500, 200), SUBSCRIBER, event(), None, NoWait())[1] == 1

    def test_stopping_during_a_backoff_leaves_the_event_unsettled(self):
        stopping = NoWait()
        stopping.set()
        with pytest.raises(Stopped):
            deliver(FakeSender(500), SUBSCRIBER, event(), Delivery(3), stopping)


class TestDispatcher:
    def test_a_delivered_event_is_acked(self):
        d, publisher, _ = dispatcher(FakeSender(500, 200))
        assert d.handle(trigger(), event()) == "acked"
        assert publisher.published == []
        assert [(r.result, r.attempts, r.status) for r in d.history()] == [("acked", 2, 200)]

    def test_a_400_goes_straight_to_the_dead_letter_queue_with_the_error_extensions(self):
        d, publisher, _ = dispatcher(FakeSender(400, body=b'{"title": "bad"}'))
        e = event()
        assert d.handle(trigger(), e) == "dead-lettered"
        (exchange, key, dead), = publisher.published
        assert (exchange, key) == ("", "pfx.dead-letter")
        assert dead.id == e.id and dead.data == e.data
        assert dead.attributes["knativeerrordest"] == "http://fn.shop.svc.cluster.local"
        assert dead.attributes["knativeerrorcode"] == "400"
        assert json.loads(dead.attributes["knativeerrordata"]) == {"title": "bad"}

    def test_exhausted_retries_are_dead_lettered_with_the_last_answer(self):
        d, publisher, _ = dispatcher(FakeSender(500, 500, 500, 503))
        assert d.handle(trigger(), event()) == "dead-lettered"
        assert publisher.published[0][2].attributes["knativeerrorcode"] == "503"
        assert d.history()[0].attempts == 4

    def test_no_answer_is_dead_lettered_without_a_code(self):
        d, publisher, _ = dispatcher(FakeSender(None, None, None, None))
        d.handle(trigger(), event())
        dead = publisher.published[0][2]
        assert "knativeerrorcode" not in dead.attributes and dead.attributes["knativeerrordata"] == "refused"

    def test_a_dead_letter_kept_in_the_queue_is_forwarded_where_the_sink_service_says(self):
        sender, publisher, stopping = FakeSender(400, 503, 200), FakeTransport(), NoWait()
        receiver = Destination("function", "reporting-on-dead-letter", "shop")
        d = Dispatcher(sender, publisher, stopping, forwards={SINK.name: receiver})
        e = event()
        assert d.handle(trigger(), e) == "dead-lettered"
        (_, key, kept), = publisher.published
        assert key == "pfx.dead-letter"
        assert [dest for dest, _ in sender.sent] == [SUBSCRIBER, receiver, receiver]  # the 503 retried
        forwarded = sender.sent[-1][1]
        assert forwarded.id == e.id and forwarded.attributes == kept.attributes

    def test_a_forward_that_fails_leaves_the_dead_letter_kept(self):
        sender, publisher, stopping = FakeSender(400, None, None, None), FakeTransport(), NoWait()
        d = Dispatcher(sender, publisher, stopping, forwards={SINK.name: Destination("function", "r", "shop")})
        assert d.handle(trigger(), event()) == "dead-lettered"
        assert len(publisher.published) == 1 and len(sender.sent) == 4

    def test_the_error_data_is_truncated(self):
        d, publisher, _ = dispatcher(FakeSender(400, body=b"x" * 5000))
        d.handle(trigger(), event())
        assert len(publisher.published[0][2].attributes["knativeerrordata"]) == 1024

    def test_without_a_delivery_spec_a_failed_event_is_dropped(self):
        d, publisher, _ = dispatcher(FakeSender(500))
        assert d.handle(trigger(delivery=None), event()) == "dropped"
        assert publisher.published == []

    def test_the_cluster_mode_acks_answers_that_are_not_retried(self):
        d, publisher, _ = dispatcher(FakeSender(422), non_retryable="ack")
        assert d.handle(trigger(), event()) == "acked" and publisher.published == []

    def test_an_event_the_filter_refuses_is_not_delivered(self):
        sender = FakeSender()
        d, _, _ = dispatcher(sender)
        assert d.handle(trigger(type="com.ecom.a.b.c", source="/elsewhere"), event()) == "filtered"
        assert sender.sent == []

    def test_an_event_carrying_knativeerrordest_is_dropped_as_eventing_rabbitmq_does(self):
        sender = FakeSender()
        d, _, _ = dispatcher(sender)
        assert d.handle(trigger(), event(knativeerrordest="http://x")) == "dropped"
        assert sender.sent == []

    def test_a_reply_event_is_published_to_the_exchange(self):
        reply = new_event("com.ecom.a.b.replied", "/fn", b"{}", "application/json")

        class Replying(FakeSender):
            def send(self, dest, event, timeout=None):
                return Outcome(200, reply=reply)

        d, publisher, _ = dispatcher(Replying())
        d.handle(trigger(), event())
        assert publisher.published == [("ex", "com.ecom.a.b.replied", reply)]


class TestMessages:
    def test_an_event_survives_the_trip_through_an_amqp_message(self):
        e = event(subject="42", traceid="abc")
        properties, body = to_message(e)
        assert properties.delivery_mode == 2 and properties.content_type == "application/json"
        assert properties.message_id == e.id and properties.headers["ce-type"] == e.type
        back = from_message(properties, body)
        assert back.attributes == e.attributes and back.data == e.data

    def test_a_message_the_relay_wrote_is_read(self):
        row = OutboxRow(uuid.uuid4(), 1, "com.ecom.a.b.c", "/ecom/a/x", "42",
                        '{"n": 1}', datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc))
        message = row_to_message(row)
        e = from_message(message.properties, message.body)
        assert e.id == str(row.id) and e.type == row.type and e.attributes["subject"] == "42"
        assert e.attributes["datacontenttype"] == "application/json" and e.data == b'{"n": 1}'

    def test_binary_http_headers_and_back(self):
        e = event(subject="42")
        headers = http_headers(e)
        assert ("Content-Type", "application/json") in headers and ("ce-subject", "42") in headers
        assert not any(k == "ce-datacontenttype" for k, _ in headers)
        assert from_binary_http(headers, e.data).attributes == e.attributes

    def test_header_values_that_cannot_travel_are_percent_encoded(self):
        e = event(knativeerrordata="line one\nline two é")
        assert ("ce-knativeerrordata", "line one%0Aline two %C3%A9") in http_headers(e)

    def test_a_replay_strips_the_error_extensions(self):
        e = event(knativeerrordest="d", knativeerrorcode="400", knativeerrordata="x")
        assert set(e.without_errors().attributes) == set(event().attributes)


class StubResponse:
    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def getheaders(self):
        return list(self.headers.items())

    def getheader(self, name, default=None):
        return self.headers.get(name, default)


class TestReplies:
    def test_a_binary_reply_is_read(self):
        reply = _reply(StubResponse({"ce-specversion": "1.0", "ce-id": "r1", "ce-type": "com.ecom.a.b.d",
                                     "ce-source": "/fn", "Content-Type": "application/json"}), b"{}")
        assert reply is not None and reply.type == "com.ecom.a.b.d" and reply.data == b"{}"

    def test_a_structured_reply_is_read(self):
        doc = {"specversion": "1.0", "id": "r2", "type": "com.ecom.a.b.d", "source": "/fn", "data": {"k": 1}}
        headers = StubResponse({"Content-Type": "application/cloudevents+json"})
        reply = _reply(headers, json.dumps(doc).encode())
        assert reply is not None and json.loads(reply.data) == {"k": 1}

    def test_a_plain_answer_is_no_reply(self):
        assert _reply(StubResponse({"Content-Type": "text/plain"}), b"OK") is None
        assert _reply(StubResponse({"ce-specversion": "1.0", "ce-type": "x"}), b"") is None  # no id


class TestStartingWithoutRabbitMQ:
    def test_the_hook_says_so_and_returns_none(self, tmp_path, caplog):
        (tmp_path / "knative").mkdir()
        (tmp_path / "events" / "schemas").mkdir(parents=True)
        (tmp_path / "events" / "catalog.yaml").write_text("events: []\n")
        env = {"AMQP_URL": "amqp://guest:guest@127.0.0.1:1/%2F"}  # nothing listens on port 1
        assert start_local_broker(tmp_path, None, None, env) is None
        assert "local broker not started" in caplog.text
