"""Knative's activator and autoscaler, locally: start a function on its first request, stop it idle.

Each function runs as its own functions-framework process, as each Knative Service runs its own
pods. A function scales 0 -> 1 on demand and back to 0 when idle; never beyond 1. How a process
is started lives in `launcher.py`; this module is the process table and its one lock, kept in
one place (past the usual 200 lines) so every state change can be checked against that lock.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from localrun.serving.launcher import HOST, Launcher, StartError
from localrun.serving.manifests import FunctionSpec
from localrun.serving.processes import terminate

__all__ = ["Activator", "FunctionState", "LifecycleEvent", "Lease", "StartError"]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LifecycleEvent:
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
        self.ready = threading.Event()  # set once listening, or once the start has failed
        self.failed: str | None = None
        self.in_flight = 0
        self.last_active = time.monotonic()


@dataclass(frozen=True, slots=True)
class FunctionState:
    """What `make status` shows of a function: running, starting or scaled to zero, since when."""

    name: str
    state: str  # "running" | "starting" | "scaled to zero"
    since: float | None  # wall-clock time of the last change; None: never started since the runtime began
    cold_starts: int  # processes started for it so far (each on a request, or min-scale's prewarm)
    pid: int | None = None
    port: int | None = None
    in_flight: int = 0


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
        self.idle_seconds = idle_seconds
        self.launcher = Launcher(repo_root, base_env, log_to, start_timeout, stop_grace)
        self.starts: Counter[str] = Counter()
        self.stops: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._instances: dict[str, _Instance] = {}
        self._since: dict[str, float] = {}  # the wall-clock time of each function's last start, ready or stop
        self._events: deque[LifecycleEvent] = deque(maxlen=10_000)
        self._closed = False
        self._stopping = threading.Event()
        self._reaper = threading.Thread(target=self._reap_loop, name="localrun-reaper", daemon=True)
        self._reaper.start()

    def acquire(self, name: str) -> Lease:
        """Return a lease on a running `name`, starting it if needed; raise StartError."""
        with self._lock:
            if self._closed:
                raise StartError(f"cannot start {name}: the activator is shut down")
            inst = self._instances.get(name)
            if inst is not None and inst.ready.is_set() and inst.proc is not None \
                    and inst.proc.poll() is not None:
                self._forget_dead(inst)  # died after starting: replace it, as Knative replaces a pod
                inst = None
            leader = inst is None
            if inst is None:
                if name not in self.specs:
                    raise StartError(f"no Knative Service named {name!r} in the manifests")
                inst = self._instances[name] = _Instance(self.specs[name])
            inst.in_flight += 1
        if not inst.ready.is_set() or inst.failed:
            try:
                if leader:
                    self._start(inst)
                elif not inst.ready.wait(self.launcher.start_timeout + self.launcher.stop_grace + 5):
                    raise StartError(f"function {name} is still starting")
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
        with self.lease(name) as held:
            return held.host, held.port

    def running(self) -> dict[str, int]:
        """Return the pid of every function that is up, by name."""
        with self._lock:
            return {n: i.proc.pid for n, i in self._instances.items()
                    if i.ready.is_set() and not i.failed and i.proc is not None and i.proc.poll() is None}

    def states(self) -> list[FunctionState]:
        """Return every function of the manifests with its state, by name."""
        with self._lock:
            out = []
            for name in sorted(self.specs):
                inst = self._instances.get(name)
                since, starts = self._since.get(name), self.starts[name]
                if inst is None or inst.failed or inst.proc is None:
                    out.append(FunctionState(name, "scaled to zero", since, starts))
                elif not inst.ready.is_set():
                    out.append(FunctionState(name, "starting", since, starts, inst.proc.pid, inst.port,
                                             inst.in_flight))
                else:
                    running = inst.proc.poll() is None
                    out.append(FunctionState(name, "running" if running else "scaled to zero", since, starts,
                                             inst.proc.pid if running else None, inst.port if running else None,
                                             inst.in_flight))
            return out

    def addresses(self) -> dict[str, tuple[str, int]]:
        """Return (host, port) of every function that is up, by name: for scraping its /metrics.

        Reaching a function here takes no lease: like Prometheus scraping a pod, it neither starts
        a function nor keeps one from scaling to zero.
        """
        with self._lock:
            return {n: (HOST, i.port) for n, i in self._instances.items()
                    if i.ready.is_set() and not i.failed and i.proc is not None and i.proc.poll() is None}

    def events(self) -> list[LifecycleEvent]:
        """Return what happened so far, oldest first."""
        with self._lock:
            return list(self._events)

    def prewarm(self) -> None:
        """Start every function whose min-scale is above zero, in parallel; log failures."""
        def start(name: str) -> None:
            try:
                self.ensure(name)
            except StartError as exc:
                log.error("min-scale function %s did not start: %s", name, exc)

        threads = [threading.Thread(target=start, args=(n,), daemon=True)
                   for n, s in self.specs.items() if s.min_scale > 0]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

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
                elif (inst.in_flight == 0 and inst.spec.min_scale == 0
                      and now - inst.last_active >= self.idle_seconds):
                    del self._instances[name]
                    idle.append(inst)
        self._stop(idle, "idle")
        return [inst.spec.name for inst in idle]

    def stop(self, name: str) -> bool:
        """Scale `name` to zero now, if it is up with nothing in flight; return whether it was.

        Returns once its process (group) is gone, so the next request is a cold start.
        """
        with self._lock:
            inst = self._instances.get(name)
            if inst is None or not inst.ready.is_set() or inst.failed or inst.proc is None \
                    or inst.in_flight:
                return False
            del self._instances[name]
        self._stop([inst], "stopped on request")
        return True

    def shutdown(self) -> None:
        """Stop every function and the reaper; later acquires raise StartError."""
        with self._lock:
            self._closed = True
            instances = list(self._instances.values())
            self._instances.clear()
        self._stopping.set()
        self._stop([i for i in instances if i.proc is not None], "shutdown")
        for inst in instances:  # a start in progress sees _closed and kills its process itself
            inst.ready.wait(self.launcher.start_timeout + self.launcher.stop_grace)
        self._reaper.join(timeout=self.launcher.stop_grace + 5)
        self.launcher.close()

    def _start(self, inst: _Instance) -> None:
        name = inst.spec.name

        def register(proc: subprocess.Popen[bytes], port: int) -> bool:
            with self._lock:
                inst.proc, inst.port = proc, port
                self.starts[name] += 1
                self._since[name] = time.time()
                self._events.append(LifecycleEvent("start", name, proc.pid, time.time()))
                return not self._closed

        try:
            started = self.launcher.launch(inst.spec, register)
        except BaseException as exc:  # waiters must never hang on a start that blew up
            problem = str(exc) if isinstance(exc, StartError) else f"function {name} failed to start: {exc!r}"
            with self._lock:
                inst.failed = problem
                if self._instances.get(name) is inst:
                    del self._instances[name]
                self._since[name] = time.time()
                self._events.append(LifecycleEvent("failed", name, inst.proc.pid if inst.proc else 0, time.time()))
            inst.ready.set()
            log.error("%s", problem)
            return
        with self._lock:
            inst.last_active = time.monotonic()
            self._since[name] = time.time()
            self._events.append(LifecycleEvent("ready", name, started.proc.pid, time.time(), started.ms))
        inst.ready.set()
        log.info("started function %s (pid %d, port %d) in %.0f ms (cold start)",
                 name, started.proc.pid, started.port, started.ms)

    def _forget_dead(self, inst: _Instance) -> None:
        # Called with the lock held.
        assert inst.proc is not None
        if self._instances.get(inst.spec.name) is inst:
            del self._instances[inst.spec.name]
        self.stops[inst.spec.name] += 1
        self._since[inst.spec.name] = time.time()
        self._events.append(LifecycleEvent("crash", inst.spec.name, inst.proc.pid, time.time()))
        log.warning("function %s (pid %d) exited with code %s; its next request starts it again",
                    inst.spec.name, inst.proc.pid, inst.proc.returncode)

    def _stop(self, instances: list[_Instance], reason: str) -> None:
        procs = [i.proc for i in instances if i.proc is not None]
        if not procs:
            return
        now = time.monotonic()
        terminate(procs, self.launcher.stop_grace)
        with self._lock:
            for inst in instances:
                assert inst.proc is not None
                self.stops[inst.spec.name] += 1
                self._since[inst.spec.name] = time.time()
                self._events.append(LifecycleEvent("stop", inst.spec.name, inst.proc.pid, time.time()))
        for inst in instances:
            assert inst.proc is not None
            log.info("stopped function %s (pid %d; %s, idle %.1f s)",
                     inst.spec.name, inst.proc.pid, reason, now - inst.last_active)

    def _reap_loop(self) -> None:
        # A quarter of the idle period keeps scale-down within 25 % of idle_seconds.
        interval = max(0.05, min(1.0, self.idle_seconds / 4))
        while not self._stopping.wait(interval):
            try:
                self.reap()
            except Exception:  # the reaper must outlive anything one stop throws
                log.exception("reaper failed")
