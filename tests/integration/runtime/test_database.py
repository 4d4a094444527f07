"""The database layer: units of work, least-privilege roles, re-runnable migrations."""

import uuid

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.exc import ProgrammingError

from functions.catalog.tables import categories
from schemas.migrate import migrate, role_url


@pytest.fixture
def runtime_on_catalog_role(database_url, monkeypatch):
    from functions.runtime.db import dispose_engine
    from functions.runtime.settings import reset_settings

    monkeypatch.setenv("DATABASE_URL", role_url(database_url, "catalog"))
    reset_settings()
    dispose_engine()
    yield
    monkeypatch.undo()
    dispose_engine()
    reset_settings()


def _category_row(slug: str) -> dict:
    return {"id": uuid.uuid4(), "slug": slug, "name": slug, "description": "", "position": 0}


def _exists(slug: str) -> bool:
    from functions.runtime.db import read_only

    with read_only() as conn:
        return conn.scalar(select(categories.c.id).where(categories.c.slug == slug)) is not None


class TestUnitOfWork:
    def test_work_that_is_not_committed_is_rolled_back(self, runtime_on_catalog_role):
        from functions.runtime.db import unit_of_work

        slug = f"uncommitted-{uuid.uuid4().hex[:8]}"
        with unit_of_work("catalog") as uow:
            uow.conn.execute(insert(categories).values(**_category_row(slug)))
        assert not _exists(slug)

    def test_a_crash_mid_work_leaves_nothing_behind(self, runtime_on_catalog_role):
        from functions.runtime.db import unit_of_work

        slug = f"crashed-{uuid.uuid4().hex[:8]}"
        with pytest.raises(RuntimeError), unit_of_work("catalog") as uow:
            uow.conn.execute(insert(categories).values(**_category_row(slug)))
            raise RuntimeError("the function died here")
        assert not _exists(slug)

    def test_committed_work_stays(self, runtime_on_catalog_role):
        from functions.runtime.db import unit_of_work

        slug = f"committed-{uuid.uuid4().hex[:8]}"
        with unit_of_work("catalog") as uow:
            uow.conn.execute(insert(categories).values(**_category_row(slug)))
            uow.commit()
        assert _exists(slug)


class TestDeferredBegin:
    """pg8000's BEGIN goes out with the transaction's first statement: one round trip fewer."""

    @staticmethod
    def writes(monkeypatch) -> list[int]:
        from pg8000 import core

        flushes: list[int] = []
        flush = core._flush
        monkeypatch.setattr(core, "_flush", lambda sock: (flushes.append(1), flush(sock))[1])
        return flushes

    def test_a_unit_of_work_of_one_statement_is_two_round_trips(self, runtime_on_catalog_role, monkeypatch):
        from functions.runtime.db import get_engine, unit_of_work

        get_engine().connect().close()  # the pool's first connection is made outside the count
        slug = f"deferred-{uuid.uuid4().hex[:8]}"
        flushes = self.writes(monkeypatch)
        with unit_of_work("catalog") as uow:
            uow.conn.execute(insert(categories).values(**_category_row(slug)))
            uow.commit()
        assert len(flushes) == 2  # BEGIN + INSERT in one write, then COMMIT
        assert _exists(slug)

    def test_the_first_statement_runs_inside_the_transaction(self, runtime_on_catalog_role, database_url):
        from functions.runtime.db import unit_of_work

        slug = f"inside-{uuid.uuid4().hex[:8]}"
        with unit_of_work("catalog") as uow:
            uow.conn.execute(insert(categories).values(**_category_row(slug)))
            pid = uow.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            admin = create_engine(database_url)
            try:
                with admin.connect() as other:
                    state = other.scalar(text("SELECT state FROM pg_stat_activity WHERE pid = :p"), {"p": pid})
            finally:
                admin.dispose()
            assert state == "idle in transaction"
            assert not _exists(slug)  # not committed: invisible elsewhere
        assert not _exists(slug)  # rolled back at the end

    def test_an_empty_unit_of_work_sends_nothing_and_reads_after_it_are_in_autocommit(
            self, runtime_on_catalog_role, database_url, monkeypatch):
        from functions.runtime.db import get_engine, read_only, unit_of_work

        get_engine().connect().close()
        flushes = self.writes(monkeypatch)
        with unit_of_work("catalog") as uow:
            uow.commit()
        with unit_of_work("catalog"):
            pass  # rolled back
        assert flushes == []
        with read_only() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            admin = create_engine(database_url)
            try:
                with admin.connect() as other:
                    state = other.scalar(text("SELECT state FROM pg_stat_activity WHERE pid = :p"), {"p": pid})
            finally:
                admin.dispose()
        assert state == "idle"  # no transaction was left open by an owed BEGIN


class TestRoles:
    def test_the_audit_trail_is_append_only_for_the_domain_role(self, database_url):
        engine = create_engine(role_url(database_url, "catalog"))
        with engine.connect() as conn:
            conn.execute(text("INSERT INTO catalog.audit_log (actor, action, entity_id, request_id) "
                              "VALUES ('t', 't', gen_random_uuid(), 'r')"))
            for statement in ("UPDATE catalog.audit_log SET actor = 'x'", "DELETE FROM catalog.audit_log"):
                with pytest.raises(ProgrammingError, match="permission denied"), conn.begin_nested():
                    conn.execute(text(statement))
            conn.rollback()
        engine.dispose()

    def test_a_domain_role_cannot_change_the_schema(self, database_url):
        engine = create_engine(role_url(database_url, "catalog"))
        with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("CREATE TABLE catalog.sneaky (id int)"))
        engine.dispose()

    def test_a_domain_role_cannot_touch_the_migration_history(self, database_url):
        engine = create_engine(role_url(database_url, "catalog"))
        with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("SELECT * FROM migrations.catalog"))
        engine.dispose()


def test_migrating_again_changes_nothing(database_url):
    engine = create_engine(database_url)
    schema_of = text("SELECT table_name, column_name, data_type FROM information_schema.columns "
                     "WHERE table_schema = 'catalog' ORDER BY 1, 2")
    with engine.connect() as conn:
        before = conn.execute(schema_of).all(), conn.execute(text("SELECT * FROM migrations.catalog")).all()
    migrate(database_url)
    with engine.connect() as conn:
        after = conn.execute(schema_of).all(), conn.execute(text("SELECT * FROM migrations.catalog")).all()
    engine.dispose()
    assert before == after and len(before[1]) == 1  # one version row: the head
