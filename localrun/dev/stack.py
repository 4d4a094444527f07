"""The pieces `make dev` puts together: the database, migrations, demo data, Secrets, relays, transport.

`python -m localrun.dev` (`__main__.py`) runs them; tests, benchmarks and the storefront's browser
tests call them to build the same stack.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from localrun.dev import embedded_pg
from localrun.serving.manifests import load_documents

if TYPE_CHECKING:
    from localrun.broker.localbroker import LocalBroker
    from localrun.dev.relays import Relays
    from localrun.gateway.server import Gateway

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / ".data"
CONFIG_MAP = REPO / "knative" / "config.yaml"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


@contextmanager
def database(given: str | None = None) -> Iterator[str]:
    """Yield the migration role's URL: `given` (a tool's --database-url), DATABASE_URL, or the
    embedded server under .data/pg."""
    if url := given or os.environ.get("DATABASE_URL"):
        yield url
        return
    pg_dir = DATA / "pg"
    was_running = embedded_pg.is_running(pg_dir)
    say(f"DATABASE_URL is not set: using the embedded PostgreSQL in {pg_dir.relative_to(REPO)}")
    url = embedded_pg.start(pg_dir, embedded_pg.port_from_env())
    try:
        yield url
    finally:
        if not was_running:
            embedded_pg.stop(pg_dir)


def migrate(admin_url: str) -> None:
    from schemas.migrate import migrate as apply_migrations

    apply_migrations(admin_url)
    say("migrations applied")


def seed(admin_url: str, *, only_if_empty: bool) -> None:
    """Load the demo catalog as the catalog's own role (always, or only into an empty catalog),
    and its stock as inventory's (once: functions/inventory/adapters/seed.py)."""
    from sqlalchemy import create_engine

    from functions.catalog.adapters.seed import is_empty, load_seed, seed_catalog
    from functions.inventory.adapters.seed import seed_demo_stock
    from schemas.migrate import role_url

    data = load_seed()
    for domain in ("catalog", "inventory"):
        engine = create_engine(role_url(admin_url, domain))
        try:
            with engine.begin() as conn:
                if domain == "inventory":
                    if count := seed_demo_stock(conn, data):
                        say(f"seeded the demo stock: {count} SKUs in warehouse DEMO")
                elif not only_if_empty or is_empty(conn):
                    count = seed_catalog(conn, data)
                    say(f"seeded the demo catalog: {count} products")
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
        say(f"{email} ({user_id}) is now an admin; their next login carries the role")
    except DomainError as problem:
        raise SystemExit(f"[dev] {problem.detail}") from None
    finally:
        engine.dispose()


def jwt_settings() -> dict[str, str]:
    return load_documents(CONFIG_MAP)[0]["data"]


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
    from localrun.dev.relays import Relays
    from schemas.migrate import DOMAINS, role_url

    settings = get_settings()
    relays = Relays({d: role_url(admin_url, d) for d in DOMAINS}, settings.amqp_url, settings.events_exchange,
                    transport)
    relays.start()
    return relays


def report_status(gateway: Gateway, broker: LocalBroker | None, relays: Relays | None) -> None:
    """Show the broker's queues and the outboxes' backlogs in the gateway's /status/stack (make status)."""
    if broker is not None:
        gateway.add_status("broker", broker.status)
    if relays is not None:
        gateway.add_status("outboxes", relays.backlog)


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


