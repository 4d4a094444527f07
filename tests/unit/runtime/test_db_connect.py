"""How the runtime connects: pg8000's default (TLS when offered, unverified; else plain), built once."""

from __future__ import annotations

import ssl
from types import SimpleNamespace

import pytest

from functions.runtime import db


class InterfaceError(Exception):
    pass


class DatabaseError(Exception):
    pass


def fake_dialect(takes_ssl: bool):
    calls = []

    def connect(*args, ssl_context=None, **kwargs):
        calls.append(ssl_context)
        if ssl_context is not False and not takes_ssl:
            raise InterfaceError("Server refuses SSL")
        if ssl_context is False and takes_ssl == "required":
            raise DatabaseError("no pg_hba.conf entry, SSL off")
        return SimpleNamespace(ssl=ssl_context is not False)

    dbapi = SimpleNamespace(connect=connect, InterfaceError=InterfaceError, DatabaseError=DatabaseError)
    return SimpleNamespace(dbapi=dbapi), calls


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    monkeypatch.setattr(db, "_ssl_context", None)
    monkeypatch.setattr(db, "_server_takes_ssl", None)


def test_a_server_without_tls_is_asked_once_then_connected_plainly() -> None:
    dialect, calls = fake_dialect(takes_ssl=False)
    assert db._connect_preferring_ssl(dialect, None, (), {"user": "u"}).ssl is False
    assert db._connect_preferring_ssl(dialect, None, (), {"user": "u"}).ssl is False
    assert calls[0] is not False and calls[1:] == [False, False]  # one TLS attempt in all


def test_a_server_with_tls_gets_one_unverified_context_reused() -> None:
    dialect, calls = fake_dialect(takes_ssl=True)
    assert db._connect_preferring_ssl(dialect, None, (), {}).ssl is True
    assert db._connect_preferring_ssl(dialect, None, (), {}).ssl is True
    assert calls[0] is calls[1] and isinstance(calls[0], ssl.SSLContext)
    assert calls[0].verify_mode == ssl.CERT_NONE and not calls[0].check_hostname


def test_a_server_that_starts_requiring_tls_is_retried_with_it(monkeypatch) -> None:
    monkeypatch.setattr(db, "_server_takes_ssl", False)
    dialect, calls = fake_dialect(takes_ssl="required")
    assert db._connect_preferring_ssl(dialect, None, (), {}).ssl is True and db._server_takes_ssl is True


def test_an_explicit_ssl_context_is_left_to_sqlalchemy() -> None:
    dialect, calls = fake_dialect(takes_ssl=True)
    assert db._connect_preferring_ssl(dialect, None, (), {"ssl_context": True}) is None and calls == []
