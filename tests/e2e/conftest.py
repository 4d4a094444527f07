"""The whole local stack for end-to-end tests: a seeded database, the gateway, the functions."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import create_engine

from functions.catalog.adapters.seed import load_seed, seed_catalog
from localrun.dev.scratch import scratch_database
from localrun.dev.stack import report_status, secrets_for
from localrun.gateway.server import Gateway, serve
from localrun.serving.activator import Activator
from schemas.migrate import role_url
from tests.conftest import ADMIN_URL

REPO = Path(__file__).resolve().parents[2]
PRODUCER_KEY = "e2e-warehouse-key"  # the API key of event producer warehouse in the stack


@contextmanager
def local_stack(signing_key: tuple[str, str], idle_seconds: float = 60.0, log_to: IO[Any] | None = None,
                server_url: str = ADMIN_URL) -> Iterator[tuple[Gateway, Activator, str]]:
    """Yield a started gateway, its activator and the database URL; stop all afterwards.

    `log_to` receives the function processes' output (localrun.gateway.server.serve); the
    database is made on `server_url` (the tests' server, or one a test owns).
    """
    with scratch_database(server_url, "e2e") as url:
        engine = create_engine(role_url(url, "catalog"))
        with engine.begin() as conn:
            seed_catalog(conn, load_seed())
        engine.dispose()
        gateway, activator = serve(REPO, secrets_for(url, signing_key, PRODUCER_KEY), port=0,
                                   idle_seconds=idle_seconds, log_to=log_to, status_port=0)
        # Each function runs one gunicorn worker (two in the manifests) keeping one pooled
        # connection when idle and opening at most three more in a burst: a checkout touches a
        # dozen functions, six domains' handlers take its events, and the local broker's Postgres
        # transport holds a connection per Trigger, all on the one test server (100 connections).
        activator.launcher.add_env(DB_POOL_SIZE="1", DB_POOL_MAX_OVERFLOW="3", WORKERS="1")
        try:
            yield gateway, activator, url
        finally:
            gateway.stop()
            activator.shutdown()


@contextmanager
def event_stack(signing_key: tuple[str, str], env: dict[str, str] | None = None,
                idle_seconds: float = 60.0, log_to: IO[Any] | None = None, server_url: str = ADMIN_URL,
                ) -> Iterator[tuple[Gateway, Activator, str]]:
    """local_stack, plus what carries events: every domain's outbox relay and the local broker on
    RabbitMQ, on an exchange and queues of this run's own (deleted afterwards).

    `env` goes to every function process too (RESERVATION_TTL_SECONDS, say); `log_to` receives
    their output (their JSON log lines).
    """
    from localrun.broker.localbroker import start_local_broker
    from localrun.dev.relays import Relays
    from schemas.migrate import DOMAINS

    run = uuid.uuid4().hex[:8]
    names = {"EVENTS_EXCHANGE": f"ecom.events.test-{run}", "BROKER_QUEUE_PREFIX": f"ecom.test-{run}"}
    with local_stack(signing_key, idle_seconds, log_to, server_url) as (gateway, activator, url):
        activator.launcher.add_env(**(env or {}))
        broker = start_local_broker(REPO, activator, gateway, names)
        assert broker is not None, "RabbitMQ must answer on 127.0.0.1:5672"
        relays = Relays({d: role_url(url, d) for d in DOMAINS}, broker.url, names["EVENTS_EXCHANGE"], "rabbitmq")
        relays.start()
        _BROKERS[url] = broker
        report_status(gateway, broker, relays)
        try:
            yield gateway, activator, url
        finally:
            _BROKERS.pop(url, None)
            relays.stop()
            broker.stop()
            broker.delete_topology()


@pytest.fixture(scope="module")
def shoppers(stack, mint) -> Iterator[Callable[[int], list[dict[str, str]]]]:
    """make(n): n new signed-in shoppers with a default address (localrun.dev.shoppers), on the
    module's `stack` (gateway, activator, database URL)."""
    from localrun.dev.shoppers import make_shoppers

    engine = create_engine(role_url(stack[2], "accounts"), pool_size=1)
    yield lambda count: make_shoppers(engine, mint, count)
    engine.dispose()


_BROKERS: dict[str, Any] = {}  # an event_stack's database URL -> its local broker


def violations(url: str, grace_seconds: float = 0.0) -> list[str]:
    """`make verify` on an event_stack's database and its broker's dead letters; [] when all hold."""
    from localrun.verify import verify

    return [str(v) for v in verify(url, grace_seconds, _BROKERS[url].transport.read_dead_letters)]


def call(gateway: Gateway, method: str, path: str, body: dict | bytes | None = None,
         headers: dict[str, str] | None = None, source: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send one request through the gateway on a fresh connection; return status, headers, body.

    `source`: the loopback address to send from (127.x.y.z), the client address the gateway's
    per-address rate limits count; by default 127.0.0.1, as every test's.
    """
    conn = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=30,
                                      source_address=(source, 0) if source else None)
    try:
        payload = json.dumps(body).encode() if isinstance(body, dict) else body
        all_headers = {"Content-Type": "application/json"} if payload else {}
        conn.request(method, path, body=payload, headers=all_headers | (headers or {}))
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_until(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()
