"""Checkout benchmark: completed orders per second, cart to `confirmed` with its stock committed, and the SQL.

The whole local runtime as `make dev` runs it (gateway, activator, every domain's relay, the
local broker on RabbitMQ, on an exchange and queues of this run's own), over a PostgreSQL server
of the bench's own (the embedded one, in .data/bench/pg-checkout, started with
pg_stat_statements so every statement of every function, relay and handler is counted).

Set-up (not timed): the demo catalog plus generated products to 1,000 SKUs, each received into
stock through the admin API (so the catalog is asked, as in production); shoppers made the quick
way (localrun.dev.shoppers: rows in accounts, minted tokens).

Each run: N shoppers (threads), each in a loop for DURATION seconds: put one random SKU in the
cart (POST /api/cart/items), place the order (POST /api/orders with a new Idempotency-Key), wait
for it to await payment, pay it with `tok_visa` (POST /api/payments). Then the bench waits until
every order is confirmed (or final). The shoppers learn that an order awaits payment from one
watcher (OrderWatcher: every 20 ms, one read of the waiting orders' statuses by the bench's own
connection, whose statements are not counted), not by polling GET /api/orders/{id}: the
storefront follows an order every 3 s, and a bench shopper polling every 50 ms spent 12 ms of
CPU in orders-order per order (and 13 of the 128 statements) on a load no shopper makes. A run's
figures:
- orders/s: orders `confirmed` / (the last confirmation - the first POST);
- p50/p99 of the order's POST start (this process's clock) -> its `confirmed` history row's `at`
  (the start of orders' handler transaction, the database's clock; the same host clock here);
- stock committed: confirmed orders whose reservations inventory committed;
- `make verify`'s result on the run's database (localrun/verify.py, dead letters included);
- CPU per order by part (bench/_cpu.py): each function's process, the gateway and broker threads,
  PostgreSQL by the role whose backend it is, RabbitMQ, and the machine's total;
- SQL statements per order: pg_stat_statements' calls by the domains' roles during the run
  (cart, order, the access checks, inventory's reservation, the handlers' inbox rows, the relays'
  claims and marks), divided by the orders confirmed; per role beside it, and the statements run
  most often. BEGIN/COMMIT count; what a trigger runs inside a statement does not.
Runs: 8 and 32 shoppers over 1,000 SKUs, and one hot SKU at 32 shoppers (every reservation on
one stock row). Usage: python bench/checkout.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import REPO, percentile, record, sigterm_as_interrupt, table
from _cpu import CpuMeter, difference
from sqlalchemy import Engine, create_engine, text

from localrun.dev import embedded_pg
from localrun.dev.keys import ensure_key_pair
from localrun.dev.scratch import scratch_database
from localrun.dev.shoppers import make_shoppers
from localrun.dev.stack import jwt_settings, secrets_for
from schemas.migrate import role_url

SKUS = 1_000
UNITS = 1_000_000  # per SKU: no run ever runs out
PG_DIR = REPO / ".data" / "bench" / "pg-checkout"
PG_PORT = 54339
# "top": the statements the functions, relays and handlers send; the outbox trigger's NOTIFY runs
# inside their INSERT and is not one of them.
PG_SETTINGS = {"shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track": "top",
               "pg_stat_statements.max": "10000"}


class Client:
    """One keep-alive connection to the gateway per shopper thread."""

    def __init__(self, port: int) -> None:
        import http.client

        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method: str, path: str, body: dict | None, headers: dict[str, str]) -> tuple[int, dict]:
        payload = json.dumps(body).encode() if body is not None else None
        self.conn.request(method, path, body=payload, headers={"Content-Type": "application/json"} | headers)
        resp = self.conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")


@contextmanager
def system(url: str) -> Iterator[tuple[int, Engine, callable, CpuMeter, callable]]:
    """Yield (gateway port, admin engine, mint, CPU meter, dead-letter reader) with every relay and
    the local broker running."""
    import jwt

    from localrun.broker.localbroker import start_local_broker
    from localrun.dev.relays import Relays
    from localrun.gateway.server import serve
    from schemas.migrate import DOMAINS

    tag = uuid.uuid4().hex[:10]
    names = {"EVENTS_EXCHANGE": f"ecom.events.bench-{tag}", "BROKER_QUEUE_PREFIX": f"ecom.bench-{tag}"}
    conf = jwt_settings()
    with tempfile.TemporaryDirectory() as keys:
        private, public = ensure_key_pair(Path(keys))
        signing = private.read_text()

        def mint(role: str, **claims: str) -> str:
            now = int(time.time())
            return jwt.encode({"sub": str(uuid.uuid4()), "role": role, "iat": now, "exp": now + 3600,
                               "iss": conf["JWT_ISSUER"], "aud": conf["JWT_AUDIENCE"]} | claims,
                              signing, algorithm="RS256")

        gateway, activator = serve(REPO, secrets_for(url, (signing, public.read_text())), port=0, idle_seconds=600)
        broker = start_local_broker(REPO, activator, gateway, names)
        if broker is None:
            gateway.stop()
            activator.shutdown()
            raise SystemExit("RabbitMQ does not answer on 127.0.0.1:5672: the checkout bench needs it")
        relays = Relays({d: role_url(url, d) for d in DOMAINS}, broker.url, names["EVENTS_EXCHANGE"], "rabbitmq")
        relays.start()
        admin = create_engine(url)
        try:
            yield (gateway.port, admin, mint, CpuMeter(activator.running, lambda: postgres_pids(admin)),
                   broker.transport.read_dead_letters)
        finally:
            admin.dispose()
            relays.stop()
            broker.stop()
            broker.delete_topology()
            gateway.stop()
            activator.shutdown()


def postgres_pids(admin: Engine) -> dict[int, str]:
    """The server's processes, by whose work they do: each domain role's backends, the rest."""
    with admin.connect() as conn:
        rows = conn.execute(text(
            "SELECT pid, CASE WHEN backend_type <> 'client backend' THEN 'server processes (WAL writer, ...)' "
            "ELSE coalesce(usename, '?') || ' backends' END FROM pg_stat_activity"))
        return {pid: who for pid, who in rows}


def stock_catalog(port: int, admin: Engine, mint) -> list[str]:
    """Products up to SKUS (generated ones after the demo catalog's), each with UNITS in stock."""
    with admin.begin() as conn:
        have = conn.scalar(text("SELECT count(*) FROM catalog.products"))
        conn.execute(text(
            "INSERT INTO catalog.products (id, sku, slug, name, description, price_minor, currency) "
            "SELECT gen_random_uuid(), 'BENCH-' || lpad(n::text, 4, '0'), 'bench-product-' || n, "
            "'Bench product ' || n, '', 500 + n, 'USD' FROM generate_series(1, :missing) AS n"),
            {"missing": max(0, SKUS - have)})
        skus = conn.execute(text("SELECT sku FROM catalog.products WHERE active ORDER BY sku LIMIT :n"),
                            {"n": SKUS}).scalars().all()
    client, admin_headers = Client(port), {"Authorization": f"Bearer {mint('admin')}"}
    status, warehouse = client.send("POST", "/api/admin/warehouses", {"code": "BENCH", "name": "Bench"},
                                    admin_headers)
    assert status == 201, warehouse
    for sku in skus:
        status, body = client.send("POST", "/api/admin/stock/receive", {
            "warehouse_id": warehouse["id"], "sku": sku, "quantity": UNITS, "reason": "bench"}, admin_headers)
        assert status in (200, 201), body
    return list(skus)


class OrderWatcher:
    """Tells the shoppers when their orders leave `pending`: one thread reads the statuses of
    every order waited on, every TICK seconds, on the bench's own connection (not a domain role,
    so not among the counted statements)."""

    TICK = 0.02

    def __init__(self, admin: Engine) -> None:
        self._admin = admin
        self._waiting: dict[str, tuple[threading.Event, list[str]]] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="bench-order-watcher", daemon=True)

    def __enter__(self) -> OrderWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._thread.join()

    def wait(self, order_id: str, timeout: float) -> str:
        """The order's first status after pending, or "pending" when `timeout` passed first."""
        seen, status = threading.Event(), ["pending"]
        with self._lock:
            self._waiting[order_id] = (seen, status)
        seen.wait(timeout)
        with self._lock:
            self._waiting.pop(order_id, None)
        return status[0]

    def _watch(self) -> None:
        query = text("SELECT id::text, status FROM orders.orders WHERE id = ANY(CAST(:ids AS uuid[])) "
                     "AND status <> 'pending'")
        with self._admin.connect() as conn:
            while not self._stopped.wait(self.TICK):
                with self._lock:
                    ids = list(self._waiting)
                if not ids:
                    continue
                moved = conn.execute(query, {"ids": ids}).all()
                conn.rollback()  # each read sees the newest commits
                with self._lock:
                    for order_id, status in moved:
                        if (waiter := self._waiting.pop(order_id, None)) is not None:
                            waiter[1][0] = status
                            waiter[0].set()


