"""Parse request input into pydantic commands; every bad field becomes a named error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from functions.runtime.errors import FieldError, malformed_json, unsupported_media_type, validation_failed

if TYPE_CHECKING:
    from flask import Request

M = TypeVar("M", bound=BaseModel)
_MESSAGES = {
    "extra_forbidden": "unknown field",
    "missing": "is required",
    "model_type": "must be a JSON object",
}


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    """Return one error per bad field, named by its dotted path (`price.amount_minor`)."""
    errors = []
    for err in exc.errors(include_url=False):
        path = ".".join(str(part) for part in err["loc"]) or "body"
        message = _MESSAGES.get(err["type"], err["msg"].removeprefix("Value error, "))
        errors.append(FieldError(prefix + path, message))
    return errors


def parse_body(request: Request, model: type[M]) -> M:
    """Return the JSON body as `model` (strict types, unknown fields refused) or raise 4xx."""
    if not request.mimetype or not (request.mimetype == "application/json"
                                    or request.mimetype.endswith("+json")):
        raise unsupported_media_type(request.mimetype)
    try:
        return model.model_validate_json(request.get_data(cache=True), strict=True)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise malformed_json(exc.errors()[0]["msg"]) from None
        raise validation_failed(field_errors(exc)) from None


def validate(model: type[M], data: Any, *, strict: bool = True, prefix: str = "") -> M:
    """Return `data` validated as `model`, or raise a 422 problem listing each bad field."""
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise validation_failed(field_errors(exc, prefix)) from None


def parse_query(request: Request, model: type[M]) -> M:
    """Return the query string as `model` (strings coerced; unknown or repeated keys refused)."""
    repeated = [key for key in request.args if len(request.args.getlist(key)) > 1]
    if repeated:
        raise validation_failed([FieldError(key, "may be given once") for key in repeated])
    return validate(model, request.args.to_dict(), strict=False)


__all__ = ["field_errors", "parse_body", "parse_query", "validate"]
