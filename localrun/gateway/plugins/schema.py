"""A small version of Kong's schema validation for plugin configs: types, defaults, constraints.

Like Kong, a field not given (or given as null) takes the schema's default, an unknown field is
an error, and a value of the wrong type or outside its constraint is an error naming the field.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_TYPES = {"string", "boolean", "integer", "number", "array", "set", "record", "any"}


@dataclass(frozen=True, slots=True)
class Field:
    """One config field: its Kong type and constraints."""

    kind: str
    default: Any = None
    one_of: tuple[Any, ...] | None = None
    elements_one_of: tuple[str, ...] | None = None
    gt: float | None = None
    between: tuple[float, float] | None = None
    check: Callable[[Any], str | None] | None = None  # returns an error message, or None

    def __post_init__(self) -> None:
        assert self.kind in _TYPES, self.kind


def apply_schema(fields: Mapping[str, Field], config: Any, where: str) -> dict[str, Any]:
    """Return config with defaults filled in; raise ValueError naming the first bad field."""
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ValueError(f"{where}: config must be a mapping, not {type(config).__name__}")
    unknown = sorted(set(config) - set(fields))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join('config.' + str(u) for u in unknown)}")
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        value = config.get(name)
        if value is None:
            out[name] = copy.deepcopy(spec.default)
        else:
            out[name] = _check(spec, value, f"{where}: config.{name}")
    return out


def _check(spec: Field, value: Any, where: str) -> Any:
    kind = spec.kind
    if kind == "string" and not isinstance(value, str):
        raise ValueError(f"{where}: expected a string")
    if kind == "boolean" and not isinstance(value, bool):
        raise ValueError(f"{where}: expected a boolean")
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{where}: expected an integer")
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ValueError(f"{where}: expected a number")
    if kind == "record" and not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected a record")
    if kind in ("array", "set"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}: expected an array of strings")
        if spec.elements_one_of is not None:
            for v in value:
                if v not in spec.elements_one_of:
                    allowed = ", ".join(spec.elements_one_of)
                    raise ValueError(f"{where}: expected one of: {allowed} (got {v!r})")
        if kind == "set":
            value = list(dict.fromkeys(value))  # a Kong set keeps each element once
    if spec.one_of is not None and value not in spec.one_of:
        raise ValueError(f"{where}: expected one of: {', '.join(map(str, spec.one_of))} (got {value!r})")
    if spec.gt is not None and not value > spec.gt:
        raise ValueError(f"{where}: value must be greater than {spec.gt:g}")
    if spec.between is not None and not spec.between[0] <= value <= spec.between[1]:
        raise ValueError(f"{where}: value should be between {spec.between[0]:g} and {spec.between[1]:g}")
    if spec.check is not None and (problem := spec.check(value)):
        raise ValueError(f"{where}: {problem}")
    return copy.deepcopy(value)
