"""The platform's HTTP functions: the API document, its docs page and the page's files."""

from __future__ import annotations

from flask import Request, Response

from functions.runtime.exceptions import NotFound
from functions.runtime.web import http_function, path_ref


def _serve(path: str) -> Response:
    from functions.runtime.openapi import docs

    found = docs.answer(path)
    if found is None:
        raise NotFound("File", path.rstrip("/").rsplit("/", 1)[-1])
    content_type, body, headers = found
    return Response(body, content_type=content_type, headers=headers)


@http_function("/api/openapi.json", methods=("GET",))
def api_document(request: Request) -> Response:
    """GET the OpenAPI document as JSON."""
    return _serve(request.path)


@http_function("/api/docs", methods=("GET",))
def api_docs(request: Request) -> Response:
    """GET the docs page."""
    return _serve(request.path)


@http_function("/api/docs/{asset}", methods=("GET",))
def api_docs_asset(request: Request) -> Response:
    """GET a file of the docs page."""
    path_ref(request, "asset")  # refuses control characters and over-long names, as every ref
    return _serve(request.path)
