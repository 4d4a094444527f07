"""The dead-letter sink logs and keeps each event the broker gives up on, and answers so it stops."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest
from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent

from tests.manifests.conftest import REPO

DEAD_LETTER = CloudEvent(
    {
        "type": "com.ecom.catalog.product.created",
        "source": "/ecom/catalog/products",
        "datacontenttype": "application/json",
        "knativeerrordest": "http://x.ecom.svc",
        "knativeerrorcode": "500",
    },
    {"id": "42"},
)


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dead_letter_sink", REPO / "knative/eventing/dead_letter_sink.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _running(server):
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Yield the URL of a running sink and the file it appends to."""
    path = tmp_path / "events.jsonl"
    server = _running(_module().serve(0, str(path)))
    yield f"http://127.0.0.1:{server.server_address[1]}", path
    server.shutdown()
    server.server_close()


class Receiver(BaseHTTPRequestHandler):
    """Stands in for reporting-on-dead-letter: answers each POST with the next status given."""

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.got.append((dict(self.headers.items()), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.got, server.statuses = [], []
    yield _running(server)
    server.shutdown()
    server.server_close()


def _wait_for(received: list, count: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def _sink_forwarding_to(receiver_url: str, path: Path):
    return _running(_module().serve(0, str(path), receiver_url, retry_first=0.05))


def test_a_kept_dead_letter_is_forwarded_as_it_came_and_again_while_unanswered(tmp_path, receiver) -> None:
    receiver.statuses = [503, 503]  # the receiver is busy twice: the forward is sent again each time
    server = _sink_forwarding_to(f"http://127.0.0.1:{receiver.server_address[1]}/", tmp_path / "events.jsonl")
    try:
        assert post(f"http://127.0.0.1:{server.server_address[1]}", *to_binary(DEAD_LETTER)) == 202
        _wait_for(receiver.got, 3)
        time.sleep(0.3)  # and not once more after it was taken
    finally:
        server.shutdown()
        server.server_close()
    assert len(receiver.got) == 3
    headers, body = receiver.got[2]
    headers = {k.lower(): v for k, v in headers.items()}
    assert headers["ce-type"] == "com.ecom.catalog.product.created" and headers["ce-id"] == DEAD_LETTER["id"]
    assert headers["ce-knativeerrordest"] == "http://x.ecom.svc" and headers["ce-knativeerrorcode"] == "500"
    assert headers["content-type"] == "application/json" and json.loads(body) == {"id": "42"}
    assert (tmp_path / "events.jsonl").read_text().count("\n") == 1  # kept once, whatever the forwards


def test_a_refused_forward_is_not_sent_again_and_nobody_there_is_unanswered(receiver) -> None:
    receiver.statuses = [400]
    module = _module()
    event = module.record(*to_binary(DEAD_LETTER))["event"]
    assert module.forward(event, f"http://127.0.0.1:{receiver.server_address[1]}/") == module.REFUSED
    assert module.forward(event, f"http://127.0.0.1:{receiver.server_address[1]}/") == module.TAKEN
    assert module.forward(event, "http://127.0.0.1:1/") == module.UNANSWERED


def test_at_start_the_last_kept_dead_letters_are_forwarded_again(tmp_path, receiver) -> None:
    path, module = tmp_path / "events.jsonl", _module()
    lines = [json.dumps({"received_at": "2026-12-03T00:00:00Z",
                         "event": module.record(*to_binary(CloudEvent({**DEAD_LETTER.get_attributes(), "id": str(n)},
                                                                       {"n": n})))["event"]})
             for n in range(3)]
    path.write_text("\n".join(lines) + "\n{\"cut short by a cra")  # a crash mid-line: the rest still go
    server = _sink_forwarding_to(f"http://127.0.0.1:{receiver.server_address[1]}/", path)
    try:
        _wait_for(receiver.got, 3)
    finally:
        server.shutdown()
        server.server_close()
    assert sorted({k.lower(): v for k, v in h.items()}["ce-id"] for h, _ in receiver.got) == ["0", "1", "2"]


def test_forwarded_headers_carry_only_what_a_header_can() -> None:
    assert _module()._header_safe("caf\u00e9 100%\n") == "caf%C3%A9 100%25%0A"


def post(url: str, headers: dict[str, str], body: bytes) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.status


def test_a_binary_dead_letter_is_kept_with_its_error_attributes(sink: tuple[str, Path]) -> None:
    url, path = sink
    assert post(url, *to_binary(DEAD_LETTER)) == 202
    event = json.loads(path.read_text().splitlines()[0])["event"]
    assert event["type"] == "com.ecom.catalog.product.created"
    assert event["knativeerrorcode"] == "500" and event["knativeerrordest"] == "http://x.ecom.svc"
    assert json.loads(event["data"]) == {"id": "42"}


def test_a_structured_dead_letter_is_kept(sink: tuple[str, Path]) -> None:
    url, path = sink
    assert post(url, *to_structured(DEAD_LETTER)) == 202
    assert json.loads(path.read_text())["event"]["data"] == {"id": "42"}


def test_it_answers_its_readiness_probe(sink: tuple[str, Path]) -> None:
    with urllib.request.urlopen(f"{sink[0]}/health/readiness", timeout=5) as answer:
        assert answer.status == 200


def test_a_dead_letter_it_cannot_store_is_refused_so_it_is_retried(tmp_path: Path) -> None:
    server = _module().serve(0, str(tmp_path / "missing" / "events.jsonl"))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            post(f"http://127.0.0.1:{server.server_address[1]}", *to_binary(DEAD_LETTER))
        assert refused.value.code == 500
    finally:
        server.shutdown()
        server.server_close()
