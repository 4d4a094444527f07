"""The handler answers as the broker expects, through functions-framework.

Move this file to tests/integration/<domain>/ and point MAIN at functions/<domain>/main.py;
there, with the domain's database, add the tests that need it: an event is applied once (a
redelivery answers `duplicate`), bad data is recorded as rejected, in binary and structured mode.
"""

from __future__ import annotations

from pathlib import Path

from functions_framework import create_app

MAIN = Path(__file__).resolve().with_name("main.py")


def client():
    return create_app("on_thing_happened", str(MAIN), "http").test_client()


def test_the_handler_answers_its_health_paths():
    assert client().get("/health/liveness").status_code == 200


def test_a_body_that_is_not_a_cloudevent_is_refused_for_good():
    answer = client().post("/", data=b"{}", content_type="application/json")
    assert answer.status_code == 400
    assert answer.content_type == "application/problem+json"


def test_only_post_delivers_events():
    answer = client().get("/")
    assert answer.status_code == 405
    assert answer.content_type == "application/problem+json"
