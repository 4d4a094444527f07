"""The dead-letter sink: logs and keeps every event the broker could not deliver.

The broker's dispatcher POSTs each dead-lettered CloudEvent here (binary mode: `ce-*` headers,
with the extensions `knativeerrordest`, `knativeerrorcode` and `knativeerrordata` saying where
it failed and how). Each one becomes a JSON line on stdout (`kubectl logs deploy/dead-letter-sink`)
and in DEAD_LETTER_FILE, on a volume, so the record outlives the pod. The answer is 202 once the
line is written (a dead letter is never retried in a loop) and 500 when it could not be, so the
dispatcher tries again.

Once kept, each dead letter is forwarded as it came (binary mode, its extensions included) to
FORWARD_TO, the reporting's `reporting-on-dead-letter`, which counts it for the dashboard. The
record does not wait on that: a forward that fails after FORWARD_ATTEMPTS is logged, and the
line stays here to be read and replayed. Standard library only: it runs on the plain python image.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEAD_LETTER_FILE = os.environ.get("DEAD_LETTER_FILE", "/var/lib/dead-letters/events.jsonl")
FORWARD_TO = os.environ.get("FORWARD_TO", "")
FORWARD_ATTEMPTS = 3
FORWARD_TIMEOUT = 5.0
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


def forward(event: dict[str, Any], url: str, attempts: int = FORWARD_ATTEMPTS) -> bool:
    """POST the dead letter to `url` as a binary-mode CloudEvent; return whether it was taken (2xx).

    Retried on no answer or a 5xx, waiting 0.2 s, then 0.4 s, ...: the receiver keeps one row per
    event and subscriber, so a forward that arrives twice counts once.
    """
    data = event.get("data")
    body = (data if isinstance(data, str) else json.dumps(data)).encode() if data is not None else b""
    headers = {f"ce-{name}": _header_safe(str(value)) for name, value in event.items()
               if name not in ("data", "datacontenttype", "data_base64") and value is not None}
    headers["content-type"] = str(event.get("datacontenttype") or "application/json")
    for attempt in range(attempts):
        if attempt:
            time.sleep(0.2 * 2 ** (attempt - 1))
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT) as answer:
                return 200 <= answer.status < 300
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return False  # refused: sending it again would be refused again
        except OSError:
            pass  # no answer: try again
    return False


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
        forward_to = self.server.forward_to  # type: ignore[attr-defined]  # set by serve()
        event = json.loads(line)["event"]
        if forward_to and not forward(event, forward_to):
            print(json.dumps({"error": f"dead letter {event.get('id')} not forwarded to {forward_to}; "
                                       "kept here"}), flush=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(200 if self.path.startswith("/health") else 404)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the records are the log; access lines would only bury them


def serve(port: int, path: str = DEAD_LETTER_FILE, forward_to: str = FORWARD_TO) -> ThreadingHTTPServer:
    """Return a server on `port` (0: any free port) that stores dead letters in `path` and
    forwards each to `forward_to` (none when empty)."""
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.path = path  # type: ignore[attr-defined]
    server.forward_to = forward_to  # type: ignore[attr-defined]
    return server


if __name__ == "__main__":
    serve(int(os.environ.get("PORT", "8080"))).serve_forever()
