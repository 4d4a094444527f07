"""The handler takes real CloudEvents, binary and structured, through functions-framework.

Move this file to tests/unit/<domain>/ and point MAIN at functions/<domain>/main.py.
"""

from __future__ import annotations

from pathlib import Path

from cloudevents.conversion import to_binary, to_structured
from cloudevents.http import CloudEvent
from functions_framework import create_app

MAIN = Path(__file__).resolve().with_name("main.py")
ATTRIBUTES = {
    "type": "com.ecom.example.thing.happened",
    "source": "/ecom/example/test",
    "datacontenttype": "application/json",
}


def client():
    return create_app("on_thing_happened", str(MAIN), "cloudevent").test_client()


def test_a_binary_event_is_acknowledged():
    headers, body = to_binary(CloudEvent(ATTRIBUTES, {"id": "1"}))
    assert client().post("/", headers=headers, data=body).status_code == 200


def test_a_structured_event_is_acknowledged():
    headers, body = to_structured(CloudEvent(ATTRIBUTES, {"id": "1"}))
    assert client().post("/", headers=headers, data=body).status_code == 200


def test_a_request_that_is_not_an_event_is_refused():
    assert client().post("/", data=b"{}", content_type="application/json").status_code == 400
