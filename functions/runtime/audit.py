"""The audit trail: who did what to which entity, when, under which request id (append-only)."""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from sqlalchemy import BigInteger, Column, Connection, DateTime, MetaData, Table, Text, insert
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PgUUID

from functions.runtime.jsonio import plain
from functions.runtime.logs import correlation_id


@functools.cache
def audit_table(schema: str) -> Table:
    """Return the `audit_log` table of a domain's schema (each domain keeps its own)."""
    return Table(
        "audit_log", MetaData(schema=schema),
        Column("id", BigInteger, primary_key=True),
        Column("at", DateTime(timezone=True)),
        Column("actor", Text, nullable=False),
        Column("action", Text, nullable=False),
        Column("entity_id", PgUUID(as_uuid=True), nullable=False),
        Column("changes", JSONB, nullable=False),
        Column("request_id", Text, nullable=False),
    )


def record(conn: Connection, schema: str, actor: str, action: str, entity_id: UUID,
           changes: dict[str, Any] | None = None) -> None:
    """Append an entry in the caller's transaction: it commits or rolls back with the action."""
    as_json = plain(changes or {})  # UUIDs and times as text, exactly as the API writes them
    conn.execute(insert(audit_table(schema)).values(
        actor=actor, action=action, entity_id=entity_id, changes=as_json,
        request_id=correlation_id.get()))
