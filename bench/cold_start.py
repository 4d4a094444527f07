"""Cold start: time from request to response for a scaled-to-zero function, beside the same request warm.

What is measured
    The local gateway and activator run in this process (`localrun.gateway.server.serve`, port 0) over a
    scratch database seeded with the demo catalog. For each function (`catalog-product`: GET
    /api/products/<slug>; `catalog-products`: GET /api/products?q=wireless) and each of --runs
    runs, the function is scaled to zero (`Activator.stop`, which returns once its process is
    gone), then one request is timed through the gateway on a fresh client connection: routing,
    process spawn, imports, gunicorn, first database connection, the query and the proxying.
    Every answer must be 200 with the right body. Then --warm requests are timed the same way
    (a fresh client connection each) against the running function.

How to read it
    "cold" is what the first shopper after an idle period waits, "warm" what everyone else waits;
    cold/warm is the price of scaling to zero. The breakdown splits each cold request with the
    activator's events: gateway -> spawn (routing, lease, fork/exec), spawn -> listening (Python
    start-up, imports, functions-framework app, gunicorn bind: the activator's readiness gate),
    and listening -> answer (gunicorn worker boot, first DB connection, the query, the proxy back).
    "import costs" are measured inside fresh `python -c` processes, to show how much of
    spawn -> listening is importing. "stop" is how long scaling to zero takes (not part of any
    request). The target line is informational: the exit status is non-zero only on errors.

The floor
    In every round, before the functions, a functions-framework hello world (bench/hello/main.py)
    is spawned by the same launcher (the same `python -m functions_framework` command line, the
    same environment from knative/config.yaml: gunicorn, WORKERS, THREADS) and timed from spawn
    to its first answer, then stopped. Each function's cold p50 is printed as a ratio to the
    hello world's p50 of the same run (target <= 1.5x); rows go to .data/bench/cold_start.json
    for `bench/summary.py`. Accounts are measured with GET /api/users/me (a token of a user
    registered through the gateway first): jwt, the access check and a query.
    "first request, staged" runs bench/_first_request.py in fresh processes: each heavy import
    group, engine creation, the first connection and the first request timed on their own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from _common import (
    REPO,
    check_search,
    fetch,
    percentile,
    record,
    search_path,
    seeded_database,
    sigterm_as_interrupt,
    table,
)

from localrun.dev.keys import ensure_key_pair
from localrun.dev.stack import secrets_for
from localrun.gateway.server import Gateway, serve
from localrun.serving.activator import Activator, LifecycleEvent
from localrun.serving.launcher import Launcher
from localrun.serving.manifests import FunctionSpec
from localrun.serving.processes import terminate

TARGET_RATIO = 1.5  # cold p50 / the hello world's spawn-to-answer p50
FLOOR = "hello-world"
# Cumulative imports of a function process, cheapest first (pg8000 loads on the first request).
IMPORT_STEPS: tuple[tuple[str, str], ...] = (
    ("flask", "flask"),
    ("+ functions_framework", "flask, functions_framework"),
    ("+ sqlalchemy", "flask, functions_framework, sqlalchemy"),
    ("+ pydantic", "flask, functions_framework, sqlalchemy, pydantic"),
    ("+ functions.catalog.main", "flask, functions_framework, sqlalchemy, pydantic, functions.catalog.main"),
    ("+ pg8000", "flask, functions_framework, sqlalchemy, pydantic, functions.catalog.main, pg8000"),
)


@dataclass(frozen=True)
class Target:
    """One function and the request that wakes it."""

    name: str
    path: str
    check: Callable[[int, bytes], None]
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Timed:
    """One timed request: latency, and wall-clock send/answer times to line up with events."""

    ms: float
    sent_at: float
    done_at: float


@dataclass
class Series:
    """What was measured for one function."""

    cold: list[Timed] = field(default_factory=list)
    warm: list[Timed] = field(default_factory=list)
    stop_ms: list[float] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=dict)


def product_target() -> Target:
    """GET one seeded product by slug; its slug and SKU must come back."""
    from functions.catalog.adapters.seed import load_seed
    from functions.catalog.model import slugify

    product = load_seed()["products"][0]
    slug = product.get("slug") or slugify(product["name"])

    def check(status: int, body: bytes) -> None:
        assert status == 200, f"GET product {slug}: HTTP {status}: {body[:200]!r}"
        found = json.loads(body)
        assert found["slug"] == slug and found["sku"] == product["sku"], f"wrong product: {body[:200]!r}"

    return Target("catalog-product", f"/api/products/{slug}", check)


def search_target(word: str = "wireless") -> Target:
    """Search the catalog for `word`; the results must mention it."""
    return Target("catalog-products", search_path(word), lambda s, b: check_search(s, b, word))


def me_target(gateway: Gateway) -> Target:
    """Register and log in a shopper through the gateway; GET /api/users/me with the token."""
    import secrets

    email = f"cold-{secrets.token_hex(4)}@example.com"
    password = "a long bench passphrase"
    status, body = post(gateway.port, "/api/auth/register",
                        {"email": email, "password": password, "name": "Cold Start"})
    assert status == 201, f"register: HTTP {status}: {body[:200]!r}"
    status, body = post(gateway.port, "/api/auth/login", {"email": email, "password": password})
    assert status == 200, f"login: HTTP {status}: {body[:200]!r}"
    token = json.loads(body)["access_token"]

    def check(status: int, body: bytes) -> None:
        assert status == 200, f"GET /api/users/me: HTTP {status}: {body[:200]!r}"
        assert json.loads(body)["email"] == email, f"wrong user: {body[:200]!r}"

    return Target("accounts-me", "/api/users/me", check, (("Authorization", f"Bearer {token}"),))


def post(port: int, path: str, data: dict[str, object]) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, json.dumps(data), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def timed_get(gateway: Gateway, target: Target) -> Timed:
    """Send target's request on a fresh connection, check the answer, return its timing."""
    sent_at, t0 = time.time(), time.perf_counter()
    status, body = fetch(gateway.port, target.path, headers=dict(target.headers))
    ms = (time.perf_counter() - t0) * 1000
    target.check(status, body)
    return Timed(ms, sent_at, sent_at + ms / 1000)


