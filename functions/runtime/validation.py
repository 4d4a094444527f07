"""Parse request input into pydantic commands; every bad field becomes a named error."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
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


MAX_INT64 = 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable(value: Any, path: str = "") -> Iterator[FieldError]:
    """Yield an error for each value nothing downstream can hold, wherever it is nested.

    Postgres text and JSONB refuse NUL (and UTF-8 has no lone surrogates), JSON has no NaN or Infinity (a `1e400` parses as
    one), and no column holds an integer past 64 bits. Checked once here, on every command,
    rather than in each model, so a new field cannot forget it.
    """
    name = path or "body"
    if isinstance(value, BaseModel):
        for field_name in type(value).model_fields:
            yield from unstorable(getattr(value, field_name), _join(path, field_name))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                yield FieldError(name, "keys may not contain NUL characters")
            yield from unstorable(item, _join(path, str(key)))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from unstorable(item, _join(path, str(index)))
    elif isinstance(value, str):
        if "\x00" in value:
            yield FieldError(name, "may not contain NUL characters")
        elif not value.isascii() and _SURROGATE.search(value):
            yield FieldError(name, "must be valid Unicode (no lone surrogates)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield FieldError(name, "must be a finite number")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT64:
        yield FieldError(name, f"must be between -{MAX_INT64} and {MAX_INT64}")


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _storable(command: M, prefix: str = "") -> M:
    errors = list(unstorable(command, prefix.rstrip(".")))
    if errors:
        raise validation_failed(errors)
    return command


def parse_body(request: Request, model: type[M]) -> M:
    """Return the JSON body as `model` (strict types, unknown fields refused) or raise 4xx."""
    if not request.mimetype or not (request.mimetype == "application/json"
                                    or request.mimetype.endswith("+json")):
        raise unsupported_media_type(request.mimetype)
    try:
        command = model.model_validate_json(request.get_data(cache=True), strict=True)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise malformed_json(exc.errors()[0]["msg"]) from None
        raise validation_failed(field_errors(exc)) from None
    return _storable(command)


def validate(model: type[M], data: Any, *, strict: bool = True, prefix: str = "") -> M:
    """Return `data` validated as `model`, or raise a 422 problem listing each bad field."""
    try:
        command = model.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise validation_failed(field_errors(exc, prefix)) from None
    return _storable(command, prefix)


def parse_query(request: Request, model: type[M]) -> M:
    """Return the query string as `model` (strings coerced; unknown or repeated keys refused)."""
    repeated = [key for key in request.args if len(request.args.getlist(key)) > 1]
    if repeated:
        # A parameter with an empty name is named "query": a field is never "" (the API's FieldError).
        raise validation_failed([FieldError(key or "query", "may be given once") for key in repeated])
    return validate(model, request.args.to_dict(), strict=False)


__all__ = ["field_errors", "parse_body", "parse_query", "unstorable", "validate"]
