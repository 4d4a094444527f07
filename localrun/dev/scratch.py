"""Throwaway databases for tests and benchmarks: made, migrated, and dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_database(server_url: str, purpose: str = "test") -> Iterator[str]:
    """Yield the migration role's URL of a new, migrated database on `server_url`; drop it after."""
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.pool import NullPool

    from schemas.migrate import migrate

    name = f"ecom_{purpose}_{uuid.uuid4().hex[:12]}"
    # A connection for each statement: the server may have restarted in between (a fault test's).
    server = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()
