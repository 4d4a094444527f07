"""The dead-letter sink: logs and keeps every event the broker could not deliver.

The broker's dispatcher POSTs each dead-lettered CloudEvent here (binary mode: `ce-*` headers,
with the extensions `knativeerrordest`, `knativeerrorcode` and `knativeerrordata` saying where
it failed and how). Each one becomes a JSON line on stdout (`kubectl logs deploy/dead-letter-sink`)
and in DEAD_LETTER_FILE, on a volume, so the record outlives the pod. The answer is 202 once the
line is written (a dead letter is never retried in a loop) and 500 when it could not be, so the
dispatcher tries again. Standard library only: it runs on the plain python image.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEAD_LETTER_FILE = os.environ.get("DEAD_LETTER_FILE", "/var/lib/dead-letters/events.jsonl")
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

    def do_GET(self) -> None:  # noqa: N802
        self._answer(200 if self.path.startswith("/health") else 404)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the records are the log; access lines would only bury them


def serve(port: int, path: str = DEAD_LETTER_FILE) -> ThreadingHTTPServer:
    """Return a server on `port` (0: any free port) that stores dead letters in `path`."""
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.path = path  # type: ignore[attr-defined]
    return server


if __name__ == "__main__":
    serve(int(os.environ.get("PORT", "8080"))).serve_forever()
