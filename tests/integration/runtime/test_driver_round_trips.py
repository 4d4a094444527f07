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


def _prepared(conn) -> list[str]:
    """The statements this connection's session holds prepared (by the runtime's driver tuning)."""
    return conn.scalars(text("select statement from pg_prepared_statements where name like 'ecom\\_%' "
                             "order by name")).all()


def _sent_parses(conn, statement, **params) -> tuple[int, object]:
    """How many Parse messages one execution sent, and its rows."""
    from pg8000 import core

    count = 0
    original = core.CoreConnection.send_PARSE

    def counting(self, *args):
        nonlocal count
        count += 1
        return original(self, *args)

    core.CoreConnection.send_PARSE = counting
    try:
        rows = conn.execute(statement, params).mappings().all()
    finally:
        core.CoreConnection.send_PARSE = original
    return count, rows


def test_a_statement_is_parsed_once_per_connection_and_kept_through_a_rollback(engine) -> None:
    query = text("select cast(:a as int) * 2 as doubled, cast(:b as text) as said")
    with engine.connect() as conn:
        assert _sent_parses(conn, query, a=2, b="x") == (1, [{"doubled": 4, "said": "x"}])
        conn.rollback()  # a named statement is not part of the transaction
        assert _sent_parses(conn, query, a=21, b=None) == (0, [{"doubled": 42, "said": None}])
        assert _prepared(conn).count("select cast($1 as int) * 2 as doubled, cast($2 as text) as said") == 1
        conn.commit()
        assert not any(s in ("commit", "rollback") for s in _prepared(conn))  # nothing to plan: not kept


def test_a_statement_that_failed_is_parsed_again_and_the_connection_stays_usable(engine) -> None:
    from sqlalchemy.exc import DBAPIError

    query = text("select 10 / cast(:d as int) as q")
    with engine.connect() as conn:
        with pytest.raises(DBAPIError):
            conn.execute(query, {"d": 0})
        conn.rollback()
        assert _sent_parses(conn, query, d=5) == (1, [{"q": 2}])  # the failed run was not remembered
        assert _sent_parses(conn, query, d=2) == (0, [{"q": 5}])


def test_a_connection_keeps_a_bounded_number_of_statements(engine, monkeypatch) -> None:
    import functions.runtime.db as db

    monkeypatch.setattr(db, "PREPARED_PER_CONNECTION", 2)
    engine.dispose()  # a new connection: nothing prepared yet
    with engine.connect() as conn:
        for n in range(4):
            assert conn.execute(text(f"select cast(:n as int) + {n} as m"), {"n": 1}).scalar_one() == 1 + n
        assert _prepared(conn) == ["select cast($1 as int) + 2 as m", "select cast($1 as int) + 3 as m"]
