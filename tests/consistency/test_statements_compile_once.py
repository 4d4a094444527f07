"""No function sends a multi-row VALUES: SQLAlchemy has no cache key for one and compiles it on
every execution. Many rows go in through functions/runtime/rows.insert_rows (one JSON array).

The check reads the source: it finds a list literal or comprehension given to `.values()`, not a
list passed by name (tests/integration/runtime/test_insert_rows.py checks the cache itself)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def multi_row_values(source: str) -> list[int]:
    """Return the lines of `.values(<list or list comprehension>)` calls in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "values"
                and node.args and isinstance(node.args[0], (ast.List, ast.ListComp))):
            found.append(node.lineno)
    return found


def test_the_check_finds_a_multi_row_values() -> None:
    assert multi_row_values("insert(t).values([{'a': 1}, {'a': 2}])\ninsert(t).values([r for r in rows])") == [1, 2]
    assert multi_row_values("insert(t).values(a=1)\ninsert(t).values({'a': 1})\nd.values()") == []


def test_no_function_sends_a_multi_row_values() -> None:
    offenders = [f"{path.relative_to(REPO)}:{line}" for path in sorted((REPO / "functions").rglob("*.py"))
                 for line in multi_row_values(path.read_text())]
    assert offenders == [], "use functions.runtime.rows.insert_rows: " + ", ".join(offenders)
