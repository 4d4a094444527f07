"""Load test: Online Boutique's shopper mix (bench/locustfile.py) through the whole local stack.

Starts the stack as bench/checkout.py does (gateway, activator, every domain's relay, the local
broker on RabbitMQ on an exchange and queues of this run's own) over a database of its own (on
an embedded PostgreSQL in .data/bench/pg-load, or on --database-server), seeds the demo catalog,
receives stock for every SKU through the admin API, makes the shoppers the quick way
(localrun.dev.shoppers; each also gets a password, for the login task) and runs locust headless
in its own process: `locust --headless -u USERS -r RATE -t DURATION`. The gateway runs as the
cluster's Kong does, with proxy-cache on for the public catalog reads (`--proxy-cache off` sends
every read to its function, as `make dev` does). Then it lets the events
settle (no order pending or paid, every confirmed order's stock committed), runs `make verify`
(localrun.verify, grace 0, dead letters included) and prints p50/p95/p99 per task and per
request, requests/s, errors (count and %) and the verdict beside the issue's target: 200 users
with 1-3 s think time, checkout p99 < 500 ms, errors < 0.1%, invariants intact, where the
machine's CPU went meanwhile (bench/_cpu.py: each function, PostgreSQL by role, RabbitMQ, the
gateway and broker threads), each function's own time per request (from its log) and the
seconds when most requests were slow inside their functions, with what was slow together.
The rows go to .data/bench/load.json for bench/summary.py.

Percentiles are locust's (its response times are kept rounded to 2 significant digits).
Usage: python bench/load.py [--users 200] [--duration 60s] [--spawn-rate N] [--json PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

from _common import REPO, percentile, record, sigterm_as_interrupt, table
from _cpu import MACHINE, difference
from checkout import Client, system
from sqlalchemy import Engine, create_engine, text

from localrun.dev import embedded_pg
from localrun.dev.scratch import scratch_database
from localrun.dev.shoppers import make_shoppers
from schemas.migrate import role_url

PG_DIR = REPO / ".data" / "bench" / "pg-load"
PG_PORT = 54341
LOG = REPO / ".data" / "bench" / "load-functions.log"
UNITS = 1_000_000  # per SKU: no run runs out
PASSWORD = "load-test-shopper-pw-4417"
SLOW_MS = 200.0  # a request this long inside its function is slow (bench/load.py's slowest seconds)
TASKS = ("index", "browse", "search", "add to cart", "view cart", "checkout", "login")
TARGET_USERS, TARGET_CHECKOUT_P99_MS, TARGET_ERROR_PCT = 200, 500.0, 0.1


def stock(port: int, admin: Engine, mint) -> None:
    """Every active SKU gets UNITS in one warehouse (the admin API, so the catalog is asked)."""
    with admin.connect() as conn:
        skus = conn.execute(text("SELECT sku FROM catalog.products WHERE active ORDER BY sku")).scalars().all()
    headers = {"Authorization": f"Bearer {mint('admin')}"}
    status, warehouse = Client(port).send("POST", "/api/admin/warehouses", {"code": "LOAD", "name": "Load"},
                                          headers)
    assert status == 201, warehouse

    def receive(part: list[str]) -> None:
        client = Client(port)
        for sku in part:
            status, body = client.send("POST", "/api/admin/stock/receive", {
                "warehouse_id": warehouse["id"], "sku": sku, "quantity": UNITS, "reason": "load test"}, headers)
            assert status in (200, 201), body

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(receive, [skus[i::4] for i in range(4)]))


def warm_up(port: int, shopper: dict) -> None:
    """Every function the mix calls (and every event handler of a checkout) started once, untimed."""
    client, headers = Client(port), shopper["headers"]
    _, page = client.send("GET", "/api/products?page_size=20", None, {})
    client.send("GET", "/api/categories", None, {})
    client.send("GET", "/api/products?q=mug", None, {})
    client.send("GET", f"/api/products/{page['items'][0]['slug']}", None, {})
    client.send("POST", "/api/cart/items", {"sku": page["items"][0]["sku"]}, headers)
    client.send("GET", "/api/cart", None, headers)
    status, order = client.send("POST", "/api/orders", {}, headers | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, order
    deadline = time.monotonic() + 60
    while order.get("status") == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
        _, order = client.send("GET", f"/api/orders/{order['id']}", None, headers)
    status, body = client.send("POST", "/api/payments", {"order_id": order["id"], "token": "tok_visa"},
                               headers | {"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, body
    status, body = client.send("POST", "/api/auth/login", {"email": shopper["email"], "password": PASSWORD}, {})
    assert status == 200, body


def shoppers(url: str, mint, count: int) -> list[dict]:
    """`count` shoppers with an address, a token, a password and a loopback address of their own."""
    import jwt

    from functions.accounts.adapters.passwords import hash_password

    accounts = create_engine(role_url(url, "accounts"))
    try:
        made = make_shoppers(accounts, mint, count)
        subs = [jwt.decode(h["Authorization"].split()[1], options={"verify_signature": False})["sub"] for h in made]
        with accounts.begin() as conn:  # one hash for all: the login task times argon2, not this set-up
            conn.execute(text("UPDATE accounts.users SET password_hash = :h WHERE id = ANY(CAST(:ids AS uuid[]))"),
                         {"h": hash_password(PASSWORD), "ids": subs})
            emails = dict(conn.execute(text("SELECT id::text, email FROM accounts.users "
                                            "WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": subs}).all())
    finally:
        accounts.dispose()
    return [{"headers": h, "email": emails[s], "password": PASSWORD, "source": f"127.10.{n // 250}.{1 + n % 250}"}
            for n, (h, s) in enumerate(zip(made, subs))]


def settle(admin: Engine, seconds: float = 60.0) -> None:
    """Wait until no order is pending or paid and every confirmed order's stock is committed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with admin.connect() as conn:
            left = conn.scalar(text(
                "SELECT (SELECT count(*) FROM orders.orders WHERE status IN ('pending', 'paid')) + (SELECT count(*) "
                "FROM orders.orders o WHERE o.status = 'confirmed' AND EXISTS (SELECT 1 FROM inventory.reservations r "
                "WHERE r.order_id = o.id AND r.state <> 'committed'))"))
        if not left:
            break
        time.sleep(0.2)
    time.sleep(1.0)  # the relays' last marks, the broker's last acks