def scale_to_zero(gateway: Gateway, activator: Activator, name: str) -> float | None:
    """Stop `name` and wait until its process is gone; return how long that took (ms), None if down.

    The gateway releases its lease just after the client has the answer, so stop() may see the
    last request in flight for a moment: retry until it is idle. The gateway's idle keep-alive
    connections are closed first, as after a real idle period (gunicorn drops them after 2 s);
    otherwise gunicorn lingers up to 2 s on them before it exits.
    """
    if name not in activator.running():
        return None
    t0 = time.perf_counter()
    deadline = time.monotonic() + 10
    while name in activator.running():
        gateway.pool.clear()
        if not activator.stop(name):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} is still busy; cannot scale it to zero")
            time.sleep(0.005)
    return (time.perf_counter() - t0) * 1000


def cold_run(gateway: Gateway, activator: Activator, target: Target, series: Series) -> None:
    """Time one request to a freshly stopped function; it must start it exactly once."""
    if (stop_ms := scale_to_zero(gateway, activator, target.name)) is not None:
        series.stop_ms.append(stop_ms)
    starts = activator.starts[target.name]
    series.cold.append(timed_get(gateway, target))
    if activator.starts[target.name] != starts + 1:
        raise RuntimeError(f"{target.name}: expected exactly one start per cold request")


def hello_spec(like: FunctionSpec) -> FunctionSpec:
    """The hello world as a function of the same environment as `like` (WORKERS, THREADS...)."""
    return FunctionSpec(FLOOR, like.namespace, dict(like.env, FUNCTION_TARGET="hello",
                                                     FUNCTION_SOURCE="bench/hello/main.py"),
                        0, "bench/hello/main.py", "hello", "http")


