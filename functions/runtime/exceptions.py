"""Domain errors: what a rule or a use case refuses, in the domain's words. One base class.

A domain never makes an HTTP answer itself: `functions/runtime/web.py` turns these into
problem+json at the edge, and the event handler wrapper turns them into a rejection (recorded,
answered 400, never retried), because a rule the data breaks will break it again on retry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base of every domain error; `kind` names it in the problem type URI."""

    kind = "domain-error"
    title = "The request breaks a rule"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, kind: str | None = None,
                 title: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])
        if kind is not None:
            self.kind = kind
        if title is not None:
            self.title = title


class NotFound(DomainError):
    kind, title = "not-found", "Not found"

    def __init__(self, what: str, ref: str, detail: str | None = None) -> None:
        super().__init__(detail or f"No {what.lower()} '{ref}'.", title=f"{what} not found")


class Conflict(DomainError):
    """The request is well formed but conflicts with the current state."""

    kind, title = "conflict", "Conflicts with the current state"

    def __init__(self, detail: str, field_name: str | None = None) -> None:
        super().__init__(detail, [FieldError(field_name, detail)] if field_name else [])


class InvalidInput(DomainError):
    """Input that has the right shape but breaks a rule (an unknown parent, a weak password)."""

    kind, title = "validation-error", "Request is not valid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors), errors)

    @classmethod
    def of(cls, field_name: str, message: str) -> InvalidInput:
        return cls([FieldError(field_name, message)])


class NotAuthenticated(DomainError):
    """Who the caller is could not be established, or no longer holds."""

    kind, title = "unauthorized", "Authentication required"


class NotAllowed(DomainError):
    kind, title = "forbidden", "Not allowed"


class TooManyAttempts(DomainError):
    kind, title = "too-many-attempts", "Too many failed attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Something the use case needs is not there right now: worth trying again later."""

    kind, title = "service-unavailable", "Service unavailable"


class PaymentRefused(DomainError):
    """The payment provider declined a charge: 402, with what the shopper may do in `extra`.

    `extra` holds the problem document's extension members (RFC 9457 §3.2): the decline's
    `code` and the `payment_id` it was recorded under.
    """

    kind, title = "payment-declined", "Payment declined"

    def __init__(self, detail: str, extra: dict[str, object]) -> None:
        super().__init__(detail)
        self.extra = dict(extra)