def run_locust(port: int, people: list[dict], users: int, rate: float, duration: str, tour: bool) -> dict:
    """Run locust headless against the gateway; return its per-row stats and failures."""
    with tempfile.TemporaryDirectory() as tmp:
        shoppers_file = Path(tmp) / "shoppers.json"
        shoppers_file.write_text(json.dumps(people))
        command = [sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "locustfile.py"), "--headless",
                   "-u", str(users), "-r", f"{rate:g}", "-t", duration, "--host", f"http://127.0.0.1:{port}",
                   "--stop-timeout", "40", "--csv", str(Path(tmp) / "load"), "--only-summary",
                   "--loglevel", "WARNING"]
        print("$ " + " ".join(command[2:]), flush=True)
        env = os.environ | {"LOAD_SHOPPERS": str(shoppers_file), "LOAD_TOUR": "1" if tour else "0"}
        started = time.monotonic()
        done = subprocess.run(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        elapsed = time.monotonic() - started
        stats_path = Path(tmp) / "load_stats.csv"
        if not stats_path.exists():
            raise SystemExit(f"locust wrote no stats (exit {done.returncode}):\n{done.stdout[-3000:]}")
        with stats_path.open() as f:
            rows = [r for r in csv.DictReader(f) if r["Name"] != "Aggregated"]
        with (Path(tmp) / "load_failures.csv").open() as f:
            failures = list(csv.DictReader(f))
    return {"rows": rows, "failures": failures, "exit": done.returncode, "elapsed": elapsed,
            "output": done.stdout}


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def summarize(result: dict, found: list[str], users: int, duration: str) -> dict:
    rows = result["rows"]
    requests = [r for r in rows if r["Type"] not in ("TASK", "WAIT")]
    count = sum(int(r["Request Count"]) for r in requests)
    failed = sum(int(r["Failure Count"]) for r in requests)

    def figures(r: dict) -> dict:
        return {"count": int(r["Request Count"]), "failures": int(r["Failure Count"]), "p50": _num(r["50%"]),
                "p95": _num(r["95%"]), "p99": _num(r["99%"]), "rps": _num(r["Requests/s"])}

    tasks = {r["Name"]: figures(r) for r in rows if r["Type"] == "TASK"}
    checkout_p99 = tasks.get("checkout", {}).get("p99", math.nan)
    error_pct = 100.0 * failed / count if count else math.nan
    return {"users": users, "duration": duration, "requests": count, "errors": failed, "error_pct": error_pct,
            "rps": sum(_num(r["Requests/s"]) for r in requests), "tasks": tasks,
            "requests_by_name": {f"{r['Type']} {r['Name']}" if r["Type"] == "WAIT" else r["Name"]: figures(r)
                                 for r in rows if r["Type"] != "TASK"},
            "failures": [{"name": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])}
                         for f in result["failures"]],
            "violations": found, "checkout_p99": checkout_p99, "locust_exit": result["exit"],
            "met": {"users": users >= TARGET_USERS, "checkout p99": checkout_p99 < TARGET_CHECKOUT_P99_MS,
                    "errors": count > 0 and error_pct < TARGET_ERROR_PCT, "invariants": not found}}


