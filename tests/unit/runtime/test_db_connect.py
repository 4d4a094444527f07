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


@pytest.mark.parametrize("text", [
    "2026-12-03 09:00:00+00", "2026-12-03 09:00:00.5+00", "2026-12-03 09:00:00.123456+00",
    "2026-12-03 09:00:00.123+05:30", "2026-12-03 09:00:00-08", "0001-01-01 00:00:00+00", "infinity",
    "-infinity", "0044-03-15 00:00:00+00 BC", "10000-01-01 00:00:00+00", "2026-12-03 09:00:00.1234567+00"])
def test_timestamps_read_fast_are_the_values_pg8000_reads(text: str) -> None:
    import warnings

    from pg8000.converters import timestamptz_in

    adapters = {}
    db._fast_timestamps(SimpleNamespace(register_in_adapter=adapters.__setitem__), None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateutil on "BC"
        fast, slow = adapters[db._TIMESTAMPTZ](text), timestamptz_in(text)
    assert fast == slow and type(getattr(fast, "tzinfo", None)) is type(getattr(slow, "tzinfo", None))


@pytest.mark.parametrize("text", ["2026-12-03 09:00:00", "2026-12-03 09:00:00.25", "infinity"])
def test_naive_timestamps_too(text: str) -> None:
    from pg8000.converters import timestamp_in

    adapters = {}
    db._fast_timestamps(SimpleNamespace(register_in_adapter=adapters.__setitem__), None)
    assert adapters[db._TIMESTAMP](text) == timestamp_in(text)
