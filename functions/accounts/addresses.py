"""Address book use cases: every query is scoped to the caller, so another user's id is a 404."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, delete, func, insert, select, update

from functions.accounts import model
from functions.accounts.model import MAX_ADDRESSES
from functions.accounts.tables import addresses
from functions.accounts.users import current_user
from functions.accounts.views import address_view
from functions.runtime.auth import Claims
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import NotFound
from functions.runtime.paging import envelope

if TYPE_CHECKING:  # pydantic (and email-validator) are the cost of the functions that parse a body
    from functions.accounts.commands import CreateAddress, UpdateAddress


def _owned(user_id: UUID, address_id: UUID) -> Any:
    return (addresses.c.id == address_id) & (addresses.c.user_id == user_id)


def _get(conn: Connection, user_id: UUID, address_id: UUID) -> dict[str, Any]:
    row = conn.execute(select(addresses).where(_owned(user_id, address_id))).mappings().first()
    if row is None:
        raise NotFound("Address", str(address_id))
    return address_view(row)


def _clear_default(conn: Connection, user_id: UUID) -> None:
    conn.execute(update(addresses).where(addresses.c.user_id == user_id, addresses.c.is_default)
                 .values(is_default=False, updated_at=func.now()))


def list_addresses(conn: Connection, claims: Claims) -> dict[str, Any]:
    user = current_user(conn, claims)
    rows = conn.execute(select(addresses).where(addresses.c.user_id == user["id"])
                        .order_by(addresses.c.is_default.desc(), addresses.c.created_at)).mappings()
    items = [address_view(row) for row in rows]
    return envelope(items, len(items), 1, MAX_ADDRESSES)


def get_address(conn: Connection, claims: Claims, address_id: UUID) -> dict[str, Any]:
    return _get(conn, current_user(conn, claims)["id"], address_id)


def create_address(uow: UnitOfWork, claims: Claims, cmd: CreateAddress) -> dict[str, Any]:
    """Add an address; the first one, or one marked so, becomes the only default."""
    conn = uow.conn
    user_id = current_user(conn, claims, lock=True)["id"]  # the lock serialises a user's writes
    count = conn.scalar(select(func.count()).where(addresses.c.user_id == user_id))
    is_default = model.new_address_is_default(cmd.is_default, count)
    if is_default:
        _clear_default(conn, user_id)
    address_id = uuid.uuid4()
    conn.execute(insert(addresses).values(**cmd.model_dump(), id=address_id, user_id=user_id)
                 .values(is_default=is_default))
    created = _get(conn, user_id, address_id)
    uow.commit()
    return created


def update_address(uow: UnitOfWork, claims: Claims, address_id: UUID, cmd: UpdateAddress) -> dict[str, Any]:
    conn = uow.conn
    user_id = current_user(conn, claims, lock=True)["id"]
    _get(conn, user_id, address_id)
    changes = cmd.changes()
    if changes.get("is_default"):
        _clear_default(conn, user_id)
    conn.execute(update(addresses).where(_owned(user_id, address_id))
                 .values(**changes, updated_at=func.now()))
    updated = _get(conn, user_id, address_id)
    uow.commit()
    return updated


def delete_address(uow: UnitOfWork, claims: Claims, address_id: UUID) -> None:
    """Delete an address; when it was the default, the newest remaining one takes over."""
    conn = uow.conn
    user_id = current_user(conn, claims, lock=True)["id"]
    was_default = conn.scalar(delete(addresses).where(_owned(user_id, address_id))
                              .returning(addresses.c.is_default))
    if was_default is None:
        raise NotFound("Address", str(address_id))
    if was_default:
        newest = conn.scalar(select(addresses.c.id).where(addresses.c.user_id == user_id)
                             .order_by(addresses.c.created_at.desc()).limit(1))
        if newest is not None:
            conn.execute(update(addresses).where(addresses.c.id == newest).values(is_default=True))
    uow.commit()