def report(s: dict) -> None:
    def ms(v: float) -> str:
        return "-" if math.isnan(v) else f"{v:.0f}"

    print(f"\nload: {s['users']} users, {s['duration']}, 1-3 s think time, Online Boutique's mix "
          "(index 1, browse 10, search 2, add to cart 2, view cart 3, checkout 1, login 1); the gateway's "
          f"proxy-cache {s['proxy_cache']} for public catalog reads")
    print("\nper task (its requests' time; checkout without the storefront's 3 s between polls)")
    print(table(("task", "count", "failed", "p50 ms", "p95 ms", "p99 ms"),
                [(name, t["count"], t["failures"], ms(t["p50"]), ms(t["p95"]), ms(t["p99"]))
                 for name in TASKS if (t := s["tasks"].get(name))]))
    print("\nper request")
    print(table(("request", "count", "failed", "p50 ms", "p95 ms", "p99 ms", "req/s"),
                [(name, r["count"], r["failures"], ms(r["p50"]), ms(r["p95"]), ms(r["p99"]), f"{r['rps']:.1f}")
                 for name, r in sorted(s["requests_by_name"].items())]))
    print(f"\nrequests: {s['requests']} ({s['rps']:.1f}/s), errors: {s['errors']} ({s['error_pct']:.3f}%)")
    for f in s["failures"][:10]:
        print(f"  {f['count']} x {f['name']}: {f['error'][:160]}")
    print(f"make verify after the run (grace 0, events settled): {len(s['violations'])} violation(s)")
    for v in s["violations"][:10]:
        print(f"  {v}")
    met = s["met"]
    print(f"\ntarget (issue 13): {TARGET_USERS} users with 1-3 s think time, checkout p99 < "
          f"{TARGET_CHECKOUT_P99_MS:g} ms, errors < {TARGET_ERROR_PCT:g}%, invariants intact")
    print(f"  users {s['users']} ({'met' if met['users'] else 'not the target load'}); checkout p99 "
          f"{ms(s['checkout_p99'])} ms ({'met' if met['checkout p99'] else 'MISSED'}); errors "
          f"{s['error_pct']:.3f}% ({'met' if met['errors'] else 'MISSED'}); invariants "
          f"({'intact' if met['invariants'] else 'VIOLATED'}) -> "
          f"{'MET' if all(met.values()) else 'NOT MET'}")
    record("load", [
        {"figure": f"load {s['users']} users {s['duration']}: checkout p99", "value": round(s["checkout_p99"], 1),
         "unit": "ms", "floor": None, "floor_value": None, "ratio": None,
         "target": f"< {TARGET_CHECKOUT_P99_MS:g} at {TARGET_USERS} users",
         "met": met["checkout p99"] and met["users"]}] + [
        {"figure": f"load {s['users']} users: {name} p99", "value": round(t["p99"], 1), "unit": "ms", "floor": None,
         "floor_value": None, "ratio": None, "target": "-", "met": None}
        for name, t in s["tasks"].items() if name != "checkout"] + [
        {"figure": f"load {s['users']} users: requests/s", "value": round(s["rps"], 1), "unit": "req/s",
         "floor": None, "floor_value": None, "ratio": None, "target": "-", "met": None},
        {"figure": f"load {s['users']} users: errors", "value": round(s["error_pct"], 3), "unit": "%",
         "floor": None, "floor_value": None, "ratio": None, "target": f"< {TARGET_ERROR_PCT:g}", "met": met["errors"]},
        {"figure": "load: make verify violations after the run", "value": len(s["violations"]),
         "unit": "violations", "floor": None, "floor_value": None, "ratio": None, "target": "0",
         "met": met["invariants"]}])


