"""A projection's delivery in one statement (inbox.record_with): the inbox row and the effect
commit together or not at all, and a redelivery changes nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.integration.runtime.test_database import runtime_on_catalog_role  # noqa: F401

CONSUMER = "catalog-test-projection"


def _marker(key: str) -> str:
    """An effect that writes a row of its own (a second inbox row, under `key`), from `recorded`."""
    return ("INSERT INTO catalog.inbox (consumer, source, id, type, status, reason) "
            f"SELECT 'marker', '/test', '{key}', 'test', 'processed', '' FROM recorded")


def _inbox_ids(conn, *ids: str) -> set[str]:
    return set(conn.scalars(text("SELECT id FROM catalog.inbox WHERE id = ANY(:ids)"), {"ids": list(ids)}))


def test_the_effect_applies_once_with_its_inbox_row(runtime_on_catalog_role) -> None:  # noqa: F811
    from functions.runtime.db import autocommit
    from functions.runtime.inbox import Effect, record_with

    event_id, key = str(uuid.uuid4()), str(uuid.uuid4())
    effect = Effect((_marker(key),), {})
    with autocommit() as conn:
        assert record_with(conn, "catalog", CONSUMER, "/test", event_id, "test", effect) is True
        assert record_with(conn, "catalog", CONSUMER, "/test", event_id, "test",
                           Effect((_marker(str(uuid.uuid4())),), {})) is False  # a redelivery: no second marker
        assert _inbox_ids(conn, event_id, key) == {event_id, key}
        assert conn.scalar(text("SELECT count(*) FROM catalog.inbox WHERE consumer = 'marker' AND id = :k"),
                           {"k": key}) == 1


def test_an_effect_that_fails_leaves_no_inbox_row_and_a_usable_connection(runtime_on_catalog_role) -> None:  # noqa: F811
    from functions.runtime.db import autocommit
    from functions.runtime.inbox import Effect, record_with

    event_id, key = str(uuid.uuid4()), str(uuid.uuid4())
    twice = Effect((_marker(key), _marker(key)), {})  # the second write breaks the key the first just took
    with pytest.raises(IntegrityError):
        with autocommit() as conn:
            record_with(conn, "catalog", CONSUMER, "/test", event_id, "test", twice)
    with autocommit() as conn:
        assert _inbox_ids(conn, event_id, key) == set()  # neither the event nor the first effect
        assert record_with(conn, "catalog", CONSUMER, "/test", event_id, "test", Effect((_marker(key),), {}))
        assert _inbox_ids(conn, event_id, key) == {event_id, key}
