"""The dead-letter sink logs and keeps each event the broker gives up on, and answers so it stops."""

from __future__ import annotations

import importlib.util
import json
import threading
import urllib.request
from collections.abc import Iterator
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


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Yield the URL of a running sink and the file it appends to."""
    path = tmp_path / "events.jsonl"
    server = _module().serve(0, str(path))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", path
    server.shutdown()
    server.server_close()


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
