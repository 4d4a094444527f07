"""Catalog search under load: warm throughput and p50/p99 latency, through the gateway and direct.

What is measured
    `python -m localrun.dev` (gateway + activator + functions) runs as its own process over a
    scratch database it migrates and seeds, started with --idle-seconds 600 so nothing scales to
    zero meanwhile. A load generator in other processes sends `GET /api/products?q=<word>`,
    rotating through ten query words, from N concurrent clients (--clients, default 1,8,32), each
    client one keep-alive connection in a closed loop (next request when the answer is in). For
    8 or more clients the clients are spread over up to --procs worker processes so the load
    generator's GIL is not the limit. Per level: --warm-up seconds unrecorded, then --seconds
    recorded. Any answer but 200 (or a failed exchange) counts as an error.
    The same load is then sent straight to the `catalog-products` function's own port (found via
    psutil from the dev process's children), bypassing the gateway: the baseline.

How to read it
    req/s is 200 answers per second over the recorded window; p50/p99 are per-request
    latencies seen by the clients. gateway/direct ratios show what the local gateway adds (a
    ratio of 1.0 means free). Everything shares this machine's cores (gateway, function,
    PostgreSQL and the load generator), so absolute numbers are a floor, not a capacity figure.
    The target line is informational: the exit status is non-zero only on errors.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from _common import (
    HOST,
    QUERY_WORDS,
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

TARGET_P99_MS, TARGET_CLIENTS, TARGET_RATIO = 50.0, 8, 0.5
FUNCTION = "catalog-products"


# ---------------------------------------------------------------- load generator (worker processes)

@dataclass
class Outcome:
    """What one client thread (or a whole level, once merged) saw in the recorded window."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)

    def merge(self, other: Outcome) -> None:
        self.latencies_ms += other.latencies_ms
        self.errors.update(other.errors)
        self.samples += other.samples[: max(0, 5 - len(self.samples))]


NO_CACHE = (("Cache-Control", "no-cache"),)  # every cache off: proxy-cache bypasses, no If-None-Match


def one_request(conn: http.client.HTTPConnection, path: str,
                headers: Sequence[tuple[str, str]] = NO_CACHE) -> tuple[int, bytes]:
    """Send one GET on a keep-alive connection and read the whole answer."""
    conn.request("GET", path, headers=dict(headers))
    resp = conn.getresponse()
    return resp.status, resp.read()


def client_loop(port: int, paths: Sequence[str], start: float, warm_up: float, seconds: float,
                headers: Sequence[tuple[str, str]] = NO_CACHE, n: int = 0) -> Outcome:
    """Send requests back to back until the window ends; record those sent inside it.

    Client n connects from 127.0.0.<n + 2>: each client is its own shopper to the gateway's
    per-address rate limit (500/s), as real clients are, rather than all of them one address.
    """
    source = (f"127.0.0.{2 + n % 250}", 0)
    out, conn, i = Outcome(), http.client.HTTPConnection(HOST, port, timeout=30, source_address=source), 0
    record_from, stop_at = start + warm_up, start + warm_up + seconds
    while (sent := time.perf_counter()) < stop_at:
        path, i = paths[i % len(paths)], i + 1
        try:
            status, body = one_request(conn, path, headers)
            problem = None if status == 200 else (str(status), body[:200].decode("utf-8", "replace"))
        except (OSError, http.client.HTTPException) as exc:
            conn.close()  # reconnects on the next request
            problem = (type(exc).__name__, str(exc))
        if sent >= record_from:
            out.latencies_ms.append((time.perf_counter() - sent) * 1000)
            if problem is not None:
                out.errors[problem[0]] += 1
                if len(out.samples) < 5:
                    out.samples.append(f"{problem[0]}: {problem[1]}")
    conn.close()
    return out


