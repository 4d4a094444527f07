"""How a domain keeps its copy of who may act (functions/runtime/access.py) from the access events.

accounts records each change in its own copy as it emits the event; every other domain's
`<domain>-on-access-changed` handler records it from the event. A module apart from access.py
because the payload is a pydantic model and access.py is imported by every signed-in request.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from pydantic import ConfigDict

from functions.runtime.access import SESSION_REVOKED
from functions.runtime.commands import Command
from functions.runtime.exceptions import DomainError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table


class AccessChanged(Command):
    """The data of the access events: a session ended, or a user's role or active flag is now this."""

    model_config = ConfigDict(extra="ignore")

    user_id: UUID
    at: datetime
    session_id: UUID | None = None  # session.revoked
    role: str | None = None  # user.* events: the user's role and flag after the change
    active: bool | None = None


class IncompleteChange(DomainError):
    """An access event lacks what its type needs: it can never be applied."""


@functools.cache
def access_tables(schema: str) -> tuple[Table, Table]:
    """Return the domain's `revoked_sessions` and `user_access` tables."""
    from sqlalchemy import Boolean, Column, DateTime, MetaData, Table, Text
    from sqlalchemy.dialects.postgresql import UUID as PgUUID

    metadata = MetaData(schema=schema)
    revoked = Table("revoked_sessions", metadata,
                    Column("session_id", PgUUID(as_uuid=True), primary_key=True),
                    Column("user_id", PgUUID(as_uuid=True), nullable=False),
                    Column("revoked_at", DateTime(timezone=True), nullable=False))
    users = Table("user_access", metadata,
                  Column("user_id", PgUUID(as_uuid=True), primary_key=True),
                  Column("role", Text, nullable=False),
                  Column("active", Boolean, nullable=False),
                  Column("changed_at", DateTime(timezone=True), nullable=False))
    return revoked, users


def record(conn: Connection, schema: str, event_type: str, change: AccessChanged) -> None:
    """Apply an access change to the domain's copy; an older change than the one kept is ignored."""
    from sqlalchemy.dialects.postgresql import insert

    revoked, users = access_tables(schema)
    if event_type == SESSION_REVOKED:
        if change.session_id is None:
            raise IncompleteChange("a session.revoked event needs data.session_id")
        conn.execute(insert(revoked).values(session_id=change.session_id, user_id=change.user_id,
                                                revoked_at=change.at).on_conflict_do_nothing())
        return
    if change.role is None or change.active is None:
        raise IncompleteChange(f"a {event_type} event needs data.role and data.active")
    stmt = insert(users).values(user_id=change.user_id, role=change.role, active=change.active,
                                changed_at=change.at)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[users.c.user_id],
        set_={"role": stmt.excluded.role, "active": stmt.excluded.active,
              "changed_at": stmt.excluded.changed_at},
        where=users.c.changed_at < stmt.excluded.changed_at))
