"""The load test (bench/load.py, `make load`) on a short bounded run: 5 users for 10 s.

It starts its own stack (a scratch database on the test server, its own exchange and queues),
runs locust headless with every user touring every task first, lets the events settle and runs
make verify. The run must complete, every task be exercised, the error rate be reported and
the invariants hold.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import pytest

from tests.conftest import ADMIN_URL
from tests.e2e.conftest import REPO

pytestmark = pytest.mark.e2e

TASKS = {"index", "browse", "search", "add to cart", "view cart", "checkout", "login"}


def test_a_short_load_run_exercises_every_task_and_leaves_the_invariants_intact(tmp_path):
    out = tmp_path / "summary.json"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "bench/load.py", "--users", "5", "--duration", "10s", "--spawn-rate", "5", "--tour",
         "--database-server", ADMIN_URL, "--json", str(out)],
        cwd=REPO, env={"BENCH_RESULTS": str(tmp_path), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=150)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert time.monotonic() - started < 120
    summary = json.loads(out.read_text())
    assert TASKS <= {name for name, t in summary["tasks"].items() if t["count"] > 0}, summary["tasks"]
    assert summary["requests"] > 0 and not math.isnan(summary["error_pct"])
    assert "errors:" in done.stdout and "%" in done.stdout
    assert summary["violations"] == [], summary["violations"]
    assert (tmp_path / "load.json").exists()
    assert "target (issue 13)" in done.stdout
    assert "CPU during the run" in done.stdout and "machine total" in done.stdout
    inside = done.stdout.split("inside each function")[1]
    for function in ("orders-orders", "payments-payments", "accounts-login", "inventory-on-order-placed"):
        assert function in inside.split("the seconds with the most")[0], function  # each function's own times
    assert "the seconds with the most requests over 200 ms" in done.stdout
