"""The payments functions refuse a card number before anything else, and never repeat it.

No database: the refusal comes before authentication and before any connection is opened.
"""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask

from functions.payments import api

PAN = "4242424242424242"


@pytest.fixture
def app() -> Flask:
    return Flask(__name__)


def answer(app: Flask, function, path: str, method: str = "GET",
           body: dict | None = None) -> tuple[int, dict]:
    with app.test_request_context(path, method=method, json=body):
        from flask import request

        response = function(request)
    return response.status_code, json.loads(response.get_data())


class TestTheGuard:
    def test_one_in_the_path_is_named_id_and_masked_in_the_answer_and_the_log(self, app):
        # A handler on the edge's own logger: the runtime replaces the root's handlers when it
        # configures logging, so pytest's capture (on the root) sees its lines or not by test order.
        lines: list[str] = []
        handler = logging.Handler()
        handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
        edge = logging.getLogger("ecom.http")
        # Earlier tests may have left it disabled (a logging.config call disables existing loggers)
        # or above INFO: this test is about what the edge writes, so it listens at INFO.
        was = edge.disabled, edge.level
        edge.disabled = False
        edge.setLevel(logging.INFO)
        edge.addHandler(handler)
        try:
            status, problem = answer(app, api.payment_method, f"/api/users/me/payment-methods/{PAN}", "DELETE")
        finally:
            edge.removeHandler(handler)
            edge.disabled, edge.level = was[0], was[1]
        assert status == 422 and [e["field"] for e in problem["errors"]] == ["id"]
        assert PAN not in json.dumps(problem) and "card%20number" in problem["instance"]
        assert any("[card number]" in line for line in lines) and not any(PAN in line for line in lines)

    def test_it_comes_before_authentication(self, app):
        # No Authorization header at all: still the 422, so the number goes no further.
        status, problem = answer(app, api.payment_methods, "/api/users/me/payment-methods", "POST",
                                 {"token": "tok_visa", "note": "4242 4242 4242 4242"})
        assert status == 422 and [e["field"] for e in problem["errors"]] == ["note"]

    def test_a_query_parameter_is_named_and_a_key_holding_one_is_not_repeated(self, app):
        status, problem = answer(app, api.payment_methods, f"/api/users/me/payment-methods?a=1&b={PAN}")
        assert status == 422 and [e["field"] for e in problem["errors"]] == ["b"]
        status, problem = answer(app, api.payment_methods, f"/api/users/me/payment-methods?{PAN}=1")
        assert status == 422 and [e["field"] for e in problem["errors"]] == ["query"]

    def test_without_one_the_request_goes_on_to_authentication(self, app):
        status, problem = answer(app, api.payment_methods, "/api/users/me/payment-methods")
        assert status == 401
