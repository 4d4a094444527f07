"""Saved payment method use cases: every query is scoped to the caller, so another user's id is a 404."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import Connection, delete, func, insert, select, text

from functions.payments import model
from functions.payments.tables import payment_methods
from functions.payments.views import payment_method_view
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import NotFound
from functions.runtime.paging import envelope

if TYPE_CHECKING:
    from functions.payments.commands import AddPaymentMethod


def _rows(conn: Connection, user_id: UUID) -> list[Any]:
    return list(conn.execute(select(payment_methods).where(payment_methods.c.user_id == user_id)
                             .order_by(payment_methods.c.created_at, payment_methods.c.id)).mappings())


def list_methods(conn: Connection, user_id: UUID) -> dict[str, Any]:
    items = [payment_method_view(row) for row in _rows(conn, user_id)]
    return envelope(items, len(items), 1, model.MAX_METHODS)


def _lock_user(conn: Connection, user_id: UUID) -> None:
    # Payments keeps no row per user to lock: a transaction-scoped advisory lock on the user id
    # makes one user's concurrent adds count one after the other, so none passes the limit.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:user_id, 0))"),
                 {"user_id": str(user_id)})


def add_method(uow: UnitOfWork, user_id: UUID, cmd: AddPaymentMethod,
               now: datetime | None = None) -> dict[str, Any]:
    """Save a card by its provider token; at most MAX_METHODS per user, none expired."""
    today = now or datetime.now(timezone.utc)
    model.check_expiry(cmd.exp_month, cmd.exp_year, today.year, today.month)
    conn = uow.conn
    _lock_user(conn, user_id)
    model.check_room_for_method(conn.scalar(select(func.count()).where(payment_methods.c.user_id == user_id)))
    method_id = uuid.uuid4()
    row = conn.execute(insert(payment_methods).values(id=method_id, user_id=user_id, **cmd.model_dump())
                       .returning(*payment_methods.c)).mappings().one()
    uow.commit()
    return payment_method_view(row)


def delete_method(uow: UnitOfWork, user_id: UUID, method_id: UUID) -> None:
    deleted = uow.conn.execute(delete(payment_methods).where(
        payment_methods.c.id == method_id, payment_methods.c.user_id == user_id)).rowcount
    if not deleted:
        raise NotFound("Payment method", str(method_id))
    uow.commit()