def worker(port: int, paths: Sequence[str], threads: int, offset: int, warm_up: float, seconds: float,
           ready: Any, go: Any, start_at: Any, results: Any,
           headers: Sequence[tuple[str, str]] = NO_CACHE) -> None:
    """A load-generator process: `threads` clients that start together when the parent says go."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    outcomes = [Outcome() for _ in range(threads)]

    def client(n: int) -> None:
        if not go.wait(60):
            return
        first = (offset + n) % len(paths)  # clients start on different words
        outcomes[n] = client_loop(port, list(paths[first:]) + list(paths[:first]), start_at.value,
                                  warm_up, seconds, headers, offset + n)

    pool = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(threads)]
    for t in pool:
        t.start()
    ready.put(os.getpid())
    for t in pool:
        t.join()
    merged = Outcome()
    for o in outcomes:
        merged.merge(o)
    # Plain data: classes of a spawned child's main module do not unpickle in the parent.
    results.put((merged.latencies_ms, dict(merged.errors), merged.samples))


def split(clients: int, max_procs: int) -> list[int]:
    """Return threads per worker process: up to max_procs processes, clients spread evenly."""
    procs = max(1, min(clients, max_procs))
    return [clients // procs + (1 if n < clients % procs else 0) for n in range(procs)]


def run_level(port: int, paths: Sequence[str], clients: int, max_procs: int, warm_up: float,
              seconds: float, headers: Sequence[tuple[str, str]] = NO_CACHE) -> Outcome:
    """Run one load level against port from worker processes; return every client's outcome merged."""
    ctx = mp.get_context("spawn")  # no fork of a process with threads
    ready, results, go, start_at = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    procs, offset = [], 0
    for threads in split(clients, max_procs):
        procs.append(ctx.Process(target=worker, daemon=True, args=(
            port, tuple(paths), threads, offset, warm_up, seconds, ready, go, start_at, results,
            tuple(headers))))
        offset += threads
    try:
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=30)
        start_at.value = time.perf_counter() + 0.05  # CLOCK_MONOTONIC: the same clock in every process
        go.set()
        merged = Outcome()
        for _ in procs:
            latencies, errors, samples = results.get(timeout=warm_up + seconds + 60)
            merged.merge(Outcome(latencies, Counter(errors), samples))
        return merged
    except BaseException:
        for p in procs:
            if p.pid is not None and p.is_alive():
                p.terminate()  # interrupted or failed: do not let the level run on
        raise
    finally:
        for p in (p for p in procs if p.pid is not None):  # started ones only
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)


# ---------------------------------------------------------------- the system under test (dev process)

