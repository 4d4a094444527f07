"""Near-valid bodies for property tests: a valid body with some fields swapped for anything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

ANY_TEXT = st.one_of(st.text(max_size=300), st.sampled_from(["\x00", "a\x00", " ", "x" * 5001]))
ANY_INT = st.one_of(st.integers(), st.sampled_from([-1, 0, 2**31, 2**63 - 1, 2**63, 10**12 + 1]))
ANY_VALUE = st.one_of(ANY_TEXT, ANY_INT, st.floats(), st.booleans(), st.none())


def near_valid(valid: dict[str, Any], overrides: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy:
    """Return `valid` with any subset of its fields replaced by values drawn from `overrides`."""
    return st.fixed_dictionaries({}, optional=overrides).map(lambda changed: valid | changed)

FEW = settings(max_examples=60, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def stored_or_refused(model: type, body: dict[str, Any], store: Callable[[Any, Any], Any], domain: str,
                      actor: str | None = None) -> None:
    """Validate `body`: a refusal must be a 422 naming fields; what passes must store, or be
    refused by a rule of the domain (a taken SKU, a full address book), never by the database."""
    from functions.runtime.db import unit_of_work
    from functions.runtime.errors import Problem
    from functions.runtime.exceptions import DomainError
    from functions.runtime.validation import validate

    try:
        command = validate(model, body)
    except Problem as problem:
        assert problem.status == 422 and problem.errors
        return
    try:
        with unit_of_work(domain, actor=actor) as uow:
            store(uow, command)
    except DomainError:
        pass
