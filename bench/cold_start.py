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
from typing import IO

from _common import (
    REPO,
    check_search,
    fetch,
    percentile,
    search_path,
    seeded_database,
    sigterm_as_interrupt,
    table,
)

from localrun.dev.keys import ensure_key_pair
from localrun.dev.stack import secrets_for
from localrun.gateway.server import Gateway, serve
from localrun.serving.activator import Activator, LifecycleEvent

TARGET_MS = 600.0
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


def timed_get(gateway: Gateway, target: Target) -> Timed:
    """Send target's request on a fresh connection, check the answer, return its timing."""
    sent_at, t0 = time.time(), time.perf_counter()
    status, body = fetch(gateway.port, target.path)
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


def cold_runs(gateway: Gateway, activator: Activator, target: Target, runs: int, series: Series) -> None:
    """Time `runs` requests, each to a freshly stopped function; each must start it exactly once."""
    for _ in range(runs):
        if (stop_ms := scale_to_zero(gateway, activator, target.name)) is not None:
            series.stop_ms.append(stop_ms)
        starts = activator.starts[target.name]
        series.cold.append(timed_get(gateway, target))
        if activator.starts[target.name] != starts + 1:
            raise RuntimeError(f"{target.name}: expected exactly one start per cold request")


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
    print(f"target: cold p50 < {TARGET_MS:.0f} ms  ->  " + ", ".join(
        f"{name} {'met' if percentile([t.ms for t in s.cold], 50) < TARGET_MS else 'MISSED'}"
        for name, s in results.items()))


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


def measure(runs: int, warm: int) -> dict[str, Series]:
    """Run the cold and warm series of both functions against an in-process gateway."""
    results: dict[str, Series] = {}
    with running_stack() as (gateway, activator), children_log() as log:
        for target in (product_target(), search_target()):
            series = results[target.name] = Series()
            cold_runs(gateway, activator, target, runs, series)
            warm_runs(gateway, target, warm, series)
            series.phases = phases(activator.events(), target.name, series.cold)
            scale_to_zero(gateway, activator, target.name)
            # Each cold process served exactly one request before it was stopped: the first lines.
            handled = handler_ms(log, target.name)
            series.phases["  of which in the handler"] = handled[:runs]
            series.phases["(warm: in the handler)"] = handled[-warm:]
    return results


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
        results = measure(args.runs, args.warm)
        print_summary(results)
        print_breakdown(results, startup_ms(), [(label, import_ms(mods)) for label, mods in IMPORT_STEPS])
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