def run(port: int, admin: Engine, meter: CpuMeter, shoppers: list[dict[str, str]], skus: list[str],
        seconds: float) -> dict:
    """Shoppers buy for `seconds`; return the run's figures once every order has left pending."""
    with admin.begin() as conn:
        conn.execute(text("SELECT pg_stat_statements_reset()"))
    cpu_before = meter.snapshot()
    placed: list[tuple[str, float]] = []
    failures: list[str] = []
    stop_at = time.monotonic() + seconds

    def shop(headers: dict[str, str], rnd: random.Random) -> None:
        client = Client(port)
        while time.monotonic() < stop_at:
            status, body = client.send("POST", "/api/cart/items", {"sku": rnd.choice(skus)}, headers)
            if status != 201:
                failures.append(f"cart {status}: {body.get('detail')}")
                continue
            started = time.time()
            status, body = client.send("POST", "/api/orders", {}, headers | {"Idempotency-Key": str(uuid.uuid4())})
            if status != 201:
                failures.append(f"order {status}: {body.get('detail')}")
                continue
            order_id = body["id"]
            placed.append((order_id, started))
            seen = body["status"] if body.get("status") != "pending" else watcher.wait(order_id, 30.0)
            if seen != "awaiting_payment":
                failures.append(f"order {order_id} is {seen}, not awaiting payment")
                continue
            status, body = client.send("POST", "/api/payments", {"order_id": order_id, "token": "tok_visa"},
                                       headers | {"Idempotency-Key": str(uuid.uuid4())})
            if status != 201:
                failures.append(f"payment {status}: {body.get('detail')}")

    threads = [threading.Thread(target=shop, args=(h, random.Random(i))) for i, h in enumerate(shoppers)]
    with OrderWatcher(admin) as watcher:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    ids = [order_id for order_id, _ in placed]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with admin.connect() as conn:
            left = conn.scalar(text("SELECT count(*) FROM orders.orders WHERE id = ANY(CAST(:ids AS uuid[])) "
                                    "AND status IN ('pending', 'paid')"), {"ids": ids})
            uncommitted = conn.scalar(text(
                "SELECT count(*) FROM orders.orders o WHERE o.id = ANY(CAST(:ids AS uuid[])) AND o.status = "
                "'confirmed' AND EXISTS (SELECT 1 FROM inventory.reservations r WHERE r.order_id = o.id "
                "AND r.state <> 'committed')"), {"ids": ids})
        if not left and not uncommitted:
            break
        time.sleep(0.2)
    time.sleep(1.0)  # the relays' last marks, the broker's last acks
    cpu = difference(cpu_before, meter.snapshot())
    with admin.connect() as conn:
        reached = dict(conn.execute(text(
            "SELECT order_id::text, extract(epoch FROM at)::float8 FROM orders.order_status_history "
            "WHERE to_status = 'confirmed' AND order_id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids}).all())
        committed = conn.scalar(text(
            "SELECT count(DISTINCT order_id) FROM inventory.reservations WHERE state = 'committed' "
            "AND order_id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids})
        counted = conn.execute(text(
            "SELECT r.rolname, s.query, s.calls FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
            "WHERE r.rolname LIKE 'ecom\\_%' AND s.dbid = (SELECT oid FROM pg_database WHERE datname = "
            "current_database()) ORDER BY s.calls DESC")).all()
    by_role: dict[str, int] = {}
    for role, _, calls in counted:
        by_role[role] = by_role.get(role, 0) + calls
    spans = [(reached[i] - started) * 1000 for i, started in placed if i in reached]
    first = min((s for _, s in placed), default=0.0)
    last = max(reached.values(), default=first)
    return {"placed": len(placed), "reached": len(reached), "committed": committed, "failures": failures,
            "rate": len(reached) / (last - first) if last > first else 0.0,
            "p50": percentile(spans, 50), "p99": percentile(spans, 99),
            "statements": sum(by_role.values()) / max(1, len(reached)),  # per completed order
            "cpu_ms": {part: used * 1000 / max(1, len(placed)) for part, used in cpu.items()},
            "by_role": {role: calls / max(1, len(reached)) for role, calls in by_role.items()},
            "top": [(role, " ".join(query.split())[:150], calls / max(1, len(reached)))
                    for role, query, calls in counted[:60]]}


def warm_up(port: int, admin: Engine, meter: CpuMeter, shoppers: list[dict[str, str]], skus: list[str],
            rounds: int = 5) -> None:
    """Short runs until one completes every order it placed and starts no function meanwhile.

    A function's start (its process, imports, first requests: 0.5-1 s of CPU) inside a measured
    run is counted as that run's CPU and latency: one warm-up run was not enough when a slow
    start made its orders fail (they stay awaiting payment, so none reached the handlers of
    order.confirmed), and those handlers then started inside the first measured run.
    """
    for _ in range(rounds):
        before = set(meter.functions())
        result = run(port, admin, meter, shoppers, skus, 2.0)
        complete = 0 < result["placed"] == result["reached"] == result["committed"] and not result["failures"]
        if complete and set(meter.functions()) == before:
            return
    print(f"warm-up: still starting functions or failing orders after {rounds} rounds", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    sigterm_as_interrupt()
    server = embedded_pg.start(PG_DIR, PG_PORT, "postgres", settings=PG_SETTINGS)
    try:
        with scratch_database(server, "bench-checkout") as url:
            with create_engine(url).begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            from functions.catalog.adapters.seed import load_seed, seed_catalog

            seeding = create_engine(role_url(url, "catalog"))
            with seeding.begin() as conn:
                seed_catalog(conn, load_seed())
            seeding.dispose()
            with system(url) as (port, admin, mint, meter, dead_letters):
                print(f"setting up: {SKUS} SKUs with stock, shoppers ...", flush=True)
                skus = stock_catalog(port, admin, mint)
                accounts = create_engine(role_url(url, "accounts"))
                shoppers = make_shoppers(accounts, mint, 32)
                accounts.dispose()
                warm_up(port, admin, meter, shoppers[:8], skus)
                results = {}
                for label, count, pool in (("8 shoppers, 1,000 SKUs", 8, skus), ("32 shoppers, 1,000 SKUs", 32, skus),
                                           ("32 shoppers, one hot SKU", 32, skus[:1])):
                    print(f"run: {label}, {args.seconds:g} s ...", flush=True)
                    results[label] = run(port, admin, meter, shoppers[:count], pool, args.seconds)
                from localrun.verify import verify

                found = [str(v) for v in verify(url, 0.0, dead_letters)]
    finally:
        embedded_pg.stop(PG_DIR)
    report(results, found)


TARGET_RATE, TARGET_STATEMENTS = 100.0, 25.0  # completed orders/s; SQL statements per completed order


def report(results: dict[str, dict], found: list[str]) -> None:
    rows = [(label, r["placed"], r["reached"], r["committed"], f"{r['rate']:.1f}", f"{r['p50']:.0f}",
             f"{r['p99']:.0f}", f"{r['statements']:.1f}", len(r["failures"])) for label, r in results.items()]
    print("\ncart -> order -> awaiting_payment -> paid (tok_visa) -> confirmed, stock committed (every event "
          "through RabbitMQ)")
    print(table(("run", "placed", "confirmed", "committed", "orders/s", "p50 ms", "p99 ms", "SQL/order",
                 "failed"), rows))
    print(f"\nmake verify after the runs: {len(found)} violation(s)")
    for violation in found[:10]:
        print(f"  {violation}")
    roles = sorted({role for r in results.values() for role in r["by_role"]})
    print("\nSQL statements per order, by the role that ran them (pg_stat_statements; BEGIN/COMMIT included)")
    print(table(("run", *roles), [(label, *(f"{r['by_role'].get(role, 0):.1f}" for role in roles))
                                 for label, r in results.items()]))
    label, r = next(iter(results.items()))
    print(f"\nThe statements run most often ({label}), per completed order")
    print(table(("role", "per order", "statement"), [(role, f"{calls:.2f}", query) for role, query, calls in r["top"]
                                                     if calls >= 0.5]))
    parts = sorted(r["cpu_ms"], key=lambda part: -r["cpu_ms"][part])
    print(f"\nCPU ms per order ({label}; the machine total includes everyone else on it)")
    print(table(("part", *results), [(part, *(f"{x['cpu_ms'].get(part, 0):.1f}" for x in results.values()))
                                    for part in parts if r["cpu_ms"][part] >= 0.5]))
    for label, r in results.items():
        for failure in sorted(set(r["failures"]))[:5]:
            print(f"  {label}: {failure}")
    record("checkout", [
        {"figure": f"checkout {label}: completed orders/s", "value": round(r["rate"], 1), "unit": "orders/s",
         "floor": None, "floor_value": None, "ratio": None, "target": f">= {TARGET_RATE:g}",
         "met": r["rate"] >= TARGET_RATE}
        for label, r in results.items()] + [
        {"figure": f"checkout {label}: SQL statements per completed order", "value": round(r["statements"], 1),
         "unit": "statements", "floor": None, "floor_value": None, "ratio": None,
         "target": f"<= {TARGET_STATEMENTS:g}", "met": r["statements"] <= TARGET_STATEMENTS}
        for label, r in results.items()] + [
        {"figure": "checkout: make verify violations after the runs", "value": len(found), "unit": "violations",
         "floor": None, "floor_value": None, "ratio": None, "target": "0", "met": not found}])


if __name__ == "__main__":
    main()
