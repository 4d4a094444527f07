"""Who may still act: revoked sessions and current roles, kept in every domain that acts for users.

Access tokens live 15 minutes, but a logout, a stolen refresh token, a demotion or a
deactivation must take effect at once. accounts writes each change into its own copy of these
two tables and emits an event; every other domain keeps its copy from those events (its
`<domain>-on-access-changed` handler). A function checks the caller's token against its own
domain's copy: one indexed lookup, never a read of accounts' tables.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import ConfigDict

from functions.runtime.commands import Command
from functions.runtime.exceptions import DomainError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Table

    from functions.runtime.auth import Claims

SESSION_REVOKED = "com.ecom.accounts.session.revoked"
USER_ROLE_CHANGED = "com.ecom.accounts.user.role_changed"
USER_DEACTIVATED = "com.ecom.accounts.user.deactivated"
USER_REACTIVATED = "com.ecom.accounts.user.reactivated"
ACCESS_EVENTS = (SESSION_REVOKED, USER_ROLE_CHANGED, USER_DEACTIVATED, USER_REACTIVATED)


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


def refusal(claims: Claims, session_revoked: bool, role: str | None, active: bool | None) -> str | None:
    """Return why a verified token may no longer act (None: it may), given what the domain knows."""
    if session_revoked:
        return "The session of this access token has ended; log in again."
    if active is False:
        return "The account behind this token is not active."
    if role is not None and role != claims.role:
        return "The role in this access token is no longer the account's role; log in again."
    return None


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


def check(conn: Connection, schema: str, claims: Claims) -> str | None:
    """Return why the domain refuses `claims` now (None: it does not): one round trip."""
    from functions.runtime.ids import parse_uuid

    # Both were signed by accounts; a token without them (a dev token) has no session to end.
    user_id, session_id = parse_uuid(claims.sub), parse_uuid(claims.sid or "")
    row = conn.execute(_check_statement(schema), {"user_id": user_id, "session_id": session_id}).one()
    return refusal(claims, row.revoked, row.role, row.active)


@functools.cache
def _check_statement(schema: str) -> Any:
    # Plain SQL, built once: this runs on every request that carries a token, and composing
    # the same statement with SQLAlchemy's expression language each time cost more than the
    # round trip itself.
    from sqlalchemy import bindparam, text
    from sqlalchemy.dialects.postgresql import UUID as PgUUID

    return text(f"""
        SELECT EXISTS (SELECT 1 FROM {schema}.revoked_sessions WHERE session_id = :session_id) AS revoked,
               (SELECT role FROM {schema}.user_access WHERE user_id = :user_id) AS role,
               (SELECT active FROM {schema}.user_access WHERE user_id = :user_id) AS active
    """).bindparams(bindparam("session_id", type_=PgUUID(as_uuid=True)),
                    bindparam("user_id", type_=PgUUID(as_uuid=True)))


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
