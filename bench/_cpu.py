"""CPU time by part of the event pipeline, between two snapshots: where an event's CPU goes.

The parts: the threads of this process by role (relay, local broker, the bench's own producer and
watcher, the rest: gateway, activator), the function processes (each with its children: the
gunicorn worker), PostgreSQL (the backends of the bench's database and the server's own
background processes: WAL writer, checkpointer...) and RabbitMQ (beam.smp, shared with whatever
else uses it). The machine's total is measured beside them: what the rest of the machine used
meanwhile is the difference. CPU is counted per thread or process and only what it used between
the snapshots. A thread that ends meanwhile is not among the threads of the second snapshot:
the gateway's thread of each client connection (locust's connections close when it stops, so in
the load test this row is the gateway serving the shoppers), bench/checkout.py's shoppers, the
producers. What the process used beyond its live threads' sum is its own row, ENDED_THREADS
(the producers count their own, taken out of it).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping

import psutil

# Thread name prefixes (threading.Thread names) -> the part they belong to; the first match wins.
THREAD_PARTS = (("bench-relay", "relay (thread in the bench process)"),
                ("broker-", "local broker: consumers and deliveries (threads)"),
                ("bench-producer", "bench's producer (checkout's stand-in)"),
                ("bench-inbox-watcher", "bench's inbox watcher"),
                ("bench-order-watcher", "bench's order watcher (checkout)"))
OTHER_THREADS = "bench process: other threads (gateway, activator, relays, main)"
ENDED_THREADS = "bench process: threads that ended meanwhile (the gateway's client connections, checkout's shoppers)"
_PROCESS = "bench process (all its threads)"  # in snapshots only: difference() turns it into ENDED_THREADS
POSTGRES = "PostgreSQL: "  # + whose backend (its application_name) or which server process
RABBITMQ = "RabbitMQ (beam.smp)"
MACHINE = "machine total (all cores, everyone)"  # not a part: every process on the machine

Snapshot = dict[str, dict[object, float]]  # part -> thread or process id -> CPU seconds so far


def _thread_part(name: str) -> str:
    return next((part for prefix, part in THREAD_PARTS if name.startswith(prefix)), OTHER_THREADS)


def _cpu(proc: psutil.Process) -> float | None:
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


class CpuMeter:
    """`snapshot()` the CPU of every part; `difference(before, after)` is what each used between.

    `functions()` names the running function processes; `postgres_pids()` the PostgreSQL
    processes that are the bench's (its database's backends and the background processes), each
    with whose it is: PostgreSQL's CPU is split by who made it work.
    """

    def __init__(self, functions: Callable[[], Mapping[str, int]],
                 postgres_pids: Callable[[], Mapping[int, str]]) -> None:
        self.functions, self.postgres_pids = functions, postgres_pids
        self.me = psutil.Process(os.getpid())

    def snapshot(self) -> Snapshot:
        parts: Snapshot = {}
        names = {t.native_id: t.name for t in threading.enumerate()}
        parts[_PROCESS] = {"all": _cpu(self.me) or 0.0}
        for thread in self.me.threads():
            part = parts.setdefault(_thread_part(names.get(thread.id, "")), {})
            part[("thread", thread.id)] = thread.user_time + thread.system_time
        for name, pid in self.functions().items():
            try:
                tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
            except psutil.Error:
                continue
            part = parts.setdefault(f"function {name} (process tree)", {})
            for proc in tree:
                if (cpu := _cpu(proc)) is not None:
                    part[proc.pid] = cpu
        ours = self.postgres_pids()
        for proc in psutil.process_iter(["name"]):
            name = proc.info["name"]
            part_name = POSTGRES + ours[proc.pid] if name == "postgres" and proc.pid in ours \
                else RABBITMQ if name == "beam.smp" else None
            if part_name is not None and (cpu := _cpu(proc)) is not None:
                parts.setdefault(part_name, {})[proc.pid] = cpu
        cpu = psutil.cpu_times()
        parts[MACHINE] = {"all": cpu.user + cpu.system + getattr(cpu, "softirq", 0.0) + getattr(cpu, "irq", 0.0)}
        return parts


def difference(before: Snapshot, after: Snapshot) -> dict[str, float]:
    """Return the CPU seconds each part used between the snapshots (new threads count from zero)."""
    used = {part: sum(max(0.0, cpu - before.get(part, {}).get(key, 0.0)) for key, cpu in cpus.items())
            for part, cpus in after.items()}
    process = used.pop(_PROCESS, 0.0)
    live_threads = sum(cpu for part, cpu in used.items() if part in _THREAD_ROWS)
    used[ENDED_THREADS] = max(0.0, process - live_threads)
    return used


_THREAD_ROWS = frozenset([part for _, part in THREAD_PARTS] + [OTHER_THREADS])
