"""The broker's deliveries reuse a kept-alive connection, and resend on a new one when it went stale."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from localrun.broker.delivery import Sender
from localrun.broker.message import new_event
from localrun.broker.resources import Destination


class Subscriber(BaseHTTPRequestHandler):
    """Answers 200 to every POST over HTTP/1.1; counts connections and the event ids it read."""

    protocol_version = "HTTP/1.1"
    connections: ClassVar[Counter] = Counter()
    received: ClassVar[list[str]] = []
    close_after: ClassVar[int] = 0  # close (silently, as a keep-alive timeout does) after N requests
    answered_here = 0

    def setup(self) -> None:
        super().setup()
        Subscriber.connections[self.client_address] += 1

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        Subscriber.received.append(self.headers["ce-id"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.answered_here += 1
        if self.close_after and self.answered_here >= self.close_after:
            self.close_connection = True  # no `Connection: close`: the client learns on its next request

    def log_message(self, *args: object) -> None:
        pass


def serve(close_after: int = 0) -> tuple[ThreadingHTTPServer, Destination]:
    Subscriber.connections, Subscriber.received, Subscriber.close_after = Counter(), [], close_after
    server = ThreadingHTTPServer(("127.0.0.1", 0), Subscriber)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, Destination("url", uri=f"http://127.0.0.1:{server.server_address[1]}/events")


def events(count: int) -> list:
    return [new_event("com.ecom.a.b.c", "/ecom/a/x", b'{"n":1}', "application/json") for _ in range(count)]


def send_all(dest: Destination, batch: list) -> list[int | None]:
    sender = Sender(None, transport=None)  # type: ignore[arg-type] - url destinations need neither
    return [sender.send(dest, e, timeout=5).status for e in batch]


def test_one_thread_sends_its_events_on_one_kept_alive_connection():
    server, dest = serve()
    try:
        batch = events(20)
        assert send_all(dest, batch) == [200] * 20
    finally:
        server.shutdown()
        server.server_close()
    assert Subscriber.received == [e.id for e in batch]
    assert len(Subscriber.connections) == 1


def test_a_connection_the_subscriber_closed_is_replaced_and_the_event_sent_once():
    server, dest = serve(close_after=3)
    try:
        batch = events(10)
        assert send_all(dest, batch) == [200] * 10
    finally:
        server.shutdown()
        server.server_close()
    assert Subscriber.received == [e.id for e in batch]  # each read once, in order
    assert len(Subscriber.connections) == 4  # 3 + 3 + 3 + 1


def test_no_answer_on_a_new_connection_is_a_failed_attempt_not_a_resend():
    server, dest = serve()
    port = server.server_address[1]
    server.shutdown()
    server.server_close()  # nothing listens any more
    sender = Sender(None, transport=None)  # type: ignore[arg-type]
    outcome = sender.send(Destination("url", uri=f"http://127.0.0.1:{port}/events"), events(1)[0], timeout=2)
    assert outcome.status is None and "Connection" in outcome.error
