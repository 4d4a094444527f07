"""bench/_cpu.py's accounting: the bench process's CPU beyond its live threads is its own row."""

from __future__ import annotations

import sys
import threading

from tests.e2e.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import _cpu  # noqa: E402  (bench/ is a folder of scripts, not a package)


def snapshot(process: float, threads: dict[object, float]) -> _cpu.Snapshot:
    return {_cpu._PROCESS: {"all": process}, _cpu.OTHER_THREADS: threads}


def test_what_ended_threads_used_is_the_process_total_beyond_its_live_threads() -> None:
    before = snapshot(10.0, {("thread", 1): 4.0, ("thread", 2): 1.0})
    after = snapshot(13.5, {("thread", 1): 5.0, ("thread", 3): 0.5})  # 2 ended, 3 started meanwhile
    used = _cpu.difference(before, after)
    assert used[_cpu.OTHER_THREADS] == 1.5  # thread 1's second, thread 3's half from zero
    assert used[_cpu.ENDED_THREADS] == 2.0  # 3.5 by the process, 1.5 of it by threads still alive
    assert _cpu._PROCESS not in used


def test_a_real_thread_that_ends_between_snapshots_is_counted() -> None:
    meter = _cpu.CpuMeter(lambda: {}, lambda: {})
    before = meter.snapshot()

    def spin() -> None:
        deadline = _cpu.psutil.Process().cpu_times().user + 0.2
        while _cpu.psutil.Process().cpu_times().user < deadline:
            pass

    worker = threading.Thread(target=spin, name="short-lived")
    worker.start()
    worker.join()
    used = _cpu.difference(before, meter.snapshot())
    assert used[_cpu.ENDED_THREADS] >= 0.15
