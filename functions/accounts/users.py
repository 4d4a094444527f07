"""User use cases: register, profile, password change, and the admin's view of users."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, Select, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from functions.accounts import model, throttle
from functions.accounts.adapters import passwords
from functions.accounts.events import USER_REGISTERED
from functions.accounts.sessions import revoke_sessions
from functions.accounts.tables import profiles, users
from functions.accounts.views import user_view
from functions.runtime import access
from functions.runtime.auth import Claims
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import (
    Conflict,
    FieldError,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
)
from functions.runtime.ids import parse_uuid
from functions.runtime.paging import envelope

if TYPE_CHECKING:  # pydantic (and email-validator) are the cost of the functions that parse a body
    from functions.accounts.commands import ChangePassword, Register, SearchUsers, UpdateProfile, UpdateUser


def _user_query() -> Select[Any]:
    return select(users, profiles.c.name).join(profiles, profiles.c.user_id == users.c.id)


def _check_password(password: str, email: str, field: str = "password") -> None:
    if problems := model.password_problems(password, email):
        raise InvalidInput([FieldError(field, problem) for problem in problems])


def register(uow: UnitOfWork, cmd: Register) -> dict[str, Any]:
    """Create a customer account; 409 when the email is taken (saying nothing more)."""
    email = model.normalise_email(cmd.email)
    _check_password(cmd.password, email)
    user_id = uuid.uuid4()
    try:
        with uow.conn.begin_nested():
            uow.conn.execute(insert(users).values(id=user_id, email=email,
                                                  password_hash=passwords.hash_password(cmd.password)))
    except IntegrityError:
        raise Conflict("An account cannot be created with this email.") from None
    uow.conn.execute(insert(profiles).values(user_id=user_id, name=cmd.name))
    created = get_user(uow.conn, user_id)
    uow.emit(USER_REGISTERED, str(user_id), {"user_id": user_id, "email": email, "name": cmd.name,
                                              "registered_at": created["created_at"]})
    uow.commit()
    return created


def get_user(conn: Connection, user_id: UUID) -> dict[str, Any]:
    row = conn.execute(_user_query().where(users.c.id == user_id)).mappings().first()
    if row is None:
        raise NotFound("User", str(user_id))
    return user_view(row)


def current_user(conn: Connection, claims: Claims, *, lock: bool = False) -> dict[str, Any]:
    """Return the caller's account; 401 when it no longer exists or was deactivated."""
    stmt = _user_query().where(users.c.id == parse_uuid(claims.sub))
    row = conn.execute(stmt.with_for_update(of=users) if lock else stmt).mappings().first()
    if row is None or not row["active"]:
        raise NotAuthenticated("The account behind this token is not active.")
    return dict(row)


def current_admin(conn: Connection, claims: Claims) -> dict[str, Any]:
    """Return the caller's account if it is an admin now, not only when the token was signed."""
    user = current_user(conn, claims)
    if user["role"] != "admin":
        raise NotAllowed("This action needs the admin role.")
    return user


def update_profile(uow: UnitOfWork, claims: Claims, cmd: UpdateProfile) -> dict[str, Any]:
    user = current_user(uow.conn, claims, lock=True)
    if cmd.changes():
        uow.conn.execute(update(profiles).where(profiles.c.user_id == user["id"])
                         .values(**cmd.changes(), updated_at=func.now()))
        uow.conn.execute(update(users).where(users.c.id == user["id"]).values(updated_at=func.now()))
    updated = get_user(uow.conn, user["id"])
    uow.commit()
    return updated


