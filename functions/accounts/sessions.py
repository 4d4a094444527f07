"""Sessions: log in, rotate refresh tokens (a reused one revokes its whole family), log out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, func, insert, select, update

from functions.accounts import model, throttle
from functions.accounts.adapters import passwords
from functions.accounts.adapters.tokens import access_token
from functions.accounts.tables import refresh_tokens, users
from functions.runtime import access
from functions.runtime.db import UnitOfWork
from functions.runtime.settings import get_settings

if TYPE_CHECKING:  # pydantic (and email-validator) are the cost of the functions that parse a body
    from functions.accounts.commands import Login, RefreshSession


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str

    def to_json(self) -> dict[str, Any]:
        """Return the OAuth2-style token answer."""
        return {"access_token": self.access_token, "token_type": "Bearer",
                "expires_in": self.expires_in, "refresh_token": self.refresh_token}


def _issue(conn: Connection, user_id: UUID, role: str, family_id: UUID) -> TokenPair:
    """Store a new refresh token of the session `family_id` and sign an access token."""
    refresh = model.new_refresh_token()
    days = get_settings().refresh_token_days
    conn.execute(insert(refresh_tokens).values(
        id=uuid.uuid4(), family_id=family_id, user_id=user_id, token_hash=model.fingerprint(refresh),
        expires_at=datetime.now(timezone.utc) + timedelta(days=days)))
    token, lifetime = access_token(user_id, role, family_id)
    return TokenPair(token, lifetime, refresh)


def login(uow: UnitOfWork, cmd: Login) -> TokenPair:
    """Start a session for valid credentials; raise the same 401 for every failure."""
    conn = uow.conn
    key = model.account_key(cmd.email)
    throttle.check(conn, key, "login")
    user = conn.execute(select(users).where(users.c.email == model.normalise_email(cmd.email))) \
        .mappings().first()
    # The hash is checked even for an unknown email: both failures take the same time.
    if not passwords.verify(user["password_hash"] if user else None, cmd.password) or not user["active"]:
        throttle.failed(conn, key, "login")
        uow.commit()  # the failure counts although the login is refused
        raise model.invalid_credentials()
    throttle.succeeded(conn, key, "login")
    if passwords.needs_rehash(user["password_hash"]):
        conn.execute(update(users).where(users.c.id == user["id"])
                     .values(password_hash=passwords.hash_password(cmd.password)))
    pair = _issue(conn, user["id"], user["role"], uuid.uuid4())
    uow.commit()
    return pair


def revoke_sessions(uow: UnitOfWork, user_id: UUID, keep: UUID | None = None) -> None:
    """End every live session of the user, except session `keep`."""
    condition = [refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None)]
    if keep is not None:
        condition.append(refresh_tokens.c.family_id != keep)
    _end_sessions(uow, *condition)


def _revoke_family(uow: UnitOfWork, family_id: UUID) -> None:
    _end_sessions(uow, refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))


def _end_sessions(uow: UnitOfWork, *condition: Any) -> None:
    """Revoke the matching refresh tokens; every session ended is refused at once, everywhere.

    accounts' own copy of the revoked sessions is written here, in the same transaction, and
    the event carries it to every other domain that acts for users.
    """
    from functions.runtime import access_changes  # pydantic: users.py imports this module for GETs too

    ended = uow.conn.execute(update(refresh_tokens).where(*condition).values(revoked_at=func.now())
                             .returning(refresh_tokens.c.family_id, refresh_tokens.c.user_id)).all()
    at = datetime.now(timezone.utc)
    for family_id, user_id in sorted(set(ended)):
        change = access_changes.AccessChanged(user_id=user_id, session_id=family_id, at=at)
        access_changes.record(uow.conn, uow.domain, access.SESSION_REVOKED, change)
        uow.emit(access.SESSION_REVOKED, str(user_id), change.model_dump(exclude_none=True))


def refresh(uow: UnitOfWork, cmd: RefreshSession) -> TokenPair:
    """Rotate a refresh token. Presenting one that was already rotated revokes the session."""
    conn = uow.conn
    row = conn.execute(
        select(refresh_tokens, users.c.role, users.c.active)
        .join(users, users.c.id == refresh_tokens.c.user_id)
        .where(refresh_tokens.c.token_hash == model.fingerprint(cmd.refresh_token))
        .with_for_update(of=refresh_tokens)).mappings().first()
    outcome = model.refresh_outcome(row, row is not None and row["active"], datetime.now(timezone.utc))
    if outcome is model.RefreshOutcome.END_SESSION:
        _revoke_family(uow, row["family_id"])
        uow.commit()  # the session ends although the request is refused
    if outcome is not model.RefreshOutcome.ROTATE:
        raise model.invalid_refresh_token()
    conn.execute(update(refresh_tokens).where(refresh_tokens.c.id == row["id"]).values(used_at=func.now()))
    pair = _issue(conn, row["user_id"], row["role"], row["family_id"])
    uow.commit()
    return pair


def logout(uow: UnitOfWork, cmd: RefreshSession) -> None:
    """End the token's session; an unknown token is not an error (nothing to end)."""
    family = uow.conn.scalar(select(refresh_tokens.c.family_id)
                             .where(refresh_tokens.c.token_hash == model.fingerprint(cmd.refresh_token)))
    if family is not None:
        _revoke_family(uow, family)
    uow.commit()
