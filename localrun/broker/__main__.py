"""`make dead-letters` / `make replay-dead-letters`: the local broker's dead-letter queue.

Usage: python -m localrun.broker dead-letters [--replay] [--id ID] [--json]
Reads AMQP_URL, EVENTS_EXCHANGE and BROKER_QUEUE_PREFIX (the same settings as `make dev`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import pika.exceptions

from localrun.broker.amqp import DEFAULT_AMQP_URL, DEFAULT_EXCHANGE, DEFAULT_PREFIX, Topology, redact_url
from localrun.broker.deadletters import ReplayError, read_dead_letters, replay_dead_letters, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localrun.broker")
    parser.add_argument("command", choices=("dead-letters",))
    parser.add_argument("--replay", action="store_true", help="republish them to the exchange")
    parser.add_argument("--id", help="only the dead letter with this event id")
    parser.add_argument("--json", action="store_true", help="one JSON object per dead letter")
    parser.add_argument("--amqp-url", default=os.environ.get("AMQP_URL") or DEFAULT_AMQP_URL)
    parser.add_argument("--exchange", default=os.environ.get("EVENTS_EXCHANGE") or DEFAULT_EXCHANGE)
    parser.add_argument("--prefix", default=os.environ.get("BROKER_QUEUE_PREFIX") or DEFAULT_PREFIX)
    args = parser.parse_args(argv)
    topology = Topology(args.exchange, args.prefix)
    try:
        if args.replay:
            events = replay_dead_letters(args.amqp_url, topology, args.id)
            for event in events:
                print(f"replayed {event.type} {event.id}")
            print(f"{len(events)} dead letter(s) republished to {args.exchange}")
            return 0
        events = read_dead_letters(args.amqp_url, topology)
        events = [e for e in events if args.id is None or e.id == args.id]
    except ReplayError as exc:
        print(f"replay stopped: {exc}", file=sys.stderr)
        return 1
    except (pika.exceptions.AMQPError, OSError) as exc:
        print(f"RabbitMQ at {redact_url(args.amqp_url)} does not answer: {exc!r}", file=sys.stderr)
        return 1
    if args.json:
        for event in events:
            print(json.dumps({"attributes": event.attributes,
                              "data": event.data.decode("utf-8", errors="replace")}))
    elif events:
        print(table(events))
        print(f"{len(events)} dead letter(s) in {topology.dead_letter_queue}; "
              "make replay-dead-letters [ID=...] republishes them")
    else:
        print(f"no dead letters in {topology.dead_letter_queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