def change_password(uow: UnitOfWork, claims: Claims, cmd: ChangePassword) -> None:
    """Change the password (the current one is required) and end every other session."""
    user = current_user(uow.conn, claims, lock=True)
    key = model.account_key(user["email"])
    throttle.check(uow.conn, key, "password_change")
    if not passwords.verify(user["password_hash"], cmd.current_password):
        throttle.failed(uow.conn, key, "password_change")
        uow.commit()  # the failure counts although the change is refused
        raise InvalidInput([FieldError("current_password", "is not correct")])
    throttle.succeeded(uow.conn, key, "password_change")
    _check_password(cmd.new_password, user["email"], "new_password")
    uow.conn.execute(update(users).where(users.c.id == user["id"]).values(
        password_hash=passwords.hash_password(cmd.new_password), updated_at=func.now()))
    revoke_sessions(uow, user["id"], keep=parse_uuid(claims.sid or ""))
    uow.commit()


def search_users(conn: Connection, admin: Claims, query: SearchUsers) -> dict[str, Any]:
    """Return a page of users matching the admin's search, newest first."""
    current_admin(conn, admin)
    conditions = []
    if query.q:
        words = query.q.lower()
        conditions.append(or_(users.c.email.contains(words, autoescape=True),
                              func.lower(profiles.c.name).contains(words, autoescape=True)))
    if query.role is not None:
        conditions.append(users.c.role == query.role)
    if query.active is not None:
        conditions.append(users.c.active == query.active)
    base = _user_query().where(*conditions)
    total = conn.scalar(select(func.count()).select_from(base.subquery()))
    rows = conn.execute(base.order_by(users.c.created_at.desc(), users.c.id)
                        .limit(query.page_size).offset((query.page - 1) * query.page_size)).mappings()
    return envelope([user_view(row) for row in rows], total, query.page, query.page_size)


def update_user(uow: UnitOfWork, admin: Claims, user_id: UUID, cmd: UpdateUser) -> dict[str, Any]:
    """Change a user's role or active flag; admins cannot demote or deactivate themselves."""
    conn = uow.conn
    current_admin(conn, admin)
    before = conn.execute(select(users).where(users.c.id == user_id).with_for_update()).mappings().first()
    if before is None:
        raise NotFound("User", str(user_id))
    changes = {k: v for k, v in cmd.changes().items() if before[k] != v}
    model.check_user_change(acting_admin=admin.sub, user_id=str(user_id), changes=changes)
    if changes:
        conn.execute(update(users).where(users.c.id == user_id).values(**changes, updated_at=func.now()))
        if changes.get("active") is False or "role" in changes:
            revoke_sessions(uow, user_id)  # new role or no access: every session starts over
        _access_changed(uow, user_id, dict(before) | changes, changes)
        uow.audit("user.updated", user_id, {k: {"from": before[k], "to": v} for k, v in changes.items()})
    updated = get_user(conn, user_id)
    uow.commit()
    return updated


def _access_changed(uow: UnitOfWork, user_id: UUID, after: Mapping[str, Any],
                    changes: dict[str, Any]) -> None:
    """Record the user's new role and flag in accounts' copy and tell every other domain."""
    from functions.runtime import access_changes  # pydantic: not for GET /api/users/me's cold start

    change = access_changes.AccessChanged(user_id=user_id, role=after["role"], active=after["active"],
                                          at=datetime.now(timezone.utc))
    event_type = (access.USER_ROLE_CHANGED if "role" in changes
                  else access.USER_DEACTIVATED if not after["active"] else access.USER_REACTIVATED)
    access_changes.record(uow.conn, uow.domain, event_type, change)
    uow.emit(event_type, str(user_id), change.model_dump(exclude_none=True))


def promote_to_admin(conn: Connection, email: str) -> UUID:
    """Make the registered user with `email` an admin (the operator's `make admin`), in `conn`'s
    transaction; the caller commits."""
    uow = UnitOfWork(conn, "accounts")
    row = conn.execute(update(users).where(users.c.email == model.normalise_email(email))
                           .values(role="admin", updated_at=func.now())
                           .returning(users.c.id, users.c.role, users.c.active)).mappings().first()
    if row is None:
        raise NotFound("User", email,
                       f"No account with email {email!r}: register it first, then make it an admin.")
    _access_changed(uow, row["id"], row, {"role": "admin"})
    return row["id"]