def hello_run(launcher: Launcher, spec: FunctionSpec) -> float:
    """Spawn the hello world, wait until it listens (as the activator does), time its first answer."""
    t0 = time.perf_counter()
    started = launcher.launch(spec, lambda proc, port: True)
    try:
        status, body = fetch(started.port, "/")
        ms = (time.perf_counter() - t0) * 1000
        assert status == 200 and body == b"Hello, World!", f"hello world: HTTP {status}: {body[:100]!r}"
        return ms
    finally:
        terminate([started.proc])


def warm_runs(gateway: Gateway, target: Target, count: int, series: Series, warm_up: int = 5) -> None:
    """Time `count` requests to the running function (after a few untimed ones)."""
    for _ in range(warm_up):
        timed_get(gateway, target)
    series.warm.extend(timed_get(gateway, target) for _ in range(count))


def phases(events: list[LifecycleEvent], name: str, runs: list[Timed]) -> dict[str, list[float]]:
    """Split each cold request by the activator's start/ready events into three phases (ms)."""
    starts = [e for e in events if e.name == name and e.kind == "start"]
    ready = {e.pid: e for e in events if e.name == name and e.kind == "ready"}
    out: dict[str, list[float]] = {"gateway -> spawn": [], "spawn -> listening": [],
                                   "listening -> answer": []}
    for run in runs:
        start = next((e for e in starts if run.sent_at <= e.at <= run.done_at), None)
        if start is None or start.pid not in ready:
            continue
        up = ready[start.pid]
        out["gateway -> spawn"].append((start.at - run.sent_at) * 1000)
        out["spawn -> listening"].append((up.at - start.at) * 1000)
        out["listening -> answer"].append((run.done_at - up.at) * 1000)
    return out


def handler_ms(log: IO[bytes], name: str) -> list[float]:
    """Return the handler times (ms) `name` logged, in order (one JSON line per request)."""
    log.flush()
    log.seek(0)
    out = []
    for line in log.read().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("service") == name and "duration_ms" in record:
            out.append(float(record["duration_ms"]))
    log.seek(0, os.SEEK_END)
    return out


def startup_ms() -> float:
    """Return the wall time of `python -c pass` (interpreter start and exit), best of 3."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best


def import_ms(modules: str, repeats: int = 3) -> float:
    """Return how long `import modules` takes in a fresh interpreter (ms, best of `repeats`)."""
    code = f"import time; t = time.perf_counter(); import {modules}; print((time.perf_counter() - t) * 1000)"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return min(float(subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, check=True,
                                    capture_output=True, text=True).stdout) for _ in range(repeats))


@contextmanager
def children_log() -> Iterator[IO[bytes]]:
    """Send fd 2 (where function processes log a JSON line per request) to a temp file meanwhile."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield log
        except Exception:  # an error, not Ctrl-C: show what the functions said last
            os.dup2(saved, 2)
            log.seek(0)
            tail = log.read()[-4000:].decode("utf-8", "replace")
            print(f"--- last function/gateway log output ---\n{tail}", file=sys.stderr)
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


@contextmanager
def running_stack(idle_seconds: float = 600.0) -> Iterator[tuple[Gateway, Activator]]:
    """Yield an in-process gateway + activator on a free port over a seeded scratch database."""
    with seeded_database("bench_cold") as url, tempfile.TemporaryDirectory() as keys:
        private, public = ensure_key_pair(Path(keys))
        gateway, activator = serve(REPO, secrets_for(url, (private.read_text(), public.read_text())), port=0,
                                   idle_seconds=idle_seconds)
        try:
            yield gateway, activator
        finally:
            gateway.stop()
            activator.shutdown()
            if left := activator.running():
                raise RuntimeError(f"functions left running: {left}")


def ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def p50_p95(values: list[float]) -> list[str]:
    return [ms(percentile(values, 50)), ms(percentile(values, 95))] if values else ["-", "-"]


def print_summary(results: dict[str, Series]) -> None:
    """Print the cold/warm table and the target line."""
    rows = []
    for name, s in results.items():
        cold, warm = [t.ms for t in s.cold], [t.ms for t in s.warm]
        ratio = percentile(cold, 50) / percentile(warm, 50)
        rows.append([name, *p50_p95(cold), *p50_p95(warm), f"{ratio:.0f}x"])
    first = next(iter(results.values()))
    print(f"\ncold start vs warm through the gateway ({len(first.cold)} cold, {len(first.warm)} warm "
          "requests per function, fresh client connection each)")
    print(table(["function", "cold p50", "cold p95", "warm p50", "warm p95", "cold/warm p50"], rows))


def print_breakdown(results: dict[str, Series], python_ms: float, imports: list[tuple[str, float]]) -> None:
    """Print where a cold request's time goes, the import costs and the stop times."""
    print("\nwhere a cold request's time goes (from the activator's start/ready events)")
    rows = [[name, phase, *p50_p95(values)]
            for name, s in results.items() for phase, values in s.phases.items()]
    rows += [[name, "(stop: scale to zero)", *p50_p95(s.stop_ms)] for name, s in results.items()]
    print(table(["function", "phase", "p50", "p95"], rows, left=2))
    print("\nimport costs in a fresh interpreter (cumulative, best of 3; part of spawn -> listening)")
    rows = [["python -c pass (start + exit, wall)", ms(python_ms)]]
    rows += [[f"import {label}", ms(value)] for label, value in imports]
    print(table(["what", "ms"], rows))


def measure(runs: int, warm: int) -> tuple[dict[str, Series], list[float], dict[str, Any]]:
    """Run rounds of (hello world, each function cold); then each function's warm series."""
    results: dict[str, Series] = {}
    floor: list[float] = []
    with running_stack() as (gateway, activator), children_log() as log:
        targets = [product_target(), search_target(), me_target(gateway)]
        hello = hello_spec(activator.specs["catalog-product"])
        for target in targets:
            results[target.name] = Series()
        for n in range(runs):
            floor.append(hello_run(activator.launcher, hello))
            for target in targets:
                cold_run(gateway, activator, target, results[target.name])
            print(f"  round {n + 1}/{runs}: hello {floor[-1]:.0f} ms, " + ", ".join(
                f"{t.name} {results[t.name].cold[-1].ms:.0f} ms" for t in targets), flush=True)
        events = activator.events()
        for target in targets:
            series = results[target.name]
            series.phases = phases(events, target.name, series.cold)
            handled = handler_ms(log, target.name)  # one line per request: the cold ones first
            series.phases["  of which in the handler"] = handled[:runs]
            warm_runs(gateway, target, warm, series)
            series.phases["(warm: in the handler)"] = handler_ms(log, target.name)[-warm:]
            scale_to_zero(gateway, activator, target.name)
        stages = {t.name: first_request_stages(activator, t) for t in targets}
    return results, floor, stages


def first_request_stages(activator: Activator, target: Target, repeats: int = 3) -> dict[str, Any]:
    """Run bench/_first_request.py for target (staged, then natural); the median of each stage."""
    spec = activator.specs[target.name]
    env = activator.launcher.environment(spec, 0)
    argv = [sys.executable, str(REPO / "bench" / "_first_request.py"), spec.source, spec.target,
            target.path, *(f"{k}={v}" for k, v in target.headers)]
    out: dict[str, Any] = {}
    for mode, extra in (("natural", ["--natural=1"]), ("staged", [])):
        if mode == "staged":  # the groups the natural run loaded, each timed on its own
            extra = ["--groups=" + ",".join(out["natural_at_load"] + out["natural_lazy"])]
        samples = []
        for _ in range(repeats):
            done = subprocess.run(argv + extra, env=env, cwd=REPO, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"_first_request.py {target.name}: {done.stderr[-2000:]}")
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
        labels = [label for label, _ in samples[0]["stages"]]
        out[mode] = [(label, percentile([dict(s["stages"]).get(label, 0.0) for s in samples], 50))
                     for label in labels]
        out[f"{mode}_lazy"] = samples[0]["lazy"]
        out[f"{mode}_at_load"] = samples[0]["at_load"]
    return out


