"""Event backbone fixtures: a migrated scratch database, a real RabbitMQ, an exchange per run.

Everything made on the broker is named uniquely for this run and deleted at the end, whatever
happened in between (the broker may have been restarted by a test).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pika
import pika.exceptions
import pytest
from sqlalchemy import Engine, create_engine, text

from schemas.migrate import role_url
from tests.conftest import ADMIN_URL

AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
EVENT_TYPE = "com.ecom.accounts.user.registered"
SOURCE = "/ecom/accounts/register"


def amqp_channel(url: str = AMQP_URL, wait: float = 30.0):
    """Return (connection, channel), retrying while the broker (re)starts, for up to `wait` s."""
    deadline = time.monotonic() + wait
    while True:
        try:
            connection = pika.BlockingConnection(pika.URLParameters(url))
            return connection, connection.channel()
        except pika.exceptions.AMQPConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def relay_database() -> Iterator[str]:
    """Yield the migration role's URL of a scratch database with the domains' outboxes."""
    from localrun.dev.scratch import scratch_database

    with scratch_database(ADMIN_URL, "relay") as url:
        yield url


@pytest.fixture(scope="session")
def accounts_url(relay_database: str) -> str:
    """The accounts role's URL: the relay and the writers connect as the domain, not as admin."""
    return role_url(relay_database, "accounts")


@pytest.fixture(scope="session")
def accounts_engine(accounts_url: str) -> Iterator[Engine]:
    engine = create_engine(accounts_url, pool_size=4)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def admin_engine(relay_database: str) -> Iterator[Engine]:
    engine = create_engine(relay_database, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture
def outbox(admin_engine: Engine, accounts_engine: Engine) -> "Outbox":
    """An empty accounts outbox, and helpers to write to and read it."""
    with admin_engine.connect() as conn:
        conn.execute(text("TRUNCATE accounts.outbox"))
    return Outbox(accounts_engine, admin_engine)


class Outbox:
    def __init__(self, engine: Engine, admin: Engine) -> None:
        self.engine = engine
        self.admin = admin

    def write(self, subjects: list[str], event_type: str = EVENT_TYPE) -> list[uuid.UUID]:
        """Append one event per subject (in that order) in one transaction; return their ids."""
        from functions.runtime.outbox import append

        with self.engine.begin() as conn:
            return [append(conn, "accounts", event_type, SOURCE, subject, {"subject": subject, "n": i})
                    for i, subject in enumerate(subjects)]

    def rows(self) -> list[dict[str, Any]]:
        """Every outbox row in seq order."""
        with self.admin.connect() as conn:
            result = conn.execute(text(
                "SELECT id, seq, type, source, subject, data, created_at, sent_at "
                "FROM accounts.outbox ORDER BY seq"))
            return [dict(r._mapping) for r in result]

    def pending(self) -> int:
        with self.admin.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM accounts.outbox WHERE sent_at IS NULL"))

    def wait_until_all_sent(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.pending():
            assert time.monotonic() < deadline, f"{self.pending()} rows still pending after {timeout} s"
            time.sleep(0.05)


@pytest.fixture(scope="session")
def events_exchange() -> Iterator[str]:
    """A durable topic exchange named for this run; deleted at the end."""
    name = f"ecom.events.test-{uuid.uuid4().hex[:12]}"
    connection, channel = amqp_channel()
    channel.exchange_declare(name, "topic", durable=True)
    connection.close()
    yield name
    connection, channel = amqp_channel()
    channel.exchange_delete(name)
    connection.close()


@pytest.fixture
def bind_queue(events_exchange: str) -> Iterator[Callable[..., str]]:
    """Return a function making a durable queue bound to the exchange; all deleted afterwards.

    Durable and not exclusive, so its messages survive a broker restart; hence deleted explicitly.
    """
    made: list[str] = []

    def _bind(pattern: str = "#", arguments: dict[str, Any] | None = None) -> str:
        name = f"relay-test-{uuid.uuid4().hex[:12]}"
        connection, channel = amqp_channel()
        channel.queue_declare(name, durable=True, arguments=arguments)
        channel.queue_bind(name, events_exchange, pattern)
        connection.close()
        made.append(name)
        return name

    yield _bind
    connection, channel = amqp_channel()
    for name in made:
        channel.queue_delete(name)
    connection.close()


def consume(queue: str, at_least: int, timeout: float = 20.0, quiet: float = 0.3) -> list[tuple[Any, bytes]]:
    """Return every message of the queue (acknowledged): at least `at_least`, then until `quiet` s
    pass without one (so duplicates are counted too)."""
    connection, channel = amqp_channel()
    channel.basic_qos(prefetch_count=1000)
    messages: list[tuple[Any, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        for method, properties, body in channel.consume(queue, auto_ack=True, inactivity_timeout=quiet):
            if method is not None:
                messages.append((properties, body))
            elif len(messages) >= at_least or time.monotonic() > deadline:
                break
        channel.cancel()
    finally:
        connection.close()
    return messages


def free_port() -> int:
    """Return a TCP port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Forwarder:
    """A TCP forwarder from 127.0.0.1:port to the broker: a broker that is there when started."""

    def __init__(self, port: int, target: tuple[str, int] = ("127.0.0.1", 5672)) -> None:
        self.port = port
        self.target = target
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self._listener = listener
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        for sock in self._sockets:
            sock.close()


@contextmanager
def running(relay, name: str = "relay") -> Iterator[threading.Event]:
    """Run `relay.run` in a thread for the duration of the block; stop and join it after."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def _run() -> None:
        try:
            relay.run(stop)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    thread = threading.Thread(target=_run, name=name, daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive(), "the relay did not stop"
    assert not errors, errors
