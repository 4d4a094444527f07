"""CPU time by part of the event pipeline, between two snapshots: where an event's CPU goes.

The parts: the threads of this process by role (relay, local broker, the bench's own producer and
watcher, the rest: gateway, activator), the function processes (each with its children: the
gunicorn worker), PostgreSQL (every server process: backends, WAL writer, checkpointer) and
RabbitMQ (beam.smp). PostgreSQL and RabbitMQ are shared with whatever else runs on the machine,
so their figures include other sessions' work; the machine's total is printed beside them.
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
                ("bench-inbox-watcher", "bench's inbox watcher"))
OTHER_THREADS = "bench process: other threads (gateway, activator, main)"
MACHINE = "machine total (all cores, everyone)"  # not a part: every process on the machine


def _thread_part(name: str) -> str:
    return next((part for prefix, part in THREAD_PARTS if name.startswith(prefix)), OTHER_THREADS)


def _tree_cpu(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def _named_processes(names: tuple[str, ...]) -> float:
    total = 0.0
    for p in psutil.process_iter(["name"]):
        if p.info["name"] in names:
            try:
                times = p.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
    return total


class CpuMeter:
    """`snapshot()` returns CPU seconds by part; `functions()` names the function pids to include."""

    def __init__(self, functions: Callable[[], Mapping[str, int]]) -> None:
        self.functions = functions
        self.me = psutil.Process(os.getpid())

    def snapshot(self) -> dict[str, float]:
        parts: dict[str, float] = {}
        names = {t.native_id: t.name for t in threading.enumerate()}
        for thread in self.me.threads():
            part = _thread_part(names.get(thread.id, ""))
            parts[part] = parts.get(part, 0.0) + thread.user_time + thread.system_time
        for name, pid in self.functions().items():
            try:
                parts[f"function {name} (process tree)"] = _tree_cpu(psutil.Process(pid))
            except psutil.Error:
                pass
        parts["PostgreSQL (all its processes)"] = _named_processes(("postgres",))
        parts["RabbitMQ (beam.smp)"] = _named_processes(("beam.smp",))
        cpu = psutil.cpu_times()
        parts[MACHINE] = cpu.user + cpu.system + getattr(cpu, "softirq", 0.0) \
            + getattr(cpu, "irq", 0.0)
        return parts


def difference(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """Return after - before per part (a part that appeared meanwhile counts from zero)."""
    return {part: after[part] - before.get(part, 0.0) for part in after}
