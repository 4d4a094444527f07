"""The transactional outbox: events are written with the state change, and a relay sends them.

Every insert into a domain's outbox notifies `notify_channel(domain)` at commit (the trigger is
in schemas/runtime_tables.py), so a relay LISTENing there wakes at once instead of polling.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, DateTime, MetaData, Table, Text, TextClause, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from functions.runtime.jsonio import dumps


def notify_channel(schema: str) -> str:
    """Return the LISTEN/NOTIFY channel a domain's outbox inserts notify (its relays listen)."""
    return f"{schema}_outbox"


@functools.cache
def outbox_table(schema: str) -> Table:
    """Return the `outbox` table of a domain's schema."""
    return Table(
        "outbox", MetaData(schema=schema),
        Column("id", PgUUID(as_uuid=True), primary_key=True),  # the CloudEvent id
        Column("seq", BigInteger),  # commit order, filled by the database
        Column("type", Text, nullable=False),
        Column("source", Text, nullable=False),
        Column("subject", Text, nullable=False),
        Column("data", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True)),
        Column("sent_at", DateTime(timezone=True)),
    )


@functools.cache
def _insert(schema: str) -> TextClause:
    # Built once per schema, as text: an insert() construct costs more to build and key for the
    # statement cache than the round trip it makes (bench/events.py, CPU per event).
    return text(f"INSERT INTO {schema}.outbox (id, type, source, subject, data) "
                "VALUES (:id, :type, :source, :subject, CAST(:data AS jsonb))")


def backlog(conn: Connection, schema: str) -> tuple[int, datetime | None]:
    """Return (rows not sent yet, when the oldest of them was written) of a domain's outbox."""
    row = conn.execute(text(f"SELECT count(*), min(created_at) FROM {schema}.outbox WHERE sent_at IS NULL")).one()
    return int(row[0]), row[1]


def append(conn: Connection, schema: str, event_type: str, source: str, subject: str,
           data: dict[str, Any]) -> uuid.UUID:
    """Write an event to the outbox in the caller's transaction; return its id."""
    event_id = uuid.uuid4()
    conn.execute(_insert(schema), {  # UUIDs and times as text, exactly as the API writes them
        "id": event_id, "type": event_type, "source": source, "subject": subject, "data": dumps(data)})
    return event_id
