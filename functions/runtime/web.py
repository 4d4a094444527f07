"""The HTTP edge of every function: health paths, correlation ids, JSON and problem answers."""

from __future__ import annotations

import functools
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import functions_framework
from flask import Request, Response
from flask import request as current_request

from functions.runtime import health, metrics, tracing
from functions.runtime.domains import current_domain, domain_of
from functions.runtime.errors import (
    Problem,
    from_domain_error,
    internal_error,
    invalid_field,
    method_not_allowed,
)
from functions.runtime.exceptions import DomainError
from functions.runtime.ids import parse_uuid
from functions.runtime.jsonio import dumps
from functions.runtime.logs import configure_logging, correlation_id
from functions.runtime.settings import get_settings

log = logging.getLogger("ecom.http")
Handler = Callable[[Request], Response]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH_REF = 200
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return `data` as a compact JSON answer (UUIDs as strings, times as UTC ISO 8601)."""
    return Response(dumps(data), status=status, headers=headers, content_type="application/json")


PUBLIC_MAX_AGE = 5  # seconds a public catalog read may be reused (browsers, Kong's proxy-cache)


def public_json_response(request: Request, data: Any, max_age: int = PUBLIC_MAX_AGE) -> Response:
    """Return a public read as JSON with a strong ETag (a digest of the body) and a short max-age.

    A request whose If-None-Match names the ETag gets `304 Not Modified` without a body. An
    answer to a caller with a token may differ from the anonymous one (admins see inactive
    products): it is `private, no-cache` so no shared cache keeps it. A cached answer is
    reused for at most `max_age` seconds, so it never outlives a catalog change by more.
    """
    import hashlib

    body = dumps(data)
    etag = hashlib.blake2b(body.encode(), digest_size=16).hexdigest()
    cache_control = ("private, no-cache" if "Authorization" in request.headers
                     else f"public, max-age={max_age}")
    headers = {"ETag": f'"{etag}"', "Cache-Control": cache_control}
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    return Response(body, status=200, headers=headers, content_type="application/json")


def problem_response(problem: Problem, instance: str | None = None) -> Response:
    """Return the RFC 9457 answer for `problem`; `instance` is the request path, as sent (encoded)."""
    encoded = quote(instance, safe="/:@!$&'()*+,;=-._~") if instance else None
    return Response(dumps(problem.to_json(encoded)), status=problem.status, headers=problem.headers,
                    content_type="application/problem+json")


def created_response(resource: dict[str, Any], location: str) -> Response:
    """Return 201 with the new resource and where it lives."""
    return json_response(resource, 201, {"Location": location})


def no_content() -> Response:
    return Response(status=204)


def path_ref(request: Request, field: str = "ref", segment: int = -1) -> str:
    """Return the path's last segment (the `{ref}` of /api/products/{ref}), or raise a 422.

    `segment` counts from the end otherwise: -2 is the `{id}` of /api/orders/{id}/cancel.

    No id, slug or file name has control characters or runs past a few hundred characters,
    and Postgres cannot even compare text holding a NUL: refused here, named as `field`.
    """
    ref = request.path.rstrip("/").split("/")[segment]
    if len(ref) > MAX_PATH_REF:
        raise invalid_field(field, f"is longer than {MAX_PATH_REF} characters")
    if _CONTROL.search(ref):
        raise invalid_field(field, "may not contain control characters")
    return ref


def id_from_path(request: Request, what: str, segment: int = -1) -> uuid.UUID:
    """Return the path's last (or `segment`th) segment as a UUID, or raise a 422 naming the `id`."""
    ref = path_ref(request, "id", segment)
    parsed = parse_uuid(ref)
    if parsed is None:
        raise invalid_field("id", f"'{ref}' is not a {what} id (a UUID)")
    return parsed


