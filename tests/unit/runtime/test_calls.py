"""The inter-function client: deadline, bounded retries on idempotent calls, circuit breaker.

The callee is a real HTTP server on loopback whose answers each test scripts; the client reaches it
the way it reaches the local runtime's cluster-local gateway (CLUSTER_LOCAL_GATEWAY).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from functions.runtime.calls import Service, concurrently, path_of
from functions.runtime.exceptions import Unavailable
from functions.runtime.logs import correlation_id


class _Callee(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[tuple[int, float]] = []  # (status, seconds to wait first) per request
        self.seen: list[tuple[str, str, dict[str, str]]] = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Callee  # type: ignore[assignment]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        status, wait = self.server.script.pop(0) if self.server.script else (200, 0.0)
        time.sleep(wait)
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET


@pytest.fixture
def callee(monkeypatch) -> Iterator[_Callee]:
    server = _Callee()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("CLUSTER_LOCAL_GATEWAY", f"127.0.0.1:{server.server_port}")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_a_call_carries_the_cluster_host_and_the_request_id(callee):
    token = correlation_id.set("req-42")
    try:
        reply = Service("catalog-product").get("/api/products/MUG-1")
    finally:
        correlation_id.reset(token)
    assert reply.status == 200 and reply.json() == {"ok": True}
    method, path, headers = callee.seen[0]
    assert (method, path) == ("GET", "/api/products/MUG-1")
    assert headers["Host"] == "catalog-product.ecom.svc.cluster.local"
    assert headers["X-Request-ID"] == "req-42"


def test_a_get_is_retried_after_a_503_and_a_timeout(callee):
    callee.script = [(503, 0.0), (200, 0.5), (200, 0.0)]
    reply = Service("catalog-product", timeout=0.2, deadline=3, backoff=0.01).get("/x")
    assert reply.status == 200 and len(callee.seen) == 3


def test_a_4xx_or_500_answer_is_returned_not_retried(callee):
    callee.script = [(404, 0.0), (500, 0.0)]
    service = Service("catalog-product", backoff=0.01)
    assert service.get("/x").status == 404
    assert service.get("/x").status == 500
    assert len(callee.seen) == 2


def test_a_post_is_never_retried(callee):
    callee.script = [(503, 0.0), (200, 0.0)]
    with pytest.raises(Unavailable, match="answered 503"):
        Service("payments-provider", backoff=0.01).request("POST", "/x", b"{}")
    assert len(callee.seen) == 1


def test_a_callee_that_hangs_fails_within_the_deadline(callee):
    callee.script = [(200, 2.0)] * 3
    started = time.monotonic()
    with pytest.raises(Unavailable, match="did not answer in time"):
        Service("catalog-product", timeout=0.3, deadline=0.7, backoff=0.01).get("/x")
    assert time.monotonic() - started < 1.0


def test_nothing_listening_is_unavailable(monkeypatch):
    monkeypatch.setenv("CLUSTER_LOCAL_GATEWAY", "127.0.0.1:9")  # discard: nothing listens
    with pytest.raises(Unavailable, match="could not be reached"):
        Service("catalog-product", backoff=0.01).get("/x")


def test_the_breaker_opens_after_failures_in_a_row_then_lets_one_trial_through(callee):
    service = Service("catalog-product", retries=0, failures_to_open=3, open_seconds=0.3)
    callee.script = [(503, 0.0)] * 3
    for _ in range(3):
        with pytest.raises(Unavailable, match="answered 503"):
            service.get("/x")
    with pytest.raises(Unavailable, match="not asked again"):
        service.get("/x")  # open: refused without a request
    assert len(callee.seen) == 3
    time.sleep(0.35)
    assert service.get("/x").status == 200  # the trial succeeds: closed again
    assert service.get("/x").status == 200 and len(callee.seen) == 5


def test_a_failed_trial_opens_the_breaker_again(callee):
    service = Service("catalog-product", retries=0, failures_to_open=1, open_seconds=0.2)
    callee.script = [(503, 0.0), (503, 0.0)]
    with pytest.raises(Unavailable):
        service.get("/x")
    time.sleep(0.25)
    with pytest.raises(Unavailable, match="answered 503"):
        service.get("/x")  # the trial
    with pytest.raises(Unavailable, match="not asked again"):
        service.get("/x")
    assert len(callee.seen) == 2


def test_a_connection_is_kept_alive_between_calls(callee):
    service = Service("catalog-product")
    service.get("/a")
    first = service._local.conn.sock.getsockname()
    service.get("/b")
    assert service._local.conn.sock.getsockname() == first


def test_path_segments_are_quoted():
    assert path_of("/api/products/{}", "A/B?c") == "/api/products/A%2FB%3Fc"


def test_concurrent_calls_take_the_slower_ones_time_not_the_sum_and_carry_the_request_id(callee):
    callee.script = [(200, 0.4), (200, 0.4), (200, 0.4)]
    services = [Service(f"svc-{n}", retries=0) for n in range(3)]
    token = correlation_id.set("req-together")
    try:
        started = time.monotonic()
        replies = concurrently(*(lambda s=s, n=n: s.get(f"/n/{n}") for n, s in enumerate(services)))
        took = time.monotonic() - started
    finally:
        correlation_id.reset(token)
    assert [r.status for r in replies] == [200, 200, 200]
    assert took < 1.0  # one after another: 1.2 s at least
    assert sorted(path for _, path, _ in callee.seen) == ["/n/0", "/n/1", "/n/2"]
    assert {headers["X-Request-ID"] for _, _, headers in callee.seen} == {"req-together"}


def test_concurrent_calls_raise_the_first_error_in_order_after_every_call_ended():
    ended: list[str] = []

    def fails(name: str, wait: float):
        def call():
            time.sleep(wait)
            ended.append(name)
            raise ValueError(name)
        return call

    def succeeds():
        time.sleep(0.2)
        ended.append("ok")
        return 1

    with pytest.raises(ValueError, match="^second$"):
        concurrently(succeeds, fails("second", 0.3), fails("third", 0.0))
    assert sorted(ended) == ["ok", "second", "third"]  # nothing left running after the raise
    with pytest.raises(ValueError, match="^first$"):
        concurrently(fails("first", 0.0), succeeds)
    assert ended.count("ok") == 2
    assert concurrently(succeeds) == [1] and concurrently() == []
