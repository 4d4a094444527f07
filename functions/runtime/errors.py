"""Problems: every error a function answers is RFC 9457 problem+json with a stable type URI.

Problems are made at the HTTP edge only: for input that does not parse (here), and from the
domain errors the use cases raise (`from_domain_error`, which web.py calls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from functions.runtime import exceptions
from functions.runtime.exceptions import FieldError

PROBLEM_BASE = "https://ecom.example/problems/"


@dataclass
class Problem(Exception):
    """Base of every error that becomes an HTTP answer; `kind` is the type URI's last segment."""

    status: int
    kind: str
    title: str
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # extension members (RFC 9457 §3.2)

    def __post_init__(self) -> None:
        super().__init__(self.detail or self.title)

    def to_json(self, instance: str | None = None) -> dict[str, Any]:
        """Return the problem document."""
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail or self.title,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [{"field": e.field, "message": e.message} for e in self.errors]
        return {**self.extra, **body}  # an extension never hides a standard member


def malformed_json(detail: str) -> Problem:
    return Problem(400, "malformed-json", "Request body is not valid JSON", detail)


def validation_failed(errors: list[FieldError], detail: str = "") -> Problem:
    detail = detail or "; ".join(f"{e.field}: {e.message}" for e in errors)
    return Problem(422, "validation-error", "Request is not valid", detail, errors)


def invalid_field(name: str, message: str) -> Problem:
    return validation_failed([FieldError(name, message)])


def not_found(what: str, ref: str) -> Problem:
    return Problem(404, "not-found", f"{what} not found", f"No {what.lower()} '{ref}'.")


def conflict(detail: str, field_name: str | None = None) -> Problem:
    errors = [FieldError(field_name, detail)] if field_name else []
    return Problem(409, "conflict", "Conflicts with the current state", detail, errors)


def unauthorized(detail: str, *, token_given: bool = True) -> Problem:
    """A 401 with RFC 6750's challenge: an error code only when a token was sent."""
    header = 'Bearer realm="ecom"'
    if token_given:
        quoted = detail.replace("\\", "").replace('"', "'")
        header += f', error="invalid_token", error_description="{quoted}"'
    return Problem(401, "unauthorized", "Authentication required", detail,
                   headers={"WWW-Authenticate": header})


def forbidden(detail: str) -> Problem:
    return Problem(403, "forbidden", "Not allowed", detail)


def method_not_allowed(method: str, allowed: tuple[str, ...]) -> Problem:
    return Problem(405, "method-not-allowed", "Method not allowed",
                   f"{method} is not supported here; use {', '.join(allowed)}.",
                   headers={"Allow": ", ".join(allowed)})


def unsupported_media_type(content_type: str) -> Problem:
    return Problem(415, "unsupported-media-type", "Unsupported media type",
                   f"Expected application/json, got '{content_type or 'nothing'}'.")


def service_unavailable(detail: str) -> Problem:
    return Problem(503, "service-unavailable", "Service unavailable", detail,
                   headers={"Retry-After": "1"})


def internal_error() -> Problem:
    return Problem(500, "internal-error", "Internal error",
                   "Something went wrong on our side; the request changed nothing.")


# Each kind of domain error and its status; a subclass takes the status of its nearest base.
_STATUS: dict[type[exceptions.DomainError], int] = {
    exceptions.InvalidInput: 422,
    exceptions.NotFound: 404,
    exceptions.Conflict: 409,
    exceptions.NotAuthenticated: 401,
    exceptions.NotAllowed: 403,
    exceptions.TooManyAttempts: 429,
    exceptions.Unavailable: 503,
    exceptions.PaymentRefused: 402,
    exceptions.DomainError: 422,
}


def from_domain_error(exc: exceptions.DomainError) -> Problem:
    """Return the problem that answers a domain error over HTTP."""
    status = next(_STATUS[cls] for cls in type(exc).__mro__ if cls in _STATUS)
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.NotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="ecom"'
    if isinstance(exc, exceptions.TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, exceptions.Unavailable):
        headers["Retry-After"] = "1"
    extra = exc.extra if isinstance(exc, exceptions.PaymentRefused) else {}
    return Problem(status, exc.kind, exc.title, exc.detail, list(exc.errors), headers, extra)