def _request_id(request: Request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def _dispatch(request: Request, handler: Handler, methods: tuple[str, ...]) -> Response:
    if request.path.rstrip("/") in health.PATHS:
        return health.answer(request.path)
    method = "GET" if request.method == "HEAD" else request.method
    if method not in methods:
        raise method_not_allowed(request.method, methods)
    return handler(request)


def _metrics_answer() -> Response:
    """This process's metrics, for Prometheus (or the local gateway) scraping the function's port."""
    body, content_type = metrics.exposition()
    return Response(body, status=200, content_type=content_type)


def _traceparent_header(request: Request) -> str | None:
    return request.headers.get("traceparent")


def http_function(path: str | None = None, *, methods: tuple[str, ...],
                  shown_path: Callable[[str], str] | None = None,
                  trace_parent: Callable[[Request], str | None] = _traceparent_header,
                  span_kind: str = "server") -> Callable[[Handler], Handler]:
    """Make `handler` a functions-framework HTTP target that answers `methods` on its route.

    Each request is a span (functions/runtime/tracing.py), the child of the `traceparent`
    `trace_parent` reads from it (the request's header; an event handler's is the event's) or,
    when that is missing or invalid, the root of a new trace.

    `path` is the route the gateway sends to it (the metrics' route label, never the request's
    own path); the domain's operations.py declares an `Endpoint` for it, one operation per method,
    which the OpenAPI builder pairs with it by path. Not imported here: those declarations are
    pydantic models, and a function that parses no body should not pay for pydantic at start-up.
    `shown_path` rewrites the request path wherever it is repeated (the log line, a problem's
    `instance`): payments masks card numbers there, which must appear in no answer or log.
    """
    show = shown_path or (lambda shown: shown)
    route = path or "/"

    def decorate(handler: Handler) -> Handler:
        domain = domain_of(handler.__module__)

        @functools.wraps(handler)
        def function(request: Request) -> Response:
            if request.path == metrics.PATH and request.method in ("GET", "HEAD"):
                return _metrics_answer()
            settings = get_settings()
            configure_logging(settings.log_level, settings.service_name)
            rid = _request_id(request)
            token = correlation_id.set(rid)
            domain_token = current_domain.set(domain)
            started = time.perf_counter()
            probe = request.path.rstrip("/") in health.PATHS
            request_span = None if probe else tracing.start_span(
                f"{request.method} {route}", span_kind, tracing.parse_traceparent(trace_parent(request)),
                **{"http.request.method": request.method, "http.route": route,
                   "url.path": show(request.path)})
            span_token = tracing.current_span.set(request_span)
            try:
                try:
                    response = _dispatch(request, handler, methods)
                except Problem as problem:
                    response = problem_response(problem, show(request.path))
                except DomainError as refused:
                    response = problem_response(from_domain_error(refused), show(request.path))
                except Exception:
                    log.exception("unhandled error in %s", handler.__name__)
                    response = problem_response(internal_error(), show(request.path))
                response.headers["X-Request-ID"] = rid
                elapsed = time.perf_counter() - started
                log.info("%s %s %s", request.method, show(request.path), response.status_code,
                         extra={"status": response.status_code, "duration_ms": round(elapsed * 1000, 2)})
                if not probe:  # probes are not traffic (nor spans)
                    method = request.method if request.method in _METHODS else "other"  # a bounded label
                    metrics.observe_request(route, method, response.status_code, elapsed)
                    request_span.set(**{"http.response.status_code": response.status_code})
                    request_span.end(str(response.status_code) if response.status_code >= 500 else None)
                return response
            finally:
                tracing.current_span.reset(span_token)
                correlation_id.reset(token)
                current_domain.reset(domain_token)

        function.methods = methods  # type: ignore[attr-defined]  # read by the manifest checks
        function.path = path  # type: ignore[attr-defined]  # read by the OpenAPI builder
        return functions_framework.http(function)

    return decorate


def answer_framework_errors_as_problems() -> None:
    """Make the errors Flask answers before any function runs (a path its router cannot match,
    such as one holding a newline) problem+json too. Called by each functions-framework source
    (`functions/<domain>/main.py`), while functions-framework builds its app."""
    from werkzeug.exceptions import HTTPException

    def as_problem(exc: HTTPException) -> Response:
        status = exc.code or 500
        problem = Problem(status, "not-found" if status == 404 else "http-error",
                          exc.name or "Error", exc.description or exc.name or "")
        return problem_response(problem, current_request.path)

    functions_framework.errorhandler(HTTPException)(as_problem)
