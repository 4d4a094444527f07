"""Calls from a function to another domain's function: one client, with a deadline, bounded
retries and a circuit breaker, so a domain that is down is a clear 503 problem, never a hang.

A domain asks another over HTTP only for what it cannot keep a copy of (orders asks catalog for a
product's current price). The callee is named by its Knative Service, e.g. `catalog-product`; in
the cluster the address is `http://<service>.<namespace>.svc.cluster.local`, which Knative's
cluster-local gateway routes by its Host header (the call never passes Kong: no jwt, no rate
limit). The local runtime has the same gateway: `CLUSTER_LOCAL_GATEWAY=host:port` makes the
client connect there with the same Host header.

Retries: only idempotent calls (GET), at most `retries` more attempts with a growing pause, and
only when the answer says nothing about the request (no connection, timeout, 502/503/504), all
within one deadline. The breaker opens after `failures_to_open` failed calls in a row and then
refuses at once for `open_seconds`, so a request that needs a dead domain fails fast instead of
tying up a worker for the whole deadline; after that one trial call decides.

Independent calls one request needs (orders placing an order asks catalog for the prices and
accounts for the address) go out at once with `concurrently`: the request waits for the slower
one, not for both in turn.
"""

from __future__ import annotations

import contextvars
import http.client
import json
import os
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from functions.runtime import tracing
from functions.runtime.exceptions import Unavailable
from functions.runtime.logs import correlation_id

__all__ = ["Reply", "Service", "concurrently", "path_of"]

_RETRYABLE_STATUS = frozenset({502, 503, 504})
T = TypeVar("T")
_POOL_THREADS = 4  # calls beside the request's own thread; more wait for a free one
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def concurrently(*calls: Callable[[], T]) -> list[T]:
    """Run independent calls at once and return their results in order.

    The first runs in the caller's thread, the others in a small pool, each in a copy of the
    caller's context (its span, so each call is a child span of the request's; its request id).
    Every call is waited for, whatever the others do; then the first call's error, in the order
    given, is raised: the same error the calls made one after another would have raised first.
    """
    if len(calls) <= 1:
        return [call() for call in calls]
    pool = _call_pool()
    others: list[Future[T]] = [pool.submit(contextvars.copy_context().run, call) for call in calls[1:]]
    try:
        first = calls[0]()
    except BaseException:
        for future in others:
            future.exception()  # wait: nothing of this request goes on after it answers
        raise
    return [first] + [future.result() for future in others]


def _call_pool() -> ThreadPoolExecutor:
    # Made at the first concurrent call, in the worker process (never before a fork).
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(_POOL_THREADS, thread_name_prefix="calls")
        return _pool