def report_cpu(cpu: dict[str, float], seconds: float) -> None:
    """Where the machine's CPU went during the run: each part's share of one core, the busiest first."""
    total = cpu.pop(MACHINE, 0.0)
    parts = sorted(cpu.items(), key=lambda item: -item[1])
    rows = [(part, f"{100 * used / seconds:.0f}%") for part, used in parts if used / seconds >= 0.01]
    rows.append(("the rest (locust's own process, other work on the machine)",
                 f"{100 * max(0.0, total - sum(cpu.values())) / seconds:.0f}%"))
    rows.append((f"machine total ({os.cpu_count()} cores = {100 * (os.cpu_count() or 1)}%)",
                 f"{100 * total / seconds:.0f}%"))
    print(f"\nCPU during the run ({seconds:.0f} s), % of one core")
    print(table(("part", "CPU"), rows))


def function_times(lines, since: float, until: float) -> tuple[dict[str, list[float]], dict[str, list]]:
    """Read the functions' JSON log lines: each request's time inside its function (ms) by
    function, and per wall-clock second the (function, ms) of requests slower than SLOW_MS, for
    the requests that ended between `since` and `until` (epoch seconds)."""
    from datetime import datetime

    by_function: dict[str, list[float]] = {}
    slow: dict[str, list] = {}
    for line in lines:
        try:
            entry = json.loads(line)
            ended = datetime.fromisoformat(entry["time"]).timestamp()
            ms, function = float(entry["duration_ms"]), str(entry["service"])
        except (ValueError, KeyError, TypeError):
            continue  # not a request's line (gunicorn's, a warning), or cut short
        if since <= ended <= until:
            by_function.setdefault(function, []).append(ms)
            if ms > SLOW_MS:
                slow.setdefault(entry["time"][11:19], []).append((function, ms))
    return by_function, slow


