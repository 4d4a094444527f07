"""`make status`: what the running `make dev` stack is doing, asked of the stack itself.

Reads `GET /status/stack` on the gateway's status listener (localrun/gateway/status.py: the
same host and port settings as `make dev`, GATEWAY_HOST and GATEWAY_STATUS_PORT) and prints
every function with its state (running, starting, scaled to zero), since when and its cold
starts; each Trigger queue's depth and the dead letters of the local broker; and each domain's
outbox backlog (rows its relay has not sent yet). Exit status 1 when nothing answers there.
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

from localrun.gateway.status import STACK_PATH


def fetch(host: str, port: int, timeout: float = 10.0) -> dict[str, Any]:
    """Return the stack's status; raise OSError when no stack answers at host:port."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", STACK_PATH)
        resp = conn.getresponse()
        body = resp.read()
    except http.client.HTTPException as exc:
        raise OSError(f"{host}:{port} did not answer as the gateway's status listener: {exc!r}") from exc
    finally:
        conn.close()
    if resp.status != 200:
        raise OSError(f"{host}:{port}{STACK_PATH} answered {resp.status}: is it the gateway's status listener?")
    return json.loads(body)


def table(rows: Sequence[Sequence[str]]) -> str:
    """Return rows as left-aligned columns (the first row is the header)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows)


def ago(then: float | None, now: float) -> str:
    """Return `HH:MM:SS (5m ago)` for a wall-clock time, `-` for None."""
    if then is None:
        return "-"
    seconds = max(0, int(now - then))
    span = f"{seconds}s" if seconds < 120 else f"{seconds // 60}m" if seconds < 7200 else f"{seconds // 3600}h"
    return f"{time.strftime('%H:%M:%S', time.localtime(then))} ({span} ago)"


def render(status: dict[str, Any]) -> str:
    """Return the status as the text `make status` prints."""
    now = float(status.get("now") or time.time())
    functions = status.get("functions") or []
    running = sum(1 for f in functions if f["state"] == "running")
    out = [f"functions: {running} running, {len(functions) - running} scaled to zero or starting "
           f"(stack up since {ago(status.get('started_at'), now)})"]
    rows = [("FUNCTION", "STATE", "SINCE", "COLD STARTS", "PID")]
    rows += [(f["name"], f["state"], ago(f.get("since"), now) if f.get("since") else "never started",
              str(f["cold_starts"]), str(f["pid"]) if f.get("pid") else "-") for f in functions]
    out += [table(rows), ""]
    broker = status.get("broker")
    if broker is None:
        out.append("broker: not running (events stay in the outboxes)")
    elif "error" in broker:
        out.append(f"broker: could not be read: {broker['error']}")
    else:
        out.append(f"broker: {broker['transport']}, exchange {broker['exchange']}")
        rows = [("QUEUE", "TRIGGER", "DEPTH")]
        rows += [(q["queue"], q["trigger"], "missing" if q["depth"] is None else str(q["depth"]))
                 for q in broker["queues"]]
        out.append(table(rows))
        dead = broker.get("dead_letters")
        out.append(f"dead letters in {broker['dead_letter_queue']}: {'missing' if dead is None else dead}"
                   + (" (make dead-letters lists them)" if dead else ""))
    out.append("")
    outboxes = status.get("outboxes")
    if outboxes is None:
        out.append("outboxes: no relays running")
    elif "error" in outboxes:
        out.append(f"outboxes: could not be read: {outboxes['error']}")
    else:
        rows = [("OUTBOX", "UNSENT", "OLDEST UNSENT")]
        rows += [(domain, str(b["unsent"]), b["oldest"] or "-") for domain, b in sorted(outboxes.items())]
        out.append(table(rows))
    return "\n".join(out)


def main(host: str, port: int | None, *, as_json: bool = False) -> int:
    if port is None:
        print("make status: no status port (set GATEWAY_STATUS_PORT)", file=sys.stderr)
        return 1
    try:
        status = fetch(host, port)
    except OSError as exc:
        print(f"make status: no local stack answers on {host}:{port} ({exc}); start it with make dev",
              file=sys.stderr)
        return 1
    print(json.dumps(status, indent=2) if as_json else render(status))
    return 0
