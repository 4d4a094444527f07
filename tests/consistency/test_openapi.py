"""The OpenAPI document is valid and agrees with the gateway's routes, operation for operation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator

REPO = Path(__file__).resolve().parents[2]
OPENAPI_FILE = REPO / "functions" / "openapi.yaml"
KONG_FILE = REPO / "knative" / "kong" / "kong.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# HEAD is answered like GET by every function; OPTIONS is the gateway's CORS preflight.
IGNORED_METHODS = {"head", "options"}
_SEGMENT = "[^/]+"  # the one regex a Kong path uses for a path parameter (anchored with "$")


def load_document() -> dict:
    return yaml.safe_load(OPENAPI_FILE.read_text())


def kong_template(kong_path: str) -> str:
    """Return `~/api/products/[^/]+$` as `/api/products/{}`; fail on any other regex."""
    if not kong_path.startswith("~"):
        return kong_path
    assert kong_path.endswith("$"), f"{kong_path}: regex paths must be anchored at the end"
    template = kong_path[1:-1].replace(_SEGMENT, "{}")
    assert not re.search(r"[\\^$.*+?()\[\]|]", template), f"{kong_path}: regex not understood"
    return template


def document_template(path: str) -> str:
    """Return `/api/products/{ref}` as `/api/products/{}`."""
    return re.sub(r"\{[^/}]+\}", "{}", path)


def kong_operations() -> set[tuple[str, str]]:
    """Return every (path template, method) the gateway routes."""
    found = set()
    for service in yaml.safe_load(KONG_FILE.read_text())["services"]:
        for route in service.get("routes", []):
            for path in route["paths"]:
                found |= {(kong_template(path), m.lower()) for m in route["methods"]}
    return {(path, m) for path, m in found if m not in IGNORED_METHODS}


def document_operations(doc: dict) -> dict[tuple[str, str], dict]:
    """Return every operation of the document by (path template, method)."""
    return {(document_template(path), method): item[method]
            for path, item in doc["paths"].items() for method in METHODS if method in item}


def resolve(doc: dict, node: dict) -> dict:
    """Follow local `$ref`s (`#/components/...`) until a real object."""
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


DOC = load_document()
OPERATIONS = document_operations(DOC)


def test_the_document_is_valid_openapi_3_1():
    assert DOC["openapi"].startswith("3.1.")
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}"
              for e in OpenAPIV31SpecValidator(DOC).iter_errors()]
    assert errors == []


def test_the_route_reading_is_right():
    assert kong_template("~/api/products/[^/]+$") == "/api/products/{}"
    assert kong_template("~/api/products$") == "/api/products"
    assert document_template("/api/products/{ref}") == "/api/products/{}"
    with pytest.raises(AssertionError):
        kong_template("~/api/(products|items)$")


def test_every_kong_route_and_method_is_documented():
    routed = kong_operations()
    assert len(routed) >= 11
    assert sorted(routed - OPERATIONS.keys()) == []


def test_every_documented_operation_has_a_kong_route():
    assert sorted(OPERATIONS.keys() - kong_operations()) == []


def test_operation_ids_are_present_and_unique():
    ids = [operation.get("operationId") for operation in OPERATIONS.values()]
    assert all(ids) and len(ids) == len(set(ids)), ids


@pytest.mark.parametrize("path, method", sorted(OPERATIONS))
def test_every_operation_documents_a_4xx_problem(path, method):
    responses = OPERATIONS[(path, method)]["responses"]
    problems = [status for status, response in responses.items()
                if str(status).startswith("4")
                and "application/problem+json" in resolve(DOC, response).get("content", {})]
    assert problems, f"{method.upper()} {path} documents no 4xx problem+json answer"


@pytest.mark.parametrize("path, method", sorted(op for op in OPERATIONS if "{" in op[0]))
def test_every_operation_with_a_path_parameter_documents_404(path, method):
    # Flask's router answers 404 (as problem+json) for a path it cannot read, such as one whose
    # parameter ends in a newline, before any function runs: whatever the operation's own answers.
    assert "404" in {str(status) for status in OPERATIONS[(path, method)]["responses"]}, (method, path)


@pytest.mark.parametrize("path, method", sorted(OPERATIONS))
def test_every_answer_documents_the_request_id_header(path, method):
    for status, response in OPERATIONS[(path, method)]["responses"].items():
        assert "X-Request-ID" in resolve(DOC, response).get("headers", {}), (path, method, status)


def test_every_problem_answer_uses_the_shared_problem_schema():
    problem = "#/components/schemas/Problem"
    for name, response in DOC["components"]["responses"].items():
        media = response.get("content", {}).get("application/problem+json")
        if media is None:
            continue
        schema = resolve(DOC, media["schema"])
        assert problem in {part.get("$ref") for part in schema.get("allOf", [])} | {
            media["schema"].get("$ref")}, name


def test_the_committed_document_is_the_one_the_code_declares():
    from functions.runtime.openapi.build import build_document, render

    assert OPENAPI_FILE.read_text() == render(build_document()), "run `make openapi`"


def test_every_http_function_declares_one_operation_per_method():
    from functions.runtime.openapi.build import endpoints
    from tests.consistency.test_functions_manifests_routes import TARGETS, reached_by_events

    functions = [f for f in TARGETS.values() if not reached_by_events(f)]
    assert functions
    declared = {endpoint.path: endpoint for endpoint in endpoints()}
    for function in functions:
        assert function.path in declared, f"{function.__name__} declares no operations"
        assert declared[function.path].methods == set(function.methods), function.__name__


@pytest.mark.parametrize("target", ["catalog.main:product", "catalog.main:categories", "accounts.main:me",
                                    "orders.main:cart"])
def test_a_function_that_parses_no_body_starts_without_pydantic(target):
    """The operations' declarations (and the access events' payload) are pydantic models: loading
    a target, with what its first request imports, must not import them (bench/cold_start.py)."""
    module, name = target.split(":")
    code = (f"import sys, functions.{module} as m; m.{name}; "
            "assert 'pydantic' not in sys.modules, [n for n in sys.modules if n.startswith('functions')]")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


def _function(path: str, *methods: str) -> object:
    from functions.runtime.web import http_function

    @http_function(path, methods=methods)
    def function(request):  # noqa: ARG001
        raise AssertionError("not called")

    return function


def test_a_function_whose_operations_and_methods_differ_is_refused():
    from functions.runtime.openapi import ANONYMOUS, Answer, Endpoint, Operation
    from functions.runtime.openapi.build import paired

    get_x = Endpoint("/api/x", {"GET": Operation("getX", "x", "X", "X", ANONYMOUS, {200: Answer("X")})})
    assert paired([_function("/api/x", "GET")], [get_x], "d") == [get_x]
    with pytest.raises(ValueError, match="operations for"):
        paired([_function("/api/x", "GET", "POST")], [get_x], "d")
    with pytest.raises(ValueError, match="declares no operations"):
        paired([_function("/api/x", "GET"), _function("/api/y", "GET")], [get_x], "d")
    with pytest.raises(ValueError, match="declared for no function"):
        paired([], [get_x], "d")
