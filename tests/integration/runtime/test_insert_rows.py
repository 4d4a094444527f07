"""insert_rows: many rows in one INSERT that SQLAlchemy compiles once, whatever their number."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, select

from tests.integration.runtime.test_database import runtime_on_catalog_role  # noqa: F401


def _rows(prefix: str, count: int) -> list[dict]:
    return [{"id": uuid.uuid4(), "parent_id": None, "slug": f"{prefix}-{i}", "name": f"Naïve \"{i}\" 'quoted'",
             "description": "" if i else "line\nbreak \\ backslash", "position": i} for i in range(count)]


def test_the_rows_arrive_as_given_and_the_statement_compiles_once(runtime_on_catalog_role) -> None:  # noqa: F811
    from sqlalchemy.engine.default import CACHE_HIT

    from functions.catalog.tables import categories
    from functions.runtime.db import get_engine, unit_of_work
    from functions.runtime.rows import insert_rows

    prefix = f"rows-{uuid.uuid4().hex[:8]}"
    hits: list[object] = []
    listener = lambda conn, cursor, statement, params, context, many: hits.append(context.cache_hit)  # noqa: E731
    event.listen(get_engine(), "after_cursor_execute", listener)
    try:
        with unit_of_work("catalog") as uow:
            for count in (1, 3, 2):  # another number of rows is the same statement
                uow.conn.execute(insert_rows(categories, _rows(f"{prefix}-{count}", count)))
            uow.commit()
    finally:
        event.remove(get_engine(), "after_cursor_execute", listener)
    assert hits[-2:] == [CACHE_HIT, CACHE_HIT]
    c = categories
    with unit_of_work("catalog") as uow:
        got = uow.conn.execute(select(c.c.slug, c.c.parent_id, c.c.name, c.c.description, c.c.position)
                               .where(c.c.slug.like(f"{prefix}-%")).order_by(c.c.slug)).all()
    expected = sorted((r["slug"], None, r["name"], r["description"], r["position"])
                      for n in (1, 3, 2) for r in _rows(f"{prefix}-{n}", n))
    assert [tuple(row) for row in got] == expected


def test_no_rows_is_a_mistake_of_the_caller() -> None:
    from functions.catalog.tables import categories
    from functions.runtime.rows import insert_rows

    with pytest.raises(ValueError):
        insert_rows(categories, [])
