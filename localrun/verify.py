"""`make verify`: the checkout's invariants, read from every schema by a read-only role.

Usage: python -m localrun.verify [--database-url URL] [--grace SECONDS] [--no-dead-letters]
                                 [--transport auto|rabbitmq|postgres]

Each check is one query, run as `ecom_reader` (schemas/migrate.py: SELECT on every schema,
nothing else), and each row it finds is a violation:

- stock oversold: a level with reserved above on hand, or either below zero;
- a ledger that does not sum to its stock level (every change of on_hand or reserved is a row);
- an order paid, confirmed, shipped or refunded without exactly one taken payment of its exact
  total (the one the order names), or refunded while its payment is not;
- two captures for one order;
- a reservation committed for more than it held (committed twice);
- a confirmed or shipped order whose stock was not committed, a cancelled order still holding
  stock, a payment completed for a cancelled order and not refunded;
- an order still `pending` (no answer from inventory);
- outbox rows older than a minute unsent; dead letters in the local broker.

The checks across domains look at what settled at least `--grace` seconds ago (default 60): an
order confirmed a moment ago may have its stock committed a moment later. Tests that let the
system settle first pass 0. The exit status is 1 when anything is found.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from schemas.migrate import DOMAINS, READER, role_url

TAKEN = "('completed', 'refunded')"
CHECKS: dict[str, str] = {
    "stock oversold": """
        SELECT warehouse_id, sku, on_hand, reserved FROM inventory.stock_levels
        WHERE reserved > on_hand OR on_hand < 0 OR reserved < 0""",
    "ledger does not sum to the stock level": """
        SELECT l.warehouse_id, l.sku, l.on_hand, l.reserved, coalesce(m.on_hand, 0) AS ledger_on_hand,
               coalesce(m.reserved, 0) AS ledger_reserved
        FROM inventory.stock_levels l
        FULL JOIN (SELECT warehouse_id, sku, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
                   FROM inventory.stock_movements GROUP BY warehouse_id, sku) m
          ON m.warehouse_id = l.warehouse_id AND m.sku = l.sku
        WHERE (coalesce(l.on_hand, 0), coalesce(l.reserved, 0))
              IS DISTINCT FROM (coalesce(m.on_hand, 0), coalesce(m.reserved, 0))""",
    "paid order without one completed payment of its exact total": f"""
        SELECT o.id AS order_id, o.status, o.total_minor, o.currency, count(p.id) AS payments
        FROM orders.orders o
        LEFT JOIN payments.payments p ON p.order_id = o.id AND p.status IN {TAKEN}
        WHERE o.status IN ('paid', 'confirmed', 'shipped', 'refunded')
        GROUP BY o.id
        HAVING count(p.id) <> 1
            OR bool_or(p.amount_minor <> o.total_minor OR p.currency <> o.currency
                       OR p.id IS DISTINCT FROM o.payment_id)
            OR bool_or(o.status = 'refunded' AND p.status <> 'refunded')""",
    "two captures for one order": """
        SELECT p.order_id, count(*) AS captures
        FROM payments.transactions t JOIN payments.payments p ON p.id = t.payment_id
        WHERE t.kind = 'capture' AND t.outcome = 'succeeded'
        GROUP BY p.order_id HAVING count(*) > 1""",
    "reservation committed twice": """
        SELECT r.order_id, r.sku, r.warehouse_id, r.quantity, sum(-m.on_hand_delta) AS committed
        FROM inventory.reservations r
        JOIN inventory.stock_movements m ON m.order_id = r.order_id AND m.sku = r.sku
             AND m.warehouse_id = r.warehouse_id AND m.cause = 'commit'
        GROUP BY r.order_id, r.sku, r.warehouse_id, r.quantity
        HAVING sum(-m.on_hand_delta) > r.quantity""",
    "confirmed order whose stock is not committed": """
        SELECT o.id AS order_id, o.status
        FROM orders.orders o
        WHERE o.status IN ('confirmed', 'shipped') AND o.updated_at < now() - make_interval(secs => :grace)
          AND (NOT EXISTS (SELECT 1 FROM inventory.reservations r WHERE r.order_id = o.id)
               OR EXISTS (SELECT 1 FROM inventory.reservations r
                          WHERE r.order_id = o.id AND r.state <> 'committed'))""",
    "cancelled order still holding stock": """
        SELECT o.id AS order_id, sum(r.quantity) AS held
        FROM orders.orders o JOIN inventory.reservations r ON r.order_id = o.id AND r.state = 'held'
        WHERE o.status = 'cancelled' AND o.updated_at < now() - make_interval(secs => :grace)
        GROUP BY o.id""",
    "payment taken for a cancelled order and not refunded": """
        SELECT p.id AS payment_id, p.order_id, p.amount_minor, p.refunded_minor
        FROM payments.payments p JOIN orders.orders o ON o.id = p.order_id
        WHERE o.status = 'cancelled' AND p.status = 'completed'
          AND o.updated_at < now() - make_interval(secs => :grace)""",
    "order left pending": """
        SELECT id AS order_id, placed_at FROM orders.orders
        WHERE status = 'pending' AND placed_at < now() - make_interval(secs => :grace)""",
    **{f"{domain} outbox rows older than a minute unsent": f"""
        SELECT count(*) AS unsent, min(created_at) AS oldest FROM {domain}.outbox
        WHERE sent_at IS NULL AND created_at < now() - interval '1 minute'
        HAVING count(*) > 0""" for domain in DOMAINS},
}


@dataclass(frozen=True)
class Violation:
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}"


def verify(admin_url: str, grace_seconds: float = 60.0,
           dead_letters: Callable[[], list[object]] | None = None) -> list[Violation]:
    """Run every check as the read-only role; return what breaks an invariant (nothing: all hold)."""
    engine = create_engine(role_url(admin_url, READER), poolclass=NullPool)
    found: list[Violation] = []
    try:
        with engine.connect() as conn:
            conn.execute(text("SET TRANSACTION READ ONLY"))
            for check, query in CHECKS.items():
                for row in conn.execute(text(query), {"grace": float(grace_seconds)}).mappings():
                    found.append(Violation(check, ", ".join(f"{k}={v}" for k, v in row.items())))
    finally:
        engine.dispose()
    if dead_letters is not None:
        for event in dead_letters():
            attributes = getattr(event, "attributes", {})
            found.append(Violation("dead letter", ", ".join(
                f"{k}={attributes.get(k)}" for k in ("type", "id", "subject", "knativeerrorcode"))))
    return found


@contextmanager
def _dead_letter_reader(args: argparse.Namespace, url: str) -> Iterator[Callable[[], list[object]] | None]:
    if args.no_dead_letters:
        yield None
        return
    from localrun.broker.__main__ import transport_for
    from localrun.broker.transport import DEFAULT_EXCHANGE, DEFAULT_PREFIX, Topology

    topology = Topology(os.environ.get("EVENTS_EXCHANGE") or DEFAULT_EXCHANGE,
                        os.environ.get("BROKER_QUEUE_PREFIX") or DEFAULT_PREFIX)
    with transport_for(args.transport, topology, url) as transport:
        yield lambda: list(transport.read_dead_letters())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localrun.verify", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or None,
                        help="the migration role's URL (default: make dev's database)")
    parser.add_argument("--grace", type=float, default=60.0,
                        help="seconds a change has to settle across domains before it counts")
    parser.add_argument("--no-dead-letters", action="store_true", help="do not read the local broker's")
    parser.add_argument("--transport", choices=("auto", "rabbitmq", "postgres"), default="auto")
    args = parser.parse_args(argv)
    from localrun.dev.stack import database

    with database(args.database_url) as url, _dead_letter_reader(args, url) as dead_letters:
        found = verify(url, args.grace, dead_letters)
    for violation in found:
        print(f"VIOLATION {violation}")
    if found:
        print(f"make verify: {len(found)} violation(s) of the checkout's invariants")
        return 1
    print(f"make verify: every invariant holds ({len(CHECKS) + (not args.no_dead_letters)} checks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
