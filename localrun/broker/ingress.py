"""The broker's ingress, locally: `POST` a CloudEvent (binary or structured), validated, published.

Reached through the gateway as Kong service `broker-ingress` (route `/events`), like
`http://default-broker-ingress.ecom.svc.cluster.local` in the cluster. A valid event is published
to the exchange with publisher confirms and answered 202, as Knative's ingress answers; an
invalid one gets 400 problem+json (RFC 9457) naming each bad attribute or data path; when
RabbitMQ does not confirm, 503.
"""

from __future__ import annotations

import json
import logging
import socketserver
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from cloudevents import exceptions as ce_exceptions
from cloudevents.http import from_http

from localrun.broker.contracts import MAX_DEPTH, REQUIRED, Contracts, FieldProblem, too_deep
from localrun.broker.message import BrokerEvent, json_data
from localrun.broker.transport import PublishError
from localrun.gateway.wire import read_body

if TYPE_CHECKING:
    from localrun.broker.transport import Transport

log = logging.getLogger(__name__)
PROBLEM_TYPE = "https://ecom.example/problems/invalid-event"
FORBIDDEN_TYPE = "https://ecom.example/problems/event-type-not-allowed"
# Set by Kong's key-auth (kong/plugins/key-auth/handler.lua, set_consumer) from the producer's
# credential; key-auth overwrites (or clears) whatever the client sent under this name.
CONSUMER_HEADER = "X-Consumer-Username"
STRUCTURED = "application/cloudevents+json"


class InvalidEvent(Exception):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def read_event(headers: Mapping[str, str], body: bytes) -> BrokerEvent:
    """Return the CloudEvent of an HTTP request (binary or structured mode); raise InvalidEvent."""
    lower = {k.lower(): v for k, v in headers.items()}
    if too_deep(body):  # before any json.loads (ours or the SDK's): 100k levels raise RecursionError
        raise InvalidEvent([FieldProblem("body", f"nests deeper than {MAX_DEPTH} levels")])
    if lower.get("content-type", "").lower().startswith(STRUCTURED):
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise InvalidEvent([FieldProblem("body", "a structured CloudEvent must be a JSON object")]) from None
        if not isinstance(document, dict):
            raise InvalidEvent([FieldProblem("body", "a structured CloudEvent must be a JSON object")])
        present = {k for k, v in document.items() if v not in (None, "")}
    elif "ce-specversion" in lower:
        present = {k[3:] for k, v in lower.items() if k.startswith("ce-") and v}
    else:
        raise InvalidEvent([FieldProblem("specversion", "is required: send a CloudEvent in binary mode "
                                    "(ce-* headers) or structured mode (application/cloudevents+json)")])
    missing = [FieldProblem(name, "is required") for name in REQUIRED if name not in present]
    if missing:
        raise InvalidEvent(missing)
    try:
        parsed = from_http(dict(headers), body)
    except ce_exceptions.GenericException as exc:
        raise InvalidEvent([FieldProblem("body", f"not a CloudEvent: {exc}")]) from None
    attributes = {k: str(v) for k, v in parsed.get_attributes().items() if v is not None}
    if "time" not in present:
        attributes.pop("time", None)  # the SDK invents one; the producer did not send it
    if "ce-specversion" in lower:
        data = body  # binary mode: the producer's bytes, as they are
    elif isinstance(parsed.data, (bytes, bytearray)):
        data = bytes(parsed.data)
    else:
        data = b"" if parsed.data is None else json_data(parsed.data)
    return BrokerEvent(attributes, data)


def problem_body(problems: list[FieldProblem], detail: str) -> bytes:
    """Return an RFC 9457 problem document for an invalid event."""
    return json.dumps({
        "type": PROBLEM_TYPE, "title": "Invalid event", "status": 400, "detail": detail,
        "errors": [{"field": p.field, "message": p.message} for p in problems],
    }).encode()


def forbidden_body(event_type: str, producer: str | None) -> bytes:
    """Return the problem document for a type the calling producer may not send."""
    who = f"producer {producer!r}" if producer else "a caller without a producer credential"
    return json.dumps({
        "type": FORBIDDEN_TYPE, "title": "Event type not allowed", "status": 403,
        "detail": f"{event_type} may not be sent by {who} (events/catalog.yaml, outside_producers)",
        "errors": [{"field": "type", "message": "not allowed for this producer"}],
    }).encode()


class _Handler(BaseHTTPRequestHandler):
    server: IngressServer
    protocol_version = "HTTP/1.1"
    server_version = "localrun-broker-ingress"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_POST(self) -> None:
        try:
            body = read_body(self.rfile, self.headers)
        except (ValueError, EOFError) as exc:
            self.close_connection = True
            problems = [FieldProblem("body", str(exc))]
            return self._send(400, problem_body(problems, "The request body is unreadable."))
        contracts = self.server.contracts
        try:
            event = read_event(dict(self.headers.items()), body)
            producer = self.headers.get(CONSUMER_HEADER)
            if event.type in contracts.types and event.type not in contracts.allowed_types(producer):
                return self._send(403, forbidden_body(event.type, producer))
            problems = contracts.check(event)
            if problems:
                raise InvalidEvent(problems)
        except InvalidEvent as exc:
            return self._send(400, problem_body(exc.problems, f"The event is not valid: {exc}"))
        try:
            self.server.transport.ingress_publish(event)
        except PublishError as exc:
            log.error("ingress: event %s (%s) not published: %s", event.id, event.type, exc)
            body = json.dumps({"type": "https://ecom.example/problems/service-unavailable",
                               "title": "Service unavailable", "status": 503,
                               "detail": "The event broker did not accept the event; send it again."})
            return self._send(503, body.encode(), {"Retry-After": "1"})
        self._send(202, b"")

    def do_GET(self) -> None:
        if self.path.split("?")[0] in ("/health", "/health/readiness", "/health/liveness"):
            return self._send(200, b"")
        self._send(405, b"", {"Allow": "POST"})

    do_PUT = do_PATCH = do_DELETE = do_GET

    def _send(self, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        if body:
            self.send_header("Content-Type", "application/problem+json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class IngressServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], contracts: Contracts, transport: Transport) -> None:
        self.contracts, self.transport = contracts, transport
        super().__init__(address, _Handler)
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN: a DNS query we never need.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def address(self) -> tuple[str, int]:
        return str(self.server_address[0]), int(self.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="broker-ingress", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
