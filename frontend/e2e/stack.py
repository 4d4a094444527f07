"""The real local stack for the storefront's browser tests and budget: a scratch database
(migrated, seeded: the demo catalog, and its in-stock products stocked in a `DEMO` warehouse), the gateway and the functions on a free port, and the events between them:
the local broker on RabbitMQ (127.0.0.1:5672, a per-run exchange and queue prefix) with an
outbox relay for every domain. Without RabbitMQ the stack still runs, without events.

Prints one JSON line {"gateway": URL, "database": URL} when ready, then answers commands on
stdin, one a line: `admin EMAIL` (the same promotion `make admin` does) answers `ok` or
`error: ...`. Closing stdin (or SIGTERM) stops everything and drops the database.

Run from the repository root's virtualenv: .venv/bin/python frontend/e2e/stack.py
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
import tempfile
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine  # noqa: E402

from functions.accounts.users import promote_to_admin  # noqa: E402
from functions.catalog.adapters.seed import load_seed, seed_catalog  # noqa: E402
from functions.inventory.adapters.seed import seed_demo_stock  # noqa: E402
from functions.runtime.exceptions import DomainError  # noqa: E402
from localrun.broker.localbroker import start_local_broker  # noqa: E402
from localrun.dev.keys import ensure_key_pair  # noqa: E402
from localrun.dev.relays import Relays  # noqa: E402
from localrun.dev.scratch import scratch_database  # noqa: E402
from localrun.dev.stack import secrets_for  # noqa: E402
from localrun.gateway.server import serve  # noqa: E402
from schemas.migrate import DOMAINS, role_url  # noqa: E402

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+pg8000://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def promote(url: str, email: str) -> str:
    """Give a registered user the admin role, as `make admin` does; return the answer line."""
    engine = create_engine(role_url(url, "accounts"))
    try:
        with engine.begin() as conn:
            promote_to_admin(conn, email)
        return "ok"
    except DomainError as problem:
        return f"error: {problem.detail}"
    finally:
        engine.dispose()


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory(prefix="storefront-e2e-") as keys, \
            scratch_database(SERVER_URL, "storefront") as url:
        engine = create_engine(role_url(url, "catalog"))
        data = load_seed()
        with engine.begin() as conn:
            seed_catalog(conn, data)
        engine.dispose()
        engine = create_engine(role_url(url, "inventory"))
        with engine.begin() as conn:
            seed_demo_stock(conn, data)
        engine.dispose()
        private, public = ensure_key_pair(Path(keys))
        producer_key = secrets.token_urlsafe(16)  # outside producer warehouse's API key, for the scenarios
        gateway, activator = serve(REPO, secrets_for(url, (private.read_text(), public.read_text()), producer_key),
                                   port=0, idle_seconds=300)
        # One gunicorn worker per function (two in the manifests), one pooled connection when idle
        # and at most three more: six domains' functions share the one test server (100 connections).
        activator.launcher.add_env(DB_POOL_SIZE="1", DB_POOL_MAX_OVERFLOW="3", WORKERS="1")
        run = uuid.uuid4().hex[:8]
        events = {"AMQP_URL": AMQP_URL, "EVENTS_EXCHANGE": f"ecom.events.storefront-{run}",
                  "BROKER_QUEUE_PREFIX": f"ecom.storefront-{run}"}
        broker = start_local_broker(REPO, activator, gateway, events)
        relays = None
        if broker is None:
            print("stack.py: RabbitMQ does not answer: running without events", file=sys.stderr, flush=True)
        else:
            relays = Relays({d: role_url(url, d) for d in DOMAINS}, broker.url, events["EVENTS_EXCHANGE"], "rabbitmq")
            relays.start()
        try:
            print(json.dumps({"gateway": f"http://127.0.0.1:{gateway.port}", "database": url,
                              "events": broker is not None, "producer_key": producer_key}), flush=True)
            for line in sys.stdin:
                command, _, argument = line.strip().partition(" ")
                if command == "admin":
                    print(promote(url, argument), flush=True)
                elif command:
                    print(f"error: unknown command {command!r}", flush=True)
        finally:
            if relays is not None:
                relays.stop()
            if broker is not None:
                broker.stop()
                broker.delete_topology()
            gateway.stop()
            activator.shutdown()


if __name__ == "__main__":
    main()
