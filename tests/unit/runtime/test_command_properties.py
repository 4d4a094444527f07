"""Every command model, fed anything JSON can carry: it validates into something storable or is
refused with a 422 naming fields. Never another exception (which would be a 500)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import functions
from functions.runtime.commands import Command
from functions.runtime.errors import Problem
from functions.runtime.validation import unstorable, validate

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "x" * 6000, "USD", "US", "DE",
                     "00000000-0000-0000-0000-000000000000", "2026-12-03T10:00:00Z", "price"]),
)
HOSTILE_NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 2**63 - 1, 2**63, 10**12, 10**12 + 1]),
)
SCALAR = st.one_of(st.none(), st.booleans(), HOSTILE_NUMBER, HOSTILE_TEXT)
JSON = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(HOSTILE_TEXT, inner, max_size=4)), max_leaves=12)


def _commands() -> list[type[Command]]:
    found = []
    for info in pkgutil.iter_modules(functions.__path__):
        try:
            module = importlib.import_module(f"functions.{info.name}.commands")
        except ModuleNotFoundError:
            continue
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, Command) and cls.__module__ == module.__name__]
    return found


COMMANDS = _commands()


def bodies(model: type[Command]) -> st.SearchStrategy[dict]:
    """Objects with the model's own field names (so validators run), hostile values, extra keys."""
    fields = {name: JSON for name in model.model_fields}
    return st.fixed_dictionaries({}, optional=fields).flatmap(
        lambda known: st.dictionaries(HOSTILE_TEXT, JSON, max_size=1).map(lambda extra: extra | known)
        if len(known) % 3 == 0 else st.just(known))


def test_every_domain_has_commands_under_test():
    assert {cls.__module__.split(".")[1] for cls in COMMANDS} >= {"catalog", "accounts"}


@pytest.mark.parametrize("model", COMMANDS, ids=lambda m: f"{m.__module__.split('.')[1]}.{m.__name__}")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_command_validates_into_something_storable_or_is_refused_by_field(model, data):
    body = data.draw(bodies(model))
    for strict in (True, False):  # JSON bodies are strict; query strings are coerced
        try:
            command = validate(model, body, strict=strict)
        except Problem as problem:
            assert problem.status == 422 and problem.errors
            assert all(error.field for error in problem.errors)
        else:
            assert list(unstorable(command)) == []
            command.model_dump_json()  # what validated can be written back out