@dataclass(frozen=True, slots=True)
class Reply:
    """The callee's answer: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _still_open(conn: http.client.HTTPConnection) -> bool:
    # An idle keep-alive socket is readable only when the peer closed it (or broke protocol).
    if conn.sock is None:
        return False
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    return not poller.poll(0)


def path_of(template: str, *values: str) -> str:
    """Return template with each `{}` replaced by a value quoted as one path segment."""
    return template.format(*(quote(v, safe="") for v in values))


@dataclass
class _Breaker:
    failures_to_open: int
    open_seconds: float
    failures: int = 0
    opened_at: float | None = None
    trial_running: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def admit(self) -> bool:
        """Return whether a call may go out now (closed, or the one trial of a half-open breaker)."""
        with self.lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at < self.open_seconds or self.trial_running:
                return False
            self.trial_running = True
            return True

    def record(self, ok: bool) -> None:
        with self.lock:
            self.trial_running = False
            if ok:
                self.failures, self.opened_at = 0, None
                return
            self.failures += 1
            if self.opened_at is not None or self.failures >= self.failures_to_open:
                self.opened_at = time.monotonic()


class Service:
    """Another domain's function (a Knative Service), called over HTTP.

    One instance per callee, made at import time: it opens nothing until its first call, and each
    thread keeps its own keep-alive connection (http.client connections are not thread-safe).
    """

    def __init__(self, name: str, *, namespace: str | None = None, timeout: float | None = None,
                 deadline: float | None = None, retries: int = 2, backoff: float = 0.05,
                 failures_to_open: int = 5, open_seconds: float = 5.0) -> None:
        env = os.environ.get
        self.name = name
        self.host = f"{name}.{namespace or env('SERVICE_NAMESPACE', 'ecom')}.svc.cluster.local"
        # Per attempt; the deadline bounds the whole call, retries and pauses included.
        self.timeout = timeout if timeout is not None else float(env("CALL_TIMEOUT_SECONDS", "2"))
        self.deadline = deadline if deadline is not None else float(env("CALL_DEADLINE_SECONDS", "4"))
        self.retries, self.backoff = retries, backoff
        self._breaker = _Breaker(failures_to_open, open_seconds)
        self._local = threading.local()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        """GET path; retried within the deadline. Raise Unavailable when no usable answer comes."""
        return self.request("GET", path, headers=headers, idempotent=True)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, *, idempotent: bool = False) -> Reply:
        """Send one call (retried only when idempotent); a 4xx or 500 answer is returned as is.

        The call is a child span of the current one (functions/runtime/tracing.py): every attempt
        carries its `traceparent`, so the callee's span is the call's child.
        """
        with tracing.span(f"{method} {self.name}", "client", **{
                "http.request.method": method, "server.address": self.host, "url.path": path}) as call:
            reply = self._request(method, path, body, headers, idempotent)
            call.set(**{"http.response.status_code": reply.status})
            return reply

    def _request(self, method: str, path: str, body: bytes | None, headers: dict[str, str] | None,
                 idempotent: bool) -> Reply:
        if not self._breaker.admit():
            raise Unavailable(f"{self.name} is not answering; not asked again for a few seconds.")
        give_up_at = time.monotonic() + self.deadline
        attempts = 1 + (self.retries if idempotent else 0)
        problem = "no attempt"
        for attempt in range(attempts):
            left = give_up_at - time.monotonic()
            if left <= 0:
                break
            try:
                reply = self._send(method, path, body, headers or {}, min(self.timeout, left))
            except TimeoutError:
                problem = "did not answer in time"
            except (OSError, http.client.HTTPException) as exc:
                problem = f"could not be reached ({type(exc).__name__})"
            else:
                if reply.status not in _RETRYABLE_STATUS:
                    self._breaker.record(ok=True)
                    return reply
                problem = f"answered {reply.status}"
            if attempt + 1 < attempts:
                time.sleep(min(self.backoff * 2 ** attempt, max(0.0, give_up_at - time.monotonic())))
        self._breaker.record(ok=False)
        raise Unavailable(f"{self.name} {problem}; try again shortly.")

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str],
              timeout: float) -> Reply:
        all_headers = {"Host": self.host, "Accept": "application/json"}
        if (request_id := correlation_id.get()) != "-":
            all_headers["X-Request-ID"] = request_id  # one id through both functions' logs
        if (traceparent := tracing.current_traceparent()) is not None:
            all_headers["traceparent"] = traceparent  # the call's span: the callee's parent
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers)
        conn = getattr(self._local, "conn", None)
        if conn is not None and not _still_open(conn):
            conn.close()  # the callee closed it while idle
            self._local.conn = conn = None
        try:
            return self._exchange(method, path, body, all_headers, timeout)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            if conn is None or method not in ("GET", "HEAD"):
                raise
            # A reused connection closed as this request went out: an idempotent request is
            # sent once more on a new connection, as the attempt it should have been.
            return self._exchange(method, path, body, all_headers, timeout)

    def _exchange(self, method: str, path: str, body: bytes | None, headers: dict[str, str],
                  timeout: float) -> Reply:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            host, _, port = (os.environ.get("CLUSTER_LOCAL_GATEWAY") or self.host).partition(":")
            conn = self._local.conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except BaseException:
            conn.close()  # the stream position is unknown: the next call opens a new connection
            self._local.conn = None
            raise
        if resp.will_close:
            conn.close()
            self._local.conn = None
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
