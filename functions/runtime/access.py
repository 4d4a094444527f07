"""Who may still act: revoked sessions and current roles, kept in every domain that acts for users.

Access tokens live 15 minutes, but a logout, a stolen refresh token, a demotion or a
deactivation must take effect at once. accounts writes each change into its own copy of these
two tables and emits an event; every other domain keeps its copy from those events (its
`<domain>-on-access-changed` handler). A function checks the caller's token against its own
domain's copy: one indexed lookup, never a read of accounts' tables. (The copy is kept by
functions/runtime/access_changes.py: its event payload is a pydantic model, which a function
checking tokens need not load.)
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from functions.runtime.auth import Claims

SESSION_REVOKED = "com.ecom.accounts.session.revoked"
USER_ROLE_CHANGED = "com.ecom.accounts.user.role_changed"
USER_DEACTIVATED = "com.ecom.accounts.user.deactivated"
USER_REACTIVATED = "com.ecom.accounts.user.reactivated"
ACCESS_EVENTS = (SESSION_REVOKED, USER_ROLE_CHANGED, USER_DEACTIVATED, USER_REACTIVATED)


def refusal(claims: Claims, session_revoked: bool, role: str | None, active: bool | None) -> str | None:
    """Return why a verified token may no longer act (None: it may), given what the domain knows."""
    if session_revoked:
        return "The session of this access token has ended; log in again."
    if active is False:
        return "The account behind this token is not active."
    if role is not None and role != claims.role:
        return "The role in this access token is no longer the account's role; log in again."
    return None


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
