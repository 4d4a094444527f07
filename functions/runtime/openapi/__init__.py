"""What an HTTP function declares about its operations, for the OpenAPI document built from them.

Each domain's operations.py declares one `Endpoint` per HTTP function (its path and, per method,
an `Operation`: request, query and response models, path parameters, errors, security); the
builder pairs it with the function that `http_function(path, ...)` puts on that path, and
`python -m functions.runtime.openapi` (`make openapi`) writes the document. Functions never
import these declarations: their models are pydantic, which a function reading no body need not
load. Error answers name shared responses (`shared.yaml`, `components/responses`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

ErrorAnswer = str | tuple[str, str]  # a shared response's name, or (name, a description of this use)

# Who may call: OpenAPI security requirements, bearerAuth and its scope `admin` as in shared.yaml.
ANONYMOUS: list[dict[str, list[str]]] = []
TOKEN_OPTIONAL: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]
SIGNED_IN: list[dict[str, list[str]]] = [{"bearerAuth": []}]
ADMIN: list[dict[str, list[str]]] = [{"bearerAuth": ["admin"]}]

# Error answers that come in groups. 405 and 500 (any function) and the gateway's 413 and 429
# (any route) are added to every operation by the builder.
BODY_ERRORS: dict[int, ErrorAnswer] = {400: "MalformedJson", 415: "UnsupportedMediaType",
                                       422: "ValidationFailed"}
ADMIN_ERRORS: dict[int, ErrorAnswer] = {401: "Unauthorized", 403: "Forbidden", 503: "ServiceUnavailable"}
ACCOUNT_ERRORS: dict[int, ErrorAnswer] = {401: "UnauthorizedAccount", 503: "ServiceUnavailable"}
NOT_FOUND: dict[int, ErrorAnswer] = {404: "NotFound", 422: "ValidationFailed"}  # 422: a malformed id
EVERY_OPERATION: dict[int, ErrorAnswer] = {405: "MethodNotAllowed", 500: "InternalError"}
GATEWAY_ANSWERS: dict[int, ErrorAnswer] = {413: "PayloadTooLarge", 429: "RateLimited"}


@dataclass(frozen=True)
class Answer:
    """A success answer: a shared response (`ref`), or a description with a body model and headers.

    `headers` maps a header name to a shared header's name or to a whole header object;
    X-Request-ID is always added. `schema` and `media` describe a body that is not a JSON model.
    """

    description: str = ""
    model: type[BaseModel] | None = None
    headers: Mapping[str, str | dict[str, Any]] = field(default_factory=dict)
    ref: str | None = None
    media: str = "application/json"
    schema: dict[str, Any] | None = None


NO_CONTENT = Answer(ref="NoContent")


@dataclass(frozen=True)
class Param:
    """A path or header parameter, emitted once as `components/parameters/<component>`."""

    component: str
    name: str
    description: str
    schema: dict[str, Any]
    where: str = "path"
    example: str | None = None


@dataclass(frozen=True)
class Operation:
    """One method of one path: what it takes, what it answers, who may call it."""

    id: str
    tag: str
    summary: str
    description: str
    security: list[dict[str, list[str]]]
    answers: Mapping[int, Answer]
    errors: Mapping[int, ErrorAnswer] = field(default_factory=dict)
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    query_help: Mapping[str, str] = field(default_factory=dict)  # parameter name -> description
    params: tuple[Param, ...] = ()


@dataclass(frozen=True)
class Endpoint:
    """The path an HTTP function serves and its operations by method (GET, POST...)."""

    path: str
    operations: Mapping[str, Operation]

    @property
    def methods(self) -> frozenset[str]:
        return frozenset(self.operations)


# The Idempotency-Key header of the POSTs that create orders, payments and refunds
# (functions/runtime/idempotency.py), and the headers of their answers.
IDEMPOTENCY_KEY = Param(
    "IdempotencyKey", "Idempotency-Key",
    "Required. A new unique value (a UUID) per intended action, the same one when retrying it: the "
    "first answer is replayed for the same request, a different request with a used key is 422, "
    "and a duplicate sent while the first is running waits for it (or, for a payment, is 409). "
    "Kept at least 24 hours.",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[\x21-\x7e]+$"}, where="header")
REPLAYED = {"Location": "Location", "Idempotent-Replayed": {
    "description": "`true` when this is the stored answer to an earlier request with the same key.",
    "schema": {"type": "string", "enum": ["true"]}}}
