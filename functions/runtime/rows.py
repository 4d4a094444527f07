"""Many rows in one INSERT that SQLAlchemy compiles once per process.

A multi-row VALUES (`insert(table).values([row, row, ...])`) has no cache key: SQLAlchemy compiles
it again on every execution, and for the WITH-clause statements that write an order with its
lines or a status change with its history that was the largest part of their CPU. `insert_rows`
sends the rows as one JSON array and unpacks them with PostgreSQL's `jsonb_to_recordset`: the
statement is the same for one row or fifty, so it is compiled once and found in the cache after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Insert, Table, Text, bindparam, cast, column, func, insert, select
from sqlalchemy.dialects.postgresql import JSONB

from functions.runtime.jsonio import dumps


def insert_rows(table: Table, rows: Sequence[Mapping[str, Any]], name: str | None = None) -> Insert:
    """Return the INSERT of `rows` (each with the same keys: the columns given) into `table`.

    `name` names the bound JSON parameter; it must be unique in the statement, so give one when
    two of these are WITH clauses of one statement (the default is `<table>_rows`).
    """
    if not rows:
        raise ValueError("insert_rows needs at least one row")
    names = tuple(rows[0])
    data = cast(bindparam(name or f"{table.name}_rows", dumps(list(rows)), type_=Text), JSONB)
    recordset = func.jsonb_to_recordset(data).table_valued(
        *(column(n, table.c[n].type) for n in names)).render_derived(with_types=True)
    return insert(table).from_select(names, select(*(recordset.c[n] for n in names)))
