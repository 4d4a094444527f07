"""The domain's functions-framework source: each Knative Service picks one target by name.

Scaffolded from knative/func-templates/python/http; README.md says what else a function needs.
Keep the targets thin: parse the request, call the domain's use case, shape the answer.
"""

from __future__ import annotations

from flask import Request, Response

from functions.runtime.web import http_function, json_response

__all__ = ["hello"]


@http_function(methods=("GET",))
def hello(request: Request) -> Response:
    """GET: a greeting (replace it with the function's use case)."""
    name = request.args.get("name", "world")
    return json_response({"message": f"hello, {name}"})
