"""The function answers through functions-framework, as the platform runs it.

Move this file to tests/unit/<domain>/ and point MAIN at functions/<domain>/main.py.
"""

from __future__ import annotations

from pathlib import Path

from functions_framework import create_app

MAIN = Path(__file__).resolve().with_name("main.py")


def client():
    return create_app("hello", str(MAIN), "http").test_client()


def test_hello_greets_by_name():
    answer = client().get("/", query_string={"name": "Ada"})
    assert answer.status_code == 200
    assert answer.get_json() == {"message": "hello, Ada"}


def test_hello_answers_its_health_paths():
    assert client().get("/health/liveness").status_code == 200


def test_hello_refuses_other_methods_with_a_problem():
    answer = client().post("/")
    assert answer.status_code == 405
    assert answer.content_type == "application/problem+json"


def test_a_rule_the_input_breaks_is_a_422_naming_the_field():
    answer = client().get("/", query_string={"name": "x" * 101})
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == [{"field": "name", "message": "must be at most 100 characters"}]
