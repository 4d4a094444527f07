"""The domain's functions-framework source: each Knative Service picks one target by name.

Scaffolded from knative/func-templates/python/http; README.md says what else a function needs.
Keep the targets thin: parse the request into a command, call the domain's use case, shape the
answer. Rules go to the domain's `model.py` and refuse with the runtime's domain errors
(`functions.runtime.exceptions`); the HTTP edge turns them into problem+json.
"""

from __future__ import annotations

from flask import Request, Response

from functions.runtime.exceptions import InvalidInput
from functions.runtime.openapi import ANONYMOUS, Answer, Endpoint, Operation
from functions.runtime.web import answer_framework_errors_as_problems, http_function, json_response

__all__ = ["hello"]

# The operation as the OpenAPI document shows it (`make openapi`): move it to the domain's
# operations.py, where the builder pairs it with the function on the same path.
HELLO = Endpoint("/api/hello", {
    "GET": Operation("getHello", "hello", "A greeting", "Greets `name` (replace with the use case).",
                     ANONYMOUS, {200: Answer("The greeting.")}),
})


@http_function("/api/hello", methods=("GET",))
def hello(request: Request) -> Response:
    """GET: a greeting (replace it with the function's use case)."""
    name = request.args.get("name", "world")
    if len(name) > 100:  # a rule: in a domain it lives in model.py
        raise InvalidInput.of("name", "must be at most 100 characters")
    return json_response({"message": f"hello, {name}"})


answer_framework_errors_as_problems()
