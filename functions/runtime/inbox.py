"""The inbox: which CloudEvents a consumer has handled, written in the same transaction as the effect."""

from __future__ import annotations

import functools

from sqlalchemy import Column, Connection, DateTime, MetaData, Table, Text
from sqlalchemy.dialects.postgresql import insert


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
    )


def record(conn: Connection, schema: str, consumer: str, source: str, event_id: str, event_type: str,
           status: str = "processed", reason: str = "") -> bool:
    """Record the event as handled; return False when this consumer had already recorded it."""
    stmt = insert(inbox_table(schema)).values(
        consumer=consumer, source=source, id=event_id, type=event_type, status=status,
        reason=reason[:1000]).on_conflict_do_nothing()
    return conn.execute(stmt).rowcount == 1