def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_answering(proc: subprocess.Popen[bytes], port: int, log: IO[bytes], timeout: float = 90.0) -> None:
    """Return once the gateway answers a search with 200; raise with the dev log if it does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"localrun.dev exited with {proc.returncode}:\n{tail(log)}")
        try:
            if fetch(port, search_path(QUERY_WORDS[0]), timeout=10)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the gateway did not answer within {timeout:g} s:\n{tail(log)}")


def tail(log: IO[bytes], size: int = 3000) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-size:].decode("utf-8", "replace")


def descendants(pid: int) -> list[Any]:
    """Return every live descendant (psutil.Process) of pid."""
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def function_port(dev_pid: int, target: str = "products") -> int:
    """Return the port of the functions-framework process serving `target` under the dev process."""
    import psutil

    for proc in descendants(dev_pid):
        try:
            argv = proc.cmdline()
        except psutil.Error:
            continue
        if "functions_framework" in argv and "--target" in argv and "--port" in argv \
                and argv[argv.index("--target") + 1] == target:
            return int(argv[argv.index("--port") + 1])
    raise RuntimeError(f"no functions-framework process with --target {target} under pid {dev_pid}")


def stop_dev(proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    """SIGINT the dev process, wait for it and every process it started; raise if any lingered."""
    import psutil

    children = descendants(proc.pid)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
        raise RuntimeError(f"localrun.dev ignored SIGINT for 30 s; killed it:\n{tail(log)}")
    _, alive = psutil.wait_procs(children, timeout=10)
    for p in alive:
        p.kill()
    if alive:
        pids = [p.pid for p in alive]
        raise RuntimeError(f"processes left after localrun.dev stopped (killed now): {pids}")
    if proc.returncode != 0:
        raise RuntimeError(f"localrun.dev exited with {proc.returncode}:\n{tail(log)}")


@contextmanager
def dev_server(database_url: str) -> Iterator[tuple[int, int]]:
    """Run `python -m localrun.dev` on a free port; yield (its pid, gateway port); stop it after."""
    from localrun.serving.processes import Spawner

    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1",
               LOCALRUN_PROXY_CACHE="on")  # the clients say no-cache except on the "cached" level
    argv = [sys.executable, "-m", "localrun.dev", "--port", str(port), "--idle-seconds", "600"]
    spawner = Spawner()  # its own session (our Ctrl-C is not its), and SIGTERM should we die
    with tempfile.TemporaryFile() as log:
        try:
            proc = spawner.spawn(argv, cwd=str(REPO), env=env, stdin=subprocess.DEVNULL,
                                 stdout=log, stderr=subprocess.STDOUT)
            try:
                wait_answering(proc, port, log)
                yield proc.pid, port
            finally:
                stop_dev(proc, log)
        finally:
            spawner.close()


# ---------------------------------------------------------------- the benchmark

@dataclass(frozen=True)
class Level:
    """One measured load level on one route."""

    route: str
    clients: int
    seconds: float
    outcome: Outcome

    @property
    def rps(self) -> float:
        return (len(self.outcome.latencies_ms) - sum(self.outcome.errors.values())) / self.seconds

    def p(self, q: float) -> float:
        return percentile(self.outcome.latencies_ms, q)


def check_answers(port: int, paths: Sequence[str]) -> None:
    """Every query word must give a correct, non-empty answer before the load starts."""
    for word, path in zip(QUERY_WORDS, paths):
        status, body = fetch(port, path)
        check_search(status, body, word)


def cpu_seconds(procs: Sequence[Any]) -> float:
    """Return the CPU time (user + system, seconds) the given psutil processes have used so far."""
    import psutil

    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def function_processes(dev_pid: int) -> list[Any]:
    """The catalog-products process tree (gunicorn arbiter and workers) under the dev process.

    Each process once: a forked gunicorn worker has its arbiter's command line, so it matches the
    port itself and is a child of the arbiter as well (counted twice, it doubled the CPU figure).
    """
    port = str(function_port(dev_pid))
    out: dict[int, Any] = {}
    for proc in descendants(dev_pid):
        try:
            argv = proc.cmdline()
        except Exception:
            continue
        if port in argv:
            for member in (proc, *proc.children(recursive=True)):
                out[member.pid] = member
    return list(out.values())


CPU: dict[str, float] = {}  # ms of CPU per answered request at TARGET_CLIENTS, by process


def in_function_profile(url: str) -> dict[str, float] | None:
    """Run bench/_search_profile.py against the bench's database; its JSON, or None on failure."""
    import json

    from schemas.migrate import role_url

    env = dict(os.environ, DATABASE_URL=role_url(url, "catalog"), K_SERVICE=FUNCTION, LOG_LEVEL="WARNING",
               PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(REPO / "bench" / "_search_profile.py"), "--requests", "300"],
                          env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"_search_profile.py failed: {done.stderr[-1500:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


PROFILE: dict[str, float] = {}


