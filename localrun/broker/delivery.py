"""Sending one CloudEvent to one destination, the way Knative's dispatcher does, with retries.

A Knative Service destination is reached through the activator, so a scaled-to-zero function
is started by the event exactly as the gateway starts it for a request. Answers are judged by
Knative's SelectiveRetry: 2xx succeeds; 404, 408, 409, 429, 5xx and no answer are retried.

Connections are kept alive, one per destination per delivering thread (`_Connections`), as
Knative's dispatcher keeps its HTTP client's: a new TCP connection per event cost the subscriber
an accept and the broker a connect, and the gunicorn of a function serves a kept-alive one
sooner. A kept-alive connection the subscriber closed meanwhile (its keep-alive timeout, a
restart) fails before any answer: that request is sent once more on a new connection, and does
not count as an attempt (the subscriber never read it; were it read, the inbox de-duplicates).
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from localrun.broker.message import BrokerEvent, from_binary_http, from_structured, http_headers
from localrun.broker.resources import Delivery, Destination
from localrun.broker.transport import PublishError, Stopped
from localrun.serving.activator import StartError

if TYPE_CHECKING:
    from localrun.broker.transport import Transport
    from localrun.serving.activator import Activator

log = logging.getLogger(__name__)
RETRIED_STATUSES = frozenset({404, 408, 409, 429})
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """One attempt's answer: an HTTP status (None when there was no answer) and its body."""

    status: int | None
    body: bytes = b""
    error: str = ""
    reply: BrokerEvent | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Return whether Knative retries this answer."""
        return self.status is None or self.status in RETRIED_STATUSES or self.status >= 500

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else f"no answer ({self.error})"


class Sender:
    """Sends an event once: to a function (via the activator), a URL, or the broker's exchange."""

    def __init__(self, activator: Activator | None, transport: Transport,
                 default_timeout: float = DEFAULT_TIMEOUT) -> None:
        self.activator, self.transport = activator, transport
        self.default_timeout = default_timeout

    def send(self, dest: Destination, event: BrokerEvent, timeout: float | None = None) -> Outcome:
        """Return the outcome of one attempt; never raises for a failed delivery."""
        timeout = timeout or self.default_timeout
        if dest.kind == "broker":
            try:
                self.transport.publish(event)
            except PublishError as exc:
                return Outcome(None, error=str(exc))
            return Outcome(202)
        if dest.kind == "url":
            parts = urlsplit(dest.uri)
            name = (parts.hostname or "").split(".", 1)[0]
            if (parts.hostname or "").endswith(".svc.cluster.local") and self._is_function(name):
                return self._to_function(name, parts.path or "/", parts.hostname or "", event, timeout)
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            return _post(parts.hostname or "", parts.port or 80, path, parts.netloc, event, timeout)
        if dest.kind == "function":
            host = f"{dest.name}.{dest.namespace}.svc.cluster.local"
            return self._to_function(dest.name, dest.uri or "/", host, event, timeout)
        return Outcome(None, error=f"{dest.url} is a plain Kubernetes Service, which does not run locally")

    def _is_function(self, name: str) -> bool:
        return self.activator is not None and name in self.activator.specs

    def _to_function(self, name: str, path: str, host: str, event: BrokerEvent, timeout: float) -> Outcome:
        if self.activator is None:
            return Outcome(None, error="no activator to start functions")
        try:
            lease = self.activator.acquire(name)
        except StartError as exc:
            return Outcome(None, error=f"activation failed: {exc}")
        try:
            return _post(lease.host, lease.port, path, host, event, timeout)
        finally:
            self.activator.release(lease)


class _Connections(threading.local):
    """Each delivering thread's kept-alive connections, by (host, port); the oldest go first."""

    LIMIT = 16  # destinations per thread (a restarted function listens on a new port)

    def __init__(self) -> None:
        self.open: dict[tuple[str, int], http.client.HTTPConnection] = {}

    def take(self, host: str, port: int, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        """Return a connection to host:port (timeout set) and whether it was used before."""
        conn = self.open.pop((host, port), None)
        reused = conn is not None and conn.sock is not None
        if conn is None:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn, reused

    def give_back(self, host: str, port: int, conn: http.client.HTTPConnection) -> None:
        if conn.sock is None:  # the answer said Connection: close, or it failed
            return
        self.open[(host, port)] = conn
        while len(self.open) > self.LIMIT:
            self.open.pop(next(iter(self.open))).close()


_connections = _Connections()
# Failing like this on a kept-alive connection means the subscriber closed it before reading.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


def _post(host: str, port: int, path: str, host_header: str, event: BrokerEvent, timeout: float) -> Outcome:
    headers = http_headers(event)
    if not any(k.lower() == "traceparent" for k, _ in headers):
        # The hop's trace context, as Knative's dispatcher sends one: the event's own trace (its
        # distributed-tracing extension) when it has one, else a new trace.
        traceparent = (event.attributes.get("traceparent")
                       or f"00-{os.urandom(16).hex()}-{os.urandom(8).hex()}-01")
        headers.append(("traceparent", traceparent))
    headers += [("Host", host_header), ("Content-Length", str(len(event.data)))]
    while True:
        conn, reused = _connections.take(host, port, timeout)
        try:
            conn.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            conn.endheaders(event.data)
            resp = conn.getresponse()
            body = resp.read()
        except _STALE as exc:
            conn.close()
            if reused:
                continue  # closed by the subscriber while idle: once more, on a new connection
            return Outcome(None, error=repr(exc))
        except TimeoutError:
            conn.close()
            return Outcome(None, error=f"no answer within {timeout:g} s")
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            return Outcome(None, error=repr(exc))
        _connections.give_back(host, port, conn)
        reply = _reply(resp, body) if 200 <= resp.status < 300 else None
        return Outcome(resp.status, body, reply=reply)


def _reply(resp: http.client.HTTPResponse, body: bytes) -> BrokerEvent | None:
    """Return the CloudEvent a subscriber answered with (binary or structured), if any."""
    event = from_binary_http(resp.getheaders(), body)
    if event is None and resp.getheader("Content-Type", "").startswith("application/cloudevents+json"):
        try:
            event = from_structured(json.loads(body))
        except (ValueError, TypeError, AttributeError):
            return None
    if event is None or not all(event.attributes.get(a) for a in ("id", "type", "source")):
        return None
    return event


def deliver(sender: Sender, dest: Destination, event: BrokerEvent, delivery: Delivery | None,
            stopping: threading.Event) -> tuple[Outcome, int]:
    """Send with the delivery's retries and backoff; return the last outcome and the attempts made.

    Raise Stopped when the broker stops during a backoff wait.
    """
    timeout = delivery.timeout if delivery is not None else None
    attempts = 0
    while True:
        outcome = sender.send(dest, event, timeout)
        attempts += 1
        retries = attempts - 1
        if outcome.ok or not outcome.retryable or delivery is None or retries >= delivery.retry:
            return outcome, attempts
        wait = delivery.backoff(retries + 1)
        log.info("event %s to %s: %s; retry %d/%d in %.2f s", event.id, dest.url, outcome.describe(),
                 retries + 1, delivery.retry, wait)
        if stopping.wait(wait):
            raise Stopped