def print_floor(results: dict[str, Series], floor: list[float]) -> list[dict[str, Any]]:
    """Print each function's cold p50 beside the hello world's; return the summary rows."""
    base = percentile(floor, 50)
    rows, out = [], []
    for name, s in results.items():
        cold = percentile([t.ms for t in s.cold], 50)
        ratio = cold / base
        met = ratio <= TARGET_RATIO
        rows.append([name, ms(cold), ms(base), f"{ratio:.2f}x", f"<= {TARGET_RATIO}x", "met" if met else "MISSED"])
        out.append({"figure": f"cold start p50, {name}", "value": round(cold, 1), "unit": "ms",
                    "floor": "hello world spawn -> first answer, p50", "floor_value": round(base, 1),
                    "ratio": round(ratio, 3), "target": f"<= {TARGET_RATIO}x", "met": met})
    print(f"\ncold start vs the floor (functions-framework hello world, same launcher; "
          f"{len(floor)} spawns, p50 {ms(base)}, p95 {ms(percentile(floor, 95))})")
    print(table(["function", "cold p50", "floor p50", "ratio", "target", ""], rows))
    return out


def print_stages(stages: dict[str, Any], floor_ms: float) -> None:
    """Print the in-process breakdown of a cold start: import groups and first-request stages."""
    budget = floor_ms * (TARGET_RATIO - 1)
    for name, found in stages.items():
        print(f"\n{name}: a cold start inside one process (median of 3 fresh processes, ms)")
        rows = [[label, f"{value:.1f}"] for label, value in found["staged"]]
        extra = sum(v for label, v in found["staged"][1:] if not label.startswith("second"))
        rows.append(["= what this function adds to the floor's imports (before its answer)", f"{extra:.1f}"])
        print(table(["staged: each group on its own", "ms"], rows))
        rows = [[label, f"{value:.1f}"] for label, value in found["natural"]]
        print(table(["natural: as a request comes", "ms"], rows))
        print(f"  imported when the source loads: {', '.join(found['natural_at_load']) or '-'}; "
              f"by the first request: {', '.join(found['natural_lazy']) or '-'}")
        costs = sorted(((v, label) for label, v in found["staged"][1:] if not label.startswith("second")),
                       reverse=True)
        print(f"  budget at {TARGET_RATIO}x: {budget:.0f} ms above the floor; this function adds {extra:.0f} ms, "
              "the largest: " + ", ".join(f"{label} {v:.0f} ms" for v, label in costs[:3]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="cold starts per function (default 20)")
    parser.add_argument("--warm", type=int, default=50, help="warm requests per function (default 50)")
    args = parser.parse_args()
    if args.runs < 1 or args.warm < 1:
        parser.error("--runs and --warm must be at least 1")
    sigterm_as_interrupt()
    print(f"cold start benchmark: {args.runs} cold + {args.warm} warm requests per function, "
          f"{os.cpu_count()} cores", flush=True)
    try:
        results, floor, stages = measure(args.runs, args.warm)
        print_summary(results)
        rows = print_floor(results, floor)
        print_breakdown(results, startup_ms(), [(label, import_ms(mods)) for label, mods in IMPORT_STEPS])
        print_stages(stages, percentile(floor, 50))
        record("cold_start", rows)
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
