"""Idempotency keys are kept at least KEPT_HOURS, then purged as new keys are stored."""

import uuid

import pytest
from sqlalchemy import create_engine, text

from functions.runtime import idempotency
from schemas.migrate import role_url


@pytest.fixture
def orders_conn(database_url):
    engine = create_engine(role_url(database_url, "orders"))
    with engine.connect() as conn:
        yield conn
        conn.rollback()
    engine.dispose()


def _store(conn, owner: uuid.UUID, value: str, age_hours: float) -> None:
    key = idempotency.Key(value, b"fingerprint")
    idempotency.remember(conn, "orders", owner, key, 201, {"id": value})
    conn.execute(text("UPDATE orders.idempotency_keys SET created_at = now() - make_interval(secs => :s) "
                      "WHERE owner = :owner AND key = :key"), {"s": age_hours * 3600, "owner": owner, "key": value})


def _kept(conn, owner: uuid.UUID) -> set[str]:
    return set(conn.scalars(text("SELECT key FROM orders.idempotency_keys WHERE owner = :owner"), {"owner": owner}))


def test_keys_older_than_a_day_are_purged_and_younger_ones_replay(orders_conn, monkeypatch):
    monkeypatch.setattr(idempotency, "PURGE_EVERY", 10**9)  # no purge while the rows are made
    owner = uuid.uuid4()
    for value, age in (("old-1", 25), ("old-2", 24.01), ("young", 23.9), ("new", 0)):
        _store(orders_conn, owner, value, age)
    assert idempotency.purge_expired(orders_conn, "orders") >= 2
    assert _kept(orders_conn, owner) == {"young", "new"}
    replay = idempotency.find(orders_conn, "orders", owner, idempotency.Key("young", b"fingerprint"))
    assert replay is not None and replay.body == {"id": "young"}
    assert idempotency.find(orders_conn, "orders", owner, idempotency.Key("old-1", b"fingerprint")) is None


def test_a_purge_takes_at_most_its_batch_the_oldest_first(orders_conn, monkeypatch):
    monkeypatch.setattr(idempotency, "PURGE_EVERY", 10**9)
    owner = uuid.uuid4()
    for i in range(5):
        _store(orders_conn, owner, f"expired-{i}", 100 - i)  # expired-0 is the oldest
    orders_conn.execute(text("UPDATE orders.idempotency_keys SET created_at = created_at - interval '1000 days' "
                             "WHERE owner <> :owner"), {"owner": owner})  # others' expired keys go first
    others = orders_conn.scalar(text("SELECT count(*) FROM orders.idempotency_keys WHERE owner <> :owner "
                                     "AND created_at < now() - interval '24 hours'"), {"owner": owner})
    assert idempotency.purge_expired(orders_conn, "orders", limit=others + 2) == others + 2
    assert _kept(orders_conn, owner) == {"expired-2", "expired-3", "expired-4"}


def test_storing_keys_purges_the_expired_ones_along_the_way(orders_conn, monkeypatch):
    monkeypatch.setattr(idempotency, "PURGE_EVERY", 1)  # every remember purges
    owner = uuid.uuid4()
    _store(orders_conn, owner, "expired", 48)
    assert _kept(orders_conn, owner) == {"expired"}
    idempotency.remember(orders_conn, "orders", owner, idempotency.Key("next", b"fingerprint"), 201, {})
    assert _kept(orders_conn, owner) == {"next"}