def report_functions(by_function: dict[str, list[float]], slow: dict[str, list]) -> None:
    """Each function's own time per request (no gateway, no queue before it), and the seconds when
    most requests were slow inside their functions: what was slow together, so a cause shows."""
    busiest = sorted(by_function.items(), key=lambda item: -len(item[1]))
    print("\ninside each function (its log's duration_ms: from its handler's start to its answer)")
    print(table(("function", "requests", "p50 ms", "p99 ms", "max ms"),
                [(name, len(v), f"{percentile(v, 50):.1f}", f"{percentile(v, 99):.1f}", f"{max(v):.1f}")
                 for name, v in busiest]))
    worst = sorted(slow.items(), key=lambda item: -len(item[1]))[:3]
    print(f"\nthe seconds with the most requests over {SLOW_MS:g} ms inside their function (UTC)")
    rows = []
    for second, found in worst:
        counts: dict[str, list[float]] = {}
        for function, ms in found:
            counts.setdefault(function, []).append(ms)
        rows += [(second, function, len(v), f"{max(v):.0f}")
                 for function, v in sorted(counts.items(), key=lambda item: -len(item[1]))]
    print(table(("second", "function", "slow", "max ms"), rows) if rows else "  none")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=TARGET_USERS)
    parser.add_argument("--duration", default="60s", help="locust's -t: 30s, 2m, ...")
    parser.add_argument("--spawn-rate", type=float, help="users started per second (default: all in 10 s)")
    parser.add_argument("--database-server", help="a PostgreSQL server URL instead of the embedded one")
    parser.add_argument("--tour", action="store_true", help="each user first runs every task once (short runs)")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    parser.add_argument("--proxy-cache", choices=("on", "off"), default="on",
                        help="the gateway's proxy-cache on the public catalog reads (on, as Kong in the cluster)")
    args = parser.parse_args()
    sigterm_as_interrupt()
    # The gateway as the cluster's Kong runs it: public catalog reads cached for their max-age
    # (5 s). `make dev` and the e2e tests leave it off so that every write shows at once.
    os.environ["LOCALRUN_PROXY_CACHE"] = args.proxy_cache
    rate = args.spawn_rate or max(1.0, args.users / 10)
    began = time.monotonic()
    server = args.database_server or embedded_pg.start(PG_DIR, PG_PORT, "postgres")
    try:
        with scratch_database(server, "load") as url:
            from functions.catalog.adapters.seed import load_seed, seed_catalog

            seeding = create_engine(role_url(url, "catalog"))
            with seeding.begin() as conn:
                seed_catalog(conn, load_seed())
            seeding.dispose()
            import localrun.gateway.server as gateway_server

            LOG.parent.mkdir(parents=True, exist_ok=True)
            functions_log = LOG.open("w")  # the functions' own log lines, out of the report's way
            gateway_server.serve = partial(gateway_server.serve, log_to=functions_log)
            with system(url) as (port, admin, mint, meter, dead_letters):
                print(f"setting up: stock for every SKU, {args.users} shoppers, a warm-up checkout "
                      f"(functions' output: {LOG.relative_to(REPO)}) ...", flush=True)
                stock(port, admin, mint)
                people = shoppers(url, mint, args.users)
                warm_up(port, people[0])
                print(f"set up in {time.monotonic() - began:.0f} s", flush=True)
                before, since = meter.snapshot(), time.time()
                result = run_locust(port, people, args.users, rate, args.duration, args.tour)
                cpu, until = difference(before, meter.snapshot()), time.time()
                print(f"locust ran {result['elapsed']:.0f} s; letting events settle ...", flush=True)
                settled = time.monotonic()
                settle(admin)
                from localrun.verify import verify

                found = [str(v) for v in verify(url, 0.0, dead_letters)]
                print(f"settled and verified in {time.monotonic() - settled:.0f} s", flush=True)
    finally:
        if not args.database_server:
            embedded_pg.stop(PG_DIR)
    summary = summarize(result, found, args.users, args.duration) | {"proxy_cache": args.proxy_cache}
    if not summary["tasks"]:
        print(result["output"][-3000:])
    report(summary)
    report_cpu(cpu, result["elapsed"])
    functions_log.close()
    with LOG.open() as lines:
        report_functions(*function_times(lines, since, until))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
