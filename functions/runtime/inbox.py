"""The inbox: which CloudEvents a consumer has handled, written in the same transaction as the effect."""

from __future__ import annotations

import functools

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
