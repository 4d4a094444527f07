"""The dead-letter sink: logs and keeps every event the broker could not deliver.

The broker's dispatcher POSTs each dead-lettered CloudEvent here (binary mode: `ce-*` headers,
with the extensions `knativeerrordest`, `knativeerrorcode` and `knativeerrordata` saying where
it failed and how). Each one becomes a JSON line on stdout (`kubectl logs deploy/dead-letter-sink`)
and in DEAD_LETTER_FILE, on a volume, so the record outlives the pod. The answer is 202 once the
line is written (a dead letter is never retried in a loop) and 500 when it could not be, so the
dispatcher tries again.

Once kept, each dead letter is forwarded as it came (binary mode, its extensions included) to
FORWARD_TO, the reporting's `reporting-on-dead-letter`, which counts it for the dashboard. The
record does not wait on that: a forwarder thread sends it, and sends it again while the receiver
does not answer (or answers 5xx), from 1 s apart up to a minute apart, so a receiver down for a
while still counts every dead letter. At start the last RESEND_ON_START lines of the file are
forwarded again, for what a restart interrupted; the receiver keeps one row per event and
subscriber, so what arrives twice counts once. Standard library only: it runs on the plain
python image.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEAD_LETTER_FILE = os.environ.get("DEAD_LETTER_FILE", "/var/lib/dead-letters/events.jsonl")
FORWARD_TO = os.environ.get("FORWARD_TO", "")
FORWARD_TIMEOUT = 5.0
RETRY_FIRST, RETRY_MAX = 1.0, 60.0  # seconds between forwards the receiver did not answer
MAX_PENDING = 10_000  # forwards waiting to be sent again; past it the oldest wait for a restart
RESEND_ON_START = 1_000
TAKEN, REFUSED, UNANSWERED = "taken", "refused", "unanswered"
_WRITE = threading.Lock()


def record(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Return the dead letter as one JSON-ready record: its CloudEvent attributes and data."""
    headers = {k.lower(): v for k, v in headers.items()}
    text = body.decode("utf-8", errors="replace")
    if headers.get("content-type", "").startswith("application/cloudevents+json"):
        try:
            event = json.loads(text)  # structured mode: attributes and data in the body
        except ValueError:
            event = {"data": text}
    else:
        event = {k[3:]: v for k, v in headers.items() if k.startswith("ce-")}
        if "content-type" in headers:
            event["datacontenttype"] = headers["content-type"]
        event["data"] = text
    return {"received_at": datetime.now(timezone.utc).isoformat(), "event": event}


def store(entry: dict[str, Any], path: str = DEAD_LETTER_FILE) -> str:
    """Append the record to the file and return the line written."""
    line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False)
    with _WRITE, open(path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    return line


def _header_safe(value: str) -> str:
    """Percent-encode what an HTTP header cannot carry (the CloudEvents HTTP binding's rule)."""
    return "".join(ch if " " <= ch <= "~" and ch != "%" else "".join(f"%{b:02X}" for b in ch.encode())
                   for ch in value)


def forward(event: dict[str, Any], url: str) -> str:
    """POST the dead letter to `url` as a binary-mode CloudEvent once: TAKEN (2xx), REFUSED (another
    answer: sending it again would be refused again) or UNANSWERED (no answer, or a 5xx)."""
    data = event.get("data")
    body = (data if isinstance(data, str) else json.dumps(data)).encode() if data is not None else b""
    headers = {f"ce-{name}": _header_safe(str(value)) for name, value in event.items()
               if name not in ("data", "datacontenttype", "data_base64") and value is not None}
    headers["content-type"] = str(event.get("datacontenttype") or "application/json")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT) as answer:
            return TAKEN if 200 <= answer.status < 300 else REFUSED
    except urllib.error.HTTPError as exc:
        return UNANSWERED if exc.code >= 500 else REFUSED
    except OSError:
        return UNANSWERED


class Forwarder:
    """Sends kept dead letters to `url` from a thread of its own, each again while unanswered."""

    def __init__(self, url: str, retry_first: float = RETRY_FIRST, retry_max: float = RETRY_MAX) -> None:
        self.url, self.retry_first, self.retry_max = url, retry_first, retry_max
        self._due: list[tuple[float, int, float, dict[str, Any]]] = []  # (when, order, next wait, event)
        self._order = itertools.count()
        self._ready = threading.Condition()
        threading.Thread(target=self._run, name="forwarder", daemon=True).start()

    def submit(self, event: dict[str, Any], delay: float = 0.0, wait: float | None = None) -> None:
        with self._ready:
            if len(self._due) >= MAX_PENDING:
                _, _, _, dropped = heapq.heappop(self._due)
                print(json.dumps({"error": f"dead letter {dropped.get('id')} not forwarded: too many waiting; "
                                           "kept here, forwarded at the next start"}), flush=True)
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order),
                                       wait if wait is not None else self.retry_first, event))
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._ready.wait(self._due[0][0] - time.monotonic() if self._due else None)
                _, _, wait, event = heapq.heappop(self._due)
            outcome = forward(event, self.url)
            if outcome == UNANSWERED:
                self.submit(event, delay=wait, wait=min(wait * 2, self.retry_max))
            elif outcome == REFUSED:
                print(json.dumps({"error": f"dead letter {event.get('id')} refused by {self.url}; kept here"}),
                      flush=True)


def _last_lines(path: str, count: int) -> list[str]:
    try:
        with open(path, encoding="utf-8") as fh:
            return list(deque(fh, maxlen=count))
    except FileNotFoundError:
        return []


class Handler(BaseHTTPRequestHandler):
    server_version = "dead-letter-sink"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            path = self.server.path  # type: ignore[attr-defined]  # set by serve()
            line = store(record(dict(self.headers.items()), body), path)
        except OSError as exc:
            print(json.dumps({"error": f"could not store a dead letter: {exc}"}), flush=True)
            self._answer(500)
            return
        print(line, flush=True)
        self._answer(202)
        forwarder = self.server.forwarder  # type: ignore[attr-defined]  # set by serve()
        if forwarder is not None:
            forwarder.submit(json.loads(line)["event"])

    def do_GET(self) -> None:  # noqa: N802
        self._answer(200 if self.path.startswith("/health") else 404)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the records are the log; access lines would only bury them


def serve(port: int, path: str = DEAD_LETTER_FILE, forward_to: str = FORWARD_TO,
          retry_first: float = RETRY_FIRST) -> ThreadingHTTPServer:
    """Return a server on `port` (0: any free port) that stores dead letters in `path` and
    forwards each to `forward_to` (none when empty), the file's last lines first."""
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.path = path  # type: ignore[attr-defined]
    server.forwarder = Forwarder(forward_to, retry_first) if forward_to else None  # type: ignore[attr-defined]
    if server.forwarder is not None:  # type: ignore[attr-defined]
        for line in _last_lines(path, RESEND_ON_START):
            try:
                server.forwarder.submit(json.loads(line)["event"])  # type: ignore[attr-defined]
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash: the rest still go
    return server


if __name__ == "__main__":
    serve(int(os.environ.get("PORT", "8080"))).serve_forever()
