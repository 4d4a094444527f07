"""Schemathesis against the live local stack: no 5xx, every error problem+json, every answer as
the OpenAPI document says, for anonymous callers and for a signed-in one. Bounded: a few dozen
cases an operation (`make fuzz` runs many more)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.conftest import local_stack

pytestmark = pytest.mark.e2e
DOCUMENT = Path(__file__).resolve().parents[2] / "functions" / "openapi.yaml"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
schema = schemathesis.openapi.from_path(str(DOCUMENT))


@pytest.fixture(scope="module")
def stack(signing_key):
    with local_stack(signing_key) as (gateway, _activator, _url):
        yield f"http://127.0.0.1:{gateway.port}"


@pytest.fixture(scope="module", params=["anonymous", "customer"])
def caller(request, mint) -> dict[str, str]:
    return {} if request.param == "anonymous" else {"Authorization": f"Bearer {mint('customer')}"}


def an_error_is_a_problem(ctx, response, case) -> None:
    """Every error a function answers is RFC 9457 problem+json; the gateway's own are Kong's JSON
    (`{"message": ...}`, documented as GatewayError), as real Kong answers them."""
    if response.status_code < 400:
        return
    kind = {k.lower(): v for k, v in response.headers.items()}.get("content-type", [""])[0]
    body = response.json() if "json" in kind else None
    if kind.startswith("application/problem+json"):
        assert {"type", "title", "status"} <= set(body) and body["status"] == response.status_code, body
    else:
        assert kind.startswith("application/json") and isinstance(body, dict) and "message" in body, (
            response.status_code, kind, response.text[:300])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_documented(case, stack, caller):
    # Framing headers are the HTTP client's business: a Content-Length the body does not have
    # makes the gateway wait for bytes that never come (nginx would too, then answer 408).
    case.headers = {k: v for k, v in (case.headers or {}).items()
                    if k.lower() not in ("content-length", "transfer-encoding", "host")}
    case.call_and_validate(base_url=stack, headers=caller, checks=[
        not_a_server_error, status_code_conformance, content_type_conformance,
        response_schema_conformance, an_error_is_a_problem])
