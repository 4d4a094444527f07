"""Near-valid bodies for property tests: a valid body with some fields swapped for anything."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

ANY_TEXT = st.one_of(st.text(max_size=300), st.sampled_from(["\x00", "a\x00", " ", "x" * 5001]))
ANY_INT = st.one_of(st.integers(), st.sampled_from([-1, 0, 2**31, 2**63 - 1, 2**63, 10**12 + 1]))
ANY_VALUE = st.one_of(ANY_TEXT, ANY_INT, st.floats(), st.booleans(), st.none())


def near_valid(valid: dict[str, Any], overrides: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy:
    """Return `valid` with any subset of its fields replaced by values drawn from `overrides`."""
    return st.fixed_dictionaries({}, optional=overrides).map(lambda changed: valid | changed)
