"""`make dead-letters` / `make replay-dead-letters`: the local broker's dead-letter queue.

Usage: python -m localrun.broker dead-letters [--replay] [--id ID] [--json]
                                              [--transport auto|rabbitmq|postgres] [--database-url URL]
Reads AMQP_URL, DATABASE_URL, EVENTS_EXCHANGE and BROKER_QUEUE_PREFIX (the same settings as
`make dev`). `auto` chooses as `make dev` does: RabbitMQ when AMQP_URL is set or 127.0.0.1:5672
answers, else the Postgres transport in DATABASE_URL (or the embedded PostgreSQL of `make dev`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pika.exceptions
from sqlalchemy.exc import DBAPIError

from localrun.broker.message import BrokerEvent
from localrun.broker.rabbitmq.amqp import DEFAULT_AMQP_URL, redact_url
from localrun.broker.rabbitmq.transport import AmqpTransport
from localrun.broker.transport import DEFAULT_EXCHANGE, DEFAULT_PREFIX, ReplayError, Topology, Transport

COLUMNS = ("type", "id", "subject", "knativeerrorcode", "knativeerrordest")


@contextmanager
def transport_for(kind: str, topology: Topology, database_url: str | None = None,
                  amqp_url: str | None = None) -> Iterator[Transport]:
    """The local broker's transport: `auto` chooses as `make dev` does (localrun.dev.stack)."""
    if kind == "auto":
        from localrun.dev.stack import choose_transport

        kind, _ = choose_transport({"AMQP_URL": os.environ.get("AMQP_URL", "")})
    if kind == "rabbitmq":
        transport: Transport = AmqpTransport(amqp_url or os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL, topology)
        try:
            yield transport
        finally:
            transport.close()
        return
    from localrun.broker.postgres.transport import PostgresTransport
    from localrun.dev.stack import database

    with database(database_url) as url:
        transport = PostgresTransport(url, topology)
        try:
            yield transport
        finally:
            transport.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localrun.broker")
    parser.add_argument("command", choices=("dead-letters",))
    parser.add_argument("--replay", action="store_true", help="republish them to the exchange")
    parser.add_argument("--id", help="only the dead letter with this event id")
    parser.add_argument("--json", action="store_true", help="one JSON object per dead letter")
    parser.add_argument("--transport", choices=("auto", "rabbitmq", "postgres"), default="auto")
    parser.add_argument("--amqp-url", default=os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None,
                        help="the migration role's URL, for the Postgres transport")
    parser.add_argument("--exchange", default=os.environ.get("EVENTS_EXCHANGE") or DEFAULT_EXCHANGE)
    parser.add_argument("--prefix", default=os.environ.get("BROKER_QUEUE_PREFIX") or DEFAULT_PREFIX)
    args = parser.parse_args(argv)
    topology = Topology(args.exchange, args.prefix)
    try:
        with transport_for(args.transport, topology, args.database_url, args.amqp_url) as transport:
            if args.replay:
                events = transport.replay_dead_letters(args.id)
                for event in events:
                    print(f"replayed {event.type} {event.id}")
                print(f"{len(events)} dead letter(s) republished to {args.exchange}")
                return 0
            events = transport.read_dead_letters()
            events = [e for e in events if args.id is None or e.id == args.id]
            where = transport.describe()
    except ReplayError as exc:
        print(f"replay stopped: {exc}", file=sys.stderr)
        return 1
    except (pika.exceptions.AMQPError, OSError) as exc:
        print(f"RabbitMQ at {redact_url(args.amqp_url)} does not answer: {exc!r}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        print(f"the Postgres transport failed: {exc}"[:500], file=sys.stderr)
        return 1
    if args.json:
        for event in events:
            print(json.dumps({"attributes": event.attributes,
                              "data": event.data.decode("utf-8", errors="replace")}))
    elif events:
        print(table(events))
        print(f"{len(events)} dead letter(s) in {topology.dead_letter_queue} ({where}); "
              "make replay-dead-letters [ID=...] republishes them")
    else:
        print(f"no dead letters in {topology.dead_letter_queue} ({where})")
    return 0


def table(events: list[BrokerEvent]) -> str:
    """Return the dead letters as aligned text columns."""
    rows = [("TYPE", "ID", "SUBJECT", "CODE", "DEST")]
    rows += [tuple(e.attributes.get(c, "-") for c in COLUMNS) for e in events]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows)


if __name__ == "__main__":
    sys.exit(main())
