"""The inbox: which CloudEvents a consumer has handled, written in the same transaction as the effect.

A projection's effect is a few upserts and nothing else (`Effect`): the inbox row and the effect
then go in one statement (`record_with`), which the server runs as its own transaction, where a
handler otherwise sends BEGIN, the inbox row, the effect and COMMIT.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, DateTime, MetaData, Table, Text, TextClause, text


@functools.cache
def inbox_table(schema: str) -> Table:
    """Return the `inbox` table of a domain's schema."""
    return Table(
        "inbox", MetaData(schema=schema),
        Column("consumer", Text, primary_key=True),
        Column("source", Text, primary_key=True),
        Column("id", Text, primary_key=True),
        Column("type", Text, nullable=False),
        Column("status", Text, nullable=False),
        Column("reason", Text, nullable=False),
        Column("received_at", DateTime(timezone=True)),
        Column("traceparent", Text),  # the handler's span (a child of the event's)
    )


@functools.cache
def _insert(schema: str) -> TextClause:
    # Once per schema, as text: every handled event runs it (see outbox._insert).
    return text(f"INSERT INTO {schema}.inbox (consumer, source, id, type, status, reason, traceparent) "
                "VALUES (:consumer, :source, :id, :type, :status, :reason, :traceparent) "
                "ON CONFLICT DO NOTHING")


def record(conn: Connection, schema: str, consumer: str, source: str, event_id: str, event_type: str,
           status: str = "processed", reason: str = "", traceparent: str | None = None) -> bool:
    """Record the event as handled; return False when this consumer had already recorded it.

    `traceparent` names the handler's span (functions/runtime/tracing.py), in the event's trace.
    """
    return conn.execute(_insert(schema), {
        "consumer": consumer, "source": source, "id": event_id, "type": event_type, "status": status,
        "reason": reason[:1000], "traceparent": traceparent}).rowcount == 1


@dataclass(frozen=True)
class Effect:
    """An event's whole effect as data-modifying statements, each reading its rows `FROM recorded`
    (one row when the event is new, none for a redelivery), with their parameters.

    For example `INSERT INTO reporting.stock (sku, ...) SELECT CAST(:sku AS text), ... FROM recorded
    ON CONFLICT ...`. The statements run in one statement, as WITH clauses: they see the same
    snapshot, so no two may change the same row.
    """

    statements: tuple[str, ...]
    params: dict[str, Any]


_INBOX_PARAMS = ("consumer", "source", "id", "type", "traceparent")


@functools.lru_cache(maxsize=256)
def _recorded_with(schema: str, statements: tuple[str, ...]) -> TextClause:
    recorded = (f"INSERT INTO {schema}.inbox (consumer, source, id, type, status, reason, traceparent) "
                "VALUES (:inbox_consumer, :inbox_source, :inbox_id, :inbox_type, 'processed', '', "
                ":inbox_traceparent) ON CONFLICT DO NOTHING RETURNING 1")
    effects = "".join(f", effect_{n} AS ({statement})" for n, statement in enumerate(statements))
    return text(f"WITH recorded AS ({recorded}){effects} SELECT count(*) FROM recorded")


@functools.lru_cache(maxsize=256)
def _applied(statements: tuple[str, ...]) -> TextClause:
    effects = "".join(f", effect_{n} AS ({statement})" for n, statement in enumerate(statements))
    return text(f"WITH recorded AS (SELECT 1){effects} SELECT 1")


def record_with(conn: Connection, schema: str, consumer: str, source: str, event_id: str, event_type: str,
                effect: Effect, traceparent: str | None = None) -> bool:
    """Record the event and apply `effect` in one statement; return False (and change nothing)
    when this consumer had already recorded it. On an autocommit connection, that statement is
    the whole transaction."""
    values = dict(zip(_INBOX_PARAMS, (consumer, source, event_id, event_type, traceparent)))
    params = effect.params | {f"inbox_{name}": value for name, value in values.items()}
    return conn.scalar(_recorded_with(schema, effect.statements), params) == 1


def apply(conn: Connection, effect: Effect) -> None:
    """Apply `effect` without an inbox row (a replay: make rebuild-reports)."""
    conn.execute(_applied(effect.statements), effect.params)