def measure(args: argparse.Namespace) -> list[Level]:
    """Start the dev process, then load gateway and function alike at each client count."""
    import psutil

    paths = [search_path(word) for word in QUERY_WORDS]
    levels: list[Level] = []
    with seeded_database("bench_catalog", seed=False) as url, dev_server(url) as (dev_pid, gateway_port):
        routes = {"gateway": gateway_port, "direct": function_port(dev_pid)}
        for port in routes.values():
            check_answers(port, paths)
        print(f"gateway on :{gateway_port}, {FUNCTION} on :{routes['direct']}; "
              f"{args.warm_up:g} s warm-up + {args.seconds:g} s per level", flush=True)
        for clients in args.clients:
            for route, port in routes.items():
                watched = {"gateway (the dev process)": [psutil.Process(dev_pid)],
                           "function (gunicorn, 2 workers)": function_processes(dev_pid)}
                before = {k: cpu_seconds(v) for k, v in watched.items()}
                outcome = run_level(port, paths, clients, args.procs, args.warm_up, args.seconds)
                levels.append(Level(route, clients, args.seconds, outcome))
                if route == "gateway" and clients == TARGET_CLIENTS:
                    answered = len(outcome.latencies_ms) * (args.warm_up + args.seconds) / args.seconds
                    for k, v in watched.items():  # warm-up included on both sides of the ratio
                        CPU[k] = (cpu_seconds(v) - before[k]) * 1000 / max(answered, 1)
                print(f"  {route:7} {clients:3} clients: {levels[-1].rps:7.0f} req/s", flush=True)
        # The same load with the caches on: Kong's proxy-cache in the gateway (max-age 5 s).
        outcome = run_level(gateway_port, paths, TARGET_CLIENTS, args.procs, args.warm_up, args.seconds, ())
        levels.append(Level("cached", TARGET_CLIENTS, args.seconds, outcome))
        print(f"  cached  {TARGET_CLIENTS:3} clients: {levels[-1].rps:7.0f} req/s", flush=True)
        PROFILE.update(in_function_profile(url) or {})
    # The floor: a functions-framework hello world, same launcher and environment, its own port.
    with hello_world() as port:
        outcome = run_level(port, ["/"], TARGET_CLIENTS, args.procs, args.warm_up, args.seconds)
        levels.append(Level("hello", TARGET_CLIENTS, args.seconds, outcome))
        print(f"  hello   {TARGET_CLIENTS:3} clients: {levels[-1].rps:7.0f} req/s (the floor)", flush=True)
    return levels


@contextmanager
def hello_world() -> Iterator[int]:
    """Run bench/hello/main.py as a function is run (Launcher, knative/config.yaml's env); yield its port."""
    from localrun.serving.launcher import Launcher
    from localrun.serving.manifests import FunctionSpec, load_config_maps
    from localrun.serving.processes import terminate

    env = dict(load_config_maps(REPO / "knative").get("ecom-config", {}), LOG_LEVEL="WARNING")
    spec = FunctionSpec("hello-world", "ecom", env, 0, "bench/hello/main.py", "hello", "http")
    launcher = Launcher(REPO)
    try:
        started = launcher.launch(spec, lambda proc, port: True)
        try:
            yield started.port
        finally:
            terminate([started.proc])
    finally:
        launcher.close()


