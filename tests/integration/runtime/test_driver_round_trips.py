"""The runtime's connections: one round trip per statement, timestamps, reads in autocommit."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import literal, select, text

from tests.integration.runtime.test_database import runtime_on_catalog_role  # noqa: F401


@pytest.fixture
def engine(runtime_on_catalog_role):  # noqa: F811
    from functions.runtime.db import get_engine

    return get_engine()


def flushes_per_statement(conn, statement, **params) -> int:
    """How many times the driver flushed its socket (a round trip each) for one statement."""
    from pg8000 import core

    count = 0
    original = core._flush

    def counting(sock):
        nonlocal count
        count += 1
        return original(sock)

    core._flush = counting
    try:
        conn.execute(statement, params)
    finally:
        core._flush = original
    return count


def test_a_statement_is_one_round_trip_and_answers_the_same(engine) -> None:
    from functions.runtime.db import read_only

    with read_only() as conn:
        assert flushes_per_statement(conn, select(literal(41) + 1)) == 1
        assert conn.execute(text("select cast(:a as int) + 1 as n, 'x' as s"), {"a": 41}).mappings().one() == {
            "n": 42, "s": "x"}
        stamp = conn.execute(text("select timestamptz '2026-12-03 09:00:00.5+00'")).scalar_one()
        assert stamp == datetime(2026, 12, 3, 9, 0, 0, 500000, tzinfo=timezone.utc)


def test_errors_are_raised_and_the_connection_stays_usable(engine) -> None:
    from sqlalchemy.exc import DBAPIError, ProgrammingError

    from functions.runtime.db import read_only, unit_of_work

    with pytest.raises((ProgrammingError, DBAPIError)):
        with read_only() as conn:
            conn.execute(text("select * from no_such_table"))
    with read_only() as conn:
        assert conn.execute(text("select 1")).scalar_one() == 1
    with pytest.raises((ProgrammingError, DBAPIError)):
        with unit_of_work("catalog") as uow:
            uow.conn.execute(text("select 1/0"))
    with unit_of_work("catalog") as uow:
        assert uow.conn.execute(text("select 2")).scalar_one() == 2


def test_a_unit_of_work_is_still_one_transaction(engine) -> None:
    from functions.runtime.db import read_only, unit_of_work

    with unit_of_work("catalog") as uow:
        first = uow.conn.execute(text("select txid_current()")).scalar_one()
        assert uow.conn.execute(text("select txid_current()")).scalar_one() == first
    with read_only() as conn:  # autocommit: no transaction is left open after a read
        conn.execute(text("select 1"))
        assert conn.connection.dbapi_connection.autocommit is True
    with read_only() as conn:
        assert conn.execute(text("select current_setting('transaction_isolation')")).scalar_one() \
            == "read committed"
