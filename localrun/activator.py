"""Knative's activator and autoscaler, locally: start a function on its first request, stop it idle.

Each function runs as its own functions-framework process, as each Knative Service runs its own
pods. A function scales 0 -> 1 on demand and back to 0 when idle; never beyond 1.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from localrun.manifests import FunctionSpec
from localrun.processes import Spawner, free_port, output_streams, pump, terminate, wait_listening

log = logging.getLogger(__name__)
HOST = "127.0.0.1"


class StartError(RuntimeError):
    """A function could not be started: unknown, crashed while starting, or too slow to listen."""


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a function: start, ready, stop, crash or failed."""

    kind: str
    name: str
    pid: int
    at: float
    ms: float | None = None


class _Instance:
    """One running (or starting) process of a function."""

    __slots__ = ("spec", "proc", "port", "ready", "failed", "in_flight", "last_active")

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.ready = threading.Event()  # set when listening, or when the start failed
        self.failed: str | None = None
        self.in_flight = 0
        self.last_active = time.monotonic()


@dataclass(frozen=True, slots=True)
class Lease:
    """A request's claim on a running function: it is not stopped until the lease is released."""

    name: str
    host: str
    port: int
    pid: int
    instance: _Instance = field(repr=False, compare=False)


class Activator:
    """The process table: starts functions on demand, one process each, and reaps idle ones."""

    def __init__(
        self,
        specs: Mapping[str, FunctionSpec],
        repo_root: Path,
        idle_seconds: float = 60.0,
        base_env: Mapping[str, str] | None = None,
        *,
        log_to: IO[Any] | None = None,
        start_timeout: float = 20.0,
        stop_grace: float = 5.0,
    ) -> None:
        self.specs = dict(specs)
        self.repo_root = Path(repo_root).resolve()
        self.idle_seconds = idle_seconds
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        self._base_env = dict(os.environ if base_env is None else base_env)
        self._log_to = log_to
        self._lock = threading.Lock()
        self._instances: dict[str, _Instance] = {}
        self._closed = False
        self.starts: Counter[str] = Counter()
        self.stops: Counter[str] = Counter()
        self._events: deque[Event] = deque(maxlen=10_000)
        self._spawner = Spawner()
        self._stopping = threading.Event()
        self._reaper = threading.Thread(target=self._reap_loop, name="localrun-reaper", daemon=True)
        self._reaper.start()

    def acquire(self, name: str) -> Lease:
        """Return a lease on a running `name`, starting it if needed; raise StartError."""
        with self._lock:
            if self._closed:
                raise StartError(f"cannot start {name}: the activator is shut down")
            inst = self._instances.get(name)
            if inst is not None and inst.ready.is_set() and inst.proc is not None and inst.proc.poll() is not None:
                # It died after starting (crash, OOM, kill): replace it, as Knative replaces a pod.
                self._forget_dead(inst)
                inst = None
            leader = inst is None
            if inst is None:
                spec = self.specs.get(name)
                if spec is None:
                    raise StartError(f"no Knative Service named {name!r} in the manifests")
                inst = self._instances[name] = _Instance(spec)
            inst.in_flight += 1
        if not inst.ready.is_set() or inst.failed:
            try:
                if leader:
                    self._start(inst)
                elif not inst.ready.wait(self.start_timeout + self.stop_grace + 5):
                    raise StartError(f"{name} is still starting after {self.start_timeout:g} s")
                if inst.failed:
                    raise StartError(inst.failed)
            except BaseException:
                with self._lock:
                    inst.in_flight -= 1
                raise
        assert inst.proc is not None
        return Lease(name, HOST, inst.port, inst.proc.pid, inst)

    def release(self, lease: Lease) -> None:
        """End a request; the function's idle clock starts again from now."""
        inst = lease.instance
        with self._lock:
            inst.in_flight -= 1
            inst.last_active = time.monotonic()

    @contextmanager
    def lease(self, name: str) -> Iterator[Lease]:
        """Hold a lease on `name` for the duration of a with-block."""
        held = self.acquire(name)
        try:
            yield held
        finally:
            self.release(held)

    def ensure(self, name: str) -> tuple[str, int]:
        """Return (host, port) of a running `name`, starting it if needed; raise StartError."""
        held = self.acquire(name)
        self.release(held)
        return held.host, held.port

    def running(self) -> dict[str, int]:
        """Return the pid of every function that is up, by name."""
        with self._lock:
            return {
                name: inst.proc.pid
                for name, inst in self._instances.items()
                if inst.ready.is_set() and not inst.failed and inst.proc is not None and inst.proc.poll() is None
            }

    def events(self) -> list[Event]:
        """Return what happened so far, oldest first."""
        with self._lock:
            return list(self._events)

    def prewarm(self) -> None:
        """Start every function whose min-scale is above zero, in parallel; log failures."""
        def start(name: str) -> None:
            try:
                self.ensure(name)
            except StartError as exc:
                log.error("min-scale function %s failed to start: %s", name, exc)

        threads = [threading.Thread(target=start, args=(n,), daemon=True) for n, s in self.specs.items() if s.min_scale > 0]
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.start_timeout + self.stop_grace + 5)

    def reap(self) -> list[str]:
        """Stop functions idle for idle_seconds with nothing in flight; return their names."""
        now = time.monotonic()
        idle: list[_Instance] = []
        with self._lock:
            for name, inst in list(self._instances.items()):
                if not inst.ready.is_set() or inst.failed or inst.proc is None:
                    continue
                if inst.proc.poll() is not None:
                    self._forget_dead(inst)
                elif inst.in_flight == 0 and inst.spec.min_scale == 0 and now - inst.last_active >= self.idle_seconds:
                    del self._instances[name]
                    idle.append(inst)
        self._stop(idle, "idle")
        return [inst.spec.name for inst in idle]

    def shutdown(self) -> None:
        """Stop every function and the reaper; later acquires raise StartError."""
        with self._lock:
            self._closed = True
            instances = list(self._instances.values())
            self._instances.clear()
        self._stopping.set()
        self._stop([i for i in instances if i.proc is not None], "shutdown")
        for inst in instances:  # still starting: its leader sees _closed and kills it itself
            inst.ready.wait(self.start_timeout + self.stop_grace)
        self._spawner.close()
        self._reaper.join(timeout=self.stop_grace + 5)

    def _start(self, inst: _Instance) -> None:
        spec = inst.spec
        t0 = time.perf_counter()
        port = free_port(HOST)
        argv = [sys.executable, "-m", "functions_framework", "--source", spec.source, "--target", spec.target,
                "--signature-type", spec.signature_type, "--host", HOST, "--port", str(port)]
        stdout, stderr, needs_pump = output_streams(self._log_to)
        try:
            proc = self._spawner.spawn(argv, cwd=str(self.repo_root), env=self._env(spec, port),
                                       stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr)
        except OSError as exc:
            self._fail(inst, f"{spec.name} could not be spawned: {exc}")
            return
        if needs_pump and proc.stdout is not None and self._log_to is not None:
            pump(proc.stdout, self._log_to)
        with self._lock:
            inst.proc, inst.port = proc, port
            closed = self._closed
            self.starts[spec.name] += 1
            self._events.append(Event("start", spec.name, proc.pid, time.time()))
        log.info("starting function %s (pid %d, port %d)", spec.name, proc.pid, port)
        problem = "the activator shut down" if closed else wait_listening(proc, HOST, port, self.start_timeout)
        if problem is not None:
            terminate([proc], self.stop_grace)
            self._fail(inst, f"function {spec.name} (pid {proc.pid}) {problem}")
            return
        ms = (time.perf_counter() - t0) * 1000
        with self._lock:
            inst.last_active = time.monotonic()
            self._events.append(Event("ready", spec.name, proc.pid, time.time(), ms))
        inst.ready.set()
        log.info("started function %s (pid %d) in %.0f ms (cold start)", spec.name, proc.pid, ms)

    def _env(self, spec: FunctionSpec, port: int) -> dict[str, str]:
        env = dict(self._base_env)
        # The repo root first, so `functions.*` imports resolve as in the domain's image.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self.repo_root), env.get("PYTHONPATH")) if p)
        # Logs are JSON lines read live; a block-buffered pipe would hold them back.
        env.setdefault("PYTHONUNBUFFERED", "1")
        env.update(spec.env)
        # What Knative's queue-proxy and revision set in every container.
        env.update(PORT=str(port), K_SERVICE=spec.name, K_CONFIGURATION=spec.name, K_REVISION=f"{spec.name}-00001")
        return env

    def _fail(self, inst: _Instance, problem: str) -> None:
        with self._lock:
            inst.failed = problem
            if self._instances.get(inst.spec.name) is inst:
                del self._instances[inst.spec.name]
            self._events.append(Event("failed", inst.spec.name, inst.proc.pid if inst.proc else 0, time.time()))
        inst.ready.set()
        log.error("%s", problem)

    def _forget_dead(self, inst: _Instance) -> None:
        # Called with the lock held.
        assert inst.proc is not None
        if self._instances.get(inst.spec.name) is inst:
            del self._instances[inst.spec.name]
        self.stops[inst.spec.name] += 1
        self._events.append(Event("crash", inst.spec.name, inst.proc.pid, time.time()))
        log.warning("function %s (pid %d) exited with code %s; its next request starts it again",
                    inst.spec.name, inst.proc.pid, inst.proc.returncode)

    def _stop(self, instances: list[_Instance], reason: str) -> None:
        procs = [i.proc for i in instances if i.proc is not None]
        if not procs:
            return
        terminate(procs, self.stop_grace)
        now = time.monotonic()
        with self._lock:
            for inst in instances:
                assert inst.proc is not None
                self.stops[inst.spec.name] += 1
                self._events.append(Event("stop", inst.spec.name, inst.proc.pid, time.time()))
        for inst in instances:
            assert inst.proc is not None
            log.info("stopped function %s (pid %d, %s, idle %.1f s)",
                     inst.spec.name, inst.proc.pid, reason, now - inst.last_active)

    def _reap_loop(self) -> None:
        # A quarter of the idle period keeps the scale-down within 25 % of idle_seconds.
        interval = max(0.05, min(1.0, self.idle_seconds / 4))
        while not self._stopping.wait(interval):
            try:
                self.reap()
            except Exception:  # the reaper must survive anything a single stop throws
                log.exception("reaper failed")