def report(levels: list[Level]) -> None:
    """Print the results table, the gateway/direct ratios, the errors and the target line."""
    print("\nGET /api/products?q=... (10 words rotated), closed-loop keep-alive clients")
    print(table(["route", "clients", "req/s", "p50 ms", "p99 ms", "errors"], [
        [lv.route, lv.clients, f"{lv.rps:.0f}", f"{lv.p(50):.1f}", f"{lv.p(99):.1f}",
         sum(lv.outcome.errors.values())] for lv in levels]))
    by = {(lv.route, lv.clients): lv for lv in levels}
    rows = []
    for clients in sorted({lv.clients for lv in levels if lv.route == "direct"}):
        gw, direct = by[("gateway", clients)], by[("direct", clients)]
        rows.append([clients, f"{gw.p(50) / direct.p(50):.2f}", f"{gw.p(99) / direct.p(99):.2f}",
                     f"{gw.rps / direct.rps:.2f}" if direct.rps else "-"])
    print("\ngateway / direct")
    print(table(["clients", "p50", "p99", "req/s"], rows))
    for lv in levels:
        if lv.outcome.errors:
            print(f"errors, {lv.route} at {lv.clients} clients: {dict(lv.outcome.errors)}")
            for sample in lv.outcome.samples:
                print(f"    {sample}")
    gw = by.get(("gateway", TARGET_CLIENTS))
    hello, cached = by.get(("hello", TARGET_CLIENTS)), by.get(("cached", TARGET_CLIENTS))
    if gw is None or hello is None:
        print(f"\ntarget: not measured (needs {TARGET_CLIENTS} clients)")
        return
    summary = []
    print(f"\nat {TARGET_CLIENTS} clients, beside the floor (hello world direct: {hello.rps:.0f} req/s, "
          f"p99 {hello.p(99):.1f} ms)")
    rows = []
    for label, lv in (("search via gateway, caches off", gw), ("search via gateway, proxy-cache on", cached)):
        if lv is None:
            continue
        ratio = lv.rps / hello.rps if hello.rps else 0.0
        met_rps, met_p99 = ratio >= TARGET_RATIO, lv.p(99) <= TARGET_P99_MS
        rows.append([label, f"{lv.rps:.0f}", f"{ratio:.2f}x", f"{lv.p(99):.1f}",
                     "met" if met_rps and met_p99 else "MISSED"])
        summary.append({"figure": f"{label}: req/s at {TARGET_CLIENTS} clients", "value": round(lv.rps),
                        "unit": "req/s", "floor": "hello world req/s", "floor_value": round(hello.rps),
                        "ratio": round(ratio, 3), "target": f">= {TARGET_RATIO}x", "met": met_rps})
        summary.append({"figure": f"{label}: p99 at {TARGET_CLIENTS} clients", "value": round(lv.p(99), 1),
                        "unit": "ms", "floor": "hello world p99", "floor_value": round(hello.p(99), 1),
                        "ratio": round(lv.p(99) / hello.p(99), 3) if hello.p(99) else None,
                        "target": f"<= {TARGET_P99_MS:.0f} ms", "met": met_p99})
        if lv is cached:
            summary[-1]["target"] = summary[-2]["target"] = "(informational)"
            summary[-1]["met"] = summary[-2]["met"] = True
    print(table(["what", "req/s", "/ floor", "p99 ms", f"target >= {TARGET_RATIO}x, p99 <= {TARGET_P99_MS:.0f} ms"],
                rows))
    print("  (cached: the gateway's rate-limiting, 500/s per client address, caps each client; "
          "429s are not counted)")
    record("catalog", summary)
    print_where_time_goes(gw, by.get(("direct", TARGET_CLIENTS)))


def print_where_time_goes(gw: Level, direct: Level | None) -> None:
    """Print where a warm search's time goes: CPU per request by process, and inside the function."""
    print("\nwhere a warm search's time goes (caches off)")
    rows = [[f"CPU per request at {TARGET_CLIENTS} clients via the gateway: {name}", f"{ms:.2f}"]
            for name, ms in CPU.items()]
    if direct is not None:
        rows.append(["p50 latency added by the gateway (gateway p50 - direct p50)",
                     f"{gw.p(50) - direct.p(50):.2f}"])
    for name, value in PROFILE.items():
        if name == "statements per request":
            rows.append([f"  {name}", f"{value:.0f}"])
        else:
            rows.append([f"  in the function, one request alone (median): {name}", f"{value:.2f}"])
    print(table(["what", "ms"], rows))


def client_counts(text: str) -> list[int]:
    counts = [int(c) for c in text.split(",") if c.strip()]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("a comma-separated list of positive client counts")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=client_counts, default=[1, 8, 32], help="default 1,8,32")
    parser.add_argument("--seconds", type=float, default=5.0, help="recorded seconds per level (default 5)")
    parser.add_argument("--warm-up", type=float, default=1.0, help="unrecorded seconds per level (default 1)")
    parser.add_argument("--procs", type=int, default=4, help="max load-generator processes (default 4)")
    args = parser.parse_args()
    if args.seconds <= 0 or args.warm_up < 0 or args.procs < 1:
        parser.error("--seconds must be > 0, --warm-up >= 0, --procs >= 1")
    sigterm_as_interrupt()
    print(f"catalog search benchmark: clients {args.clients}, {os.cpu_count()} cores", flush=True)
    try:
        report(measure(args))
    except KeyboardInterrupt:
        print("interrupted; cleaned up", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
