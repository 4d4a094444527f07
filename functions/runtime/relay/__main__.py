"""`python -m functions.runtime.relay --domain accounts [--once] [--batch N] [--interval S] [--transport T]`.

`--transport postgres` publishes to the local broker's Postgres transport (`localbroker.publish`
in the domain's database) instead of RabbitMQ.

Reads DATABASE_URL (the domain's own role), AMQP_URL and EVENTS_EXCHANGE. Without `--once` it
relays until SIGINT/SIGTERM; with it, it sends what is pending and exits (status 1 on failure).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from functions.runtime.logs import configure_logging
from functions.runtime.relay.core import DEFAULT_BATCH, DEFAULT_POLL_INTERVAL, DatabaseError, Relay
from functions.runtime.relay.pg_publisher import PostgresPublisher
from functions.runtime.relay.publisher import BrokerError, ConfigurationError
from functions.runtime.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.runtime.relay",
                                     description="Relay a domain's outbox to the events exchange.")
    parser.add_argument("--domain", required=True, help="the domain whose outbox to relay (its schema)")
    parser.add_argument("--once", action="store_true", help="send what is pending, then exit")
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help="rows per batch (default 500)")
    parser.add_argument("--interval", type=float, default=DEFAULT_POLL_INTERVAL,
                        help="longest idle wait without an outbox notification, seconds (default 1)")
    parser.add_argument("--transport", choices=("rabbitmq", "postgres"), default="rabbitmq",
                        help="where to publish (postgres: the local broker's Postgres transport)")
    args = parser.parse_args(argv)

    settings = get_settings()
    configure_logging(settings.log_level, f"relay-{args.domain}")
    logging.getLogger("pika").setLevel(logging.CRITICAL)  # the relay logs broker failures itself
    log = logging.getLogger("functions.runtime.relay")
    publisher = PostgresPublisher(settings.events_exchange) if args.transport == "postgres" else None
    relay = Relay(args.domain, settings.database_url, settings.amqp_url, settings.events_exchange,
                  batch_size=args.batch, poll_interval=args.interval, publisher=publisher)
    if args.once:
        try:
            sent = relay.drain()
        except (BrokerError, DatabaseError, ConfigurationError) as exc:
            log.error("relay failed", extra={"domain": args.domain, "error": str(exc)[:300]})
            return 1
        finally:
            relay.close()
        log.info("relay done", extra={"domain": args.domain, "sent": sent})
        return 0

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        relay.run(stop)
    except ConfigurationError as exc:
        log.error("relay cannot start", extra={"domain": args.domain, "error": str(exc)[:300]})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
