"""A request's trace reaches its outbox row, the AMQP message's ce-traceparent, and the handler that
takes the event (its inbox row and its log lines), on the real PostgreSQL and RabbitMQ.

accounts' logout (an HTTP function, given a `traceparent`) emits `session.revoked`; the relay
publishes it; the local broker's own conversion makes the delivery catalog-on-access-changed gets.
"""

from __future__ import annotations

import io
import json
import logging

from sqlalchemy import create_engine, text

from functions.runtime.logs import json_handler
from functions.runtime.relay.core import Relay
from functions.runtime.tracing import parse_traceparent
from localrun.broker.message import from_message, http_headers
from schemas.migrate import role_url
from tests.integration.conftest import client_factory, domain_env
from tests.integration.events.conftest import AMQP_URL, consume

TRACE = "0af7651916cd43dd8448eb211c80319c"
GATEWAY_SPAN = "b7ad6b7169203331"
INCOMING = f"00-{TRACE}-{GATEWAY_SPAN}-01"


def scalar(url: str, query: str, **params):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query), params).one()
    finally:
        engine.dispose()


def test_a_requests_trace_goes_through_the_outbox_the_broker_and_the_handler(
        database_url, signing_key, events_exchange, bind_queue):
    queue = bind_queue("com.ecom.accounts.session.revoked")
    with domain_env(database_url, signing_key, "accounts"):
        accounts = client_factory("functions/accounts/main.py")
        email = f"trace-{TRACE[:8]}-{id(queue)}@example.com"
        user = accounts("register").post("/api/auth/register", json={
            "email": email, "password": "a long passphrase", "name": "Tracy"}).get_json()
        tokens = accounts("login").post("/api/auth/login", json={
            "email": email, "password": "a long passphrase"}).get_json()
        answer = accounts("logout").post("/api/auth/logout", json={"refresh_token": tokens["refresh_token"]},
                                         headers={"traceparent": INCOMING})
        assert answer.status_code == 204

    # The outbox row: the logout request's span, in the gateway's trace (a child, not the gateway's span).
    (stored,) = scalar(database_url, "SELECT traceparent FROM accounts.outbox "
                       "WHERE subject = :user AND type = 'com.ecom.accounts.session.revoked'",
                       user=user["id"])
    emitted = parse_traceparent(stored)
    assert emitted.trace_id == TRACE and emitted.span_id != GATEWAY_SPAN and emitted.sampled
    (registered,) = scalar(database_url, "SELECT traceparent FROM accounts.outbox "
                           "WHERE subject = :user AND type = 'com.ecom.accounts.user.registered'",
                           user=user["id"])
    assert parse_traceparent(registered).trace_id != TRACE  # register came without one: its own trace

    # The relay carries it as the CloudEvents distributed-tracing extension.
    relay = Relay("accounts", role_url(database_url, "accounts"), AMQP_URL, events_exchange,
                  poll_interval=0.05, backoff_initial=0.01, backoff_max=0.1)
    try:
        relay.drain()
    finally:
        relay.close()
    messages = [(p, b) for p, b in consume(queue, 1) if p.headers.get("ce-subject") == user["id"]]
    assert len(messages) == 1
    properties, body = messages[0]
    assert properties.headers["ce-traceparent"] == stored

    # The handler continues the event's trace: its inbox row and its log lines.
    event = from_message(properties, body)
    delivery = dict(http_headers(event))
    stream = io.StringIO()
    edge = logging.getLogger("ecom.http")
    handler, level = json_handler(stream, "catalog-on-access-changed"), edge.level
    edge.addHandler(handler)
    edge.setLevel(logging.INFO)
    try:
        with domain_env(database_url, signing_key, "catalog"):
            catalog = client_factory("functions/catalog/main.py")
            handled = catalog("on_access_changed").post("/", headers=delivery, data=event.data)
            assert handled.status_code == 200, handled.get_json()
    finally:
        edge.removeHandler(handler)
        edge.setLevel(level)
    (inbox,) = scalar(database_url, "SELECT traceparent FROM catalog.inbox WHERE id = :id", id=event.id)
    handling = parse_traceparent(inbox)
    assert handling.trace_id == TRACE and handling.span_id not in (emitted.span_id, GATEWAY_SPAN)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    requests = [line for line in lines if line["message"].startswith("POST /")]
    assert [(line["trace_id"], line["span_id"]) for line in requests] == [(TRACE, handling.span_id)]
