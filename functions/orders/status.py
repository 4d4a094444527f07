"""Changes of an order's status: checked against the machine (model.TRANSITIONS), written to the
history, and told to the other domains by event where they act on it.

The order's row is locked first (SELECT ... FOR UPDATE): a shopper's cancel and inventory's
event for the same order apply one after the other, each seeing the status the other left.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Insert, func, select, update

from functions.orders import model
from functions.orders.events import ORDER_CANCELLED, ORDER_CONFIRMED, ORDER_REFUNDED, ORDER_SHIPPED
from functions.orders.tables import order_status_history, orders
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import NotFound
from functions.runtime.rows import insert_rows


def history_insert(order_id: UUID, steps: list[tuple[str | None, str]], actor: str,
                   reason: str | None = None) -> Insert:
    """The INSERT of a history row per (from, to) step: sent as a WITH clause of the statement that
    writes the order's row (here, and placing the order)."""
    return insert_rows(order_status_history, [
        {"order_id": order_id, "from_status": source, "to_status": dest, "reason": reason, "actor": actor}
        for source, dest in steps])


def change_status(uow: UnitOfWork, order_id: UUID, target: str, *, actor: str, reason: str | None = None,
                  owner: UUID | None = None, payable_until: datetime | None = None,
                  payment_id: UUID | None = None, locked_status: str | None = None,
                  via: str | None = None) -> dict[str, Any]:
    """Move the order to `target`; 404 when it is not there (or not the owner's), 409 when not allowed.

    `payment_id` is the completed payment that moves it to paid. `locked_status` is the status the
    caller read with the order's row lock (FOR UPDATE) in this transaction: it is current until
    commit, so it is not read again (the event handlers lock the order first to decide). `via` is
    a status passed through on the way (paid, on the way from awaiting_payment to confirmed): both
    steps are checked and kept in the history, and the row is written once.
    """
    conn = uow.conn
    if locked_status is None:
        query = select(orders.c.status).where(orders.c.id == order_id)
        if owner is not None:
            query = query.where(orders.c.user_id == owner)  # someone else's order does not exist for them
        locked_status = conn.scalar(query.with_for_update())
        if locked_status is None:
            raise NotFound("Order", str(order_id))
    elif owner is not None:
        raise ValueError("locked_status is for callers that locked the order themselves, owner checked")
    steps = [(locked_status, via), (via, target)] if via is not None else [(locked_status, target)]
    for source, dest in steps:
        model.check_transition(source, dest)
    values: dict[str, Any] = {"status": target, "updated_at": func.now()}
    if target == model.CANCELLED:
        values["cancel_reason"] = reason
    if payable_until is not None:
        values["payable_until"] = payable_until
    if payment_id is not None:
        values["payment_id"] = payment_id
    # The row and its history in one statement (the history's INSERT a WITH clause): the order
    # is locked, so the UPDATE finds it.
    history = history_insert(order_id, steps, actor, reason).cte("history")
    row = conn.execute(update(orders).where(orders.c.id == order_id).values(**values)
                       .returning(orders).add_cte(history)).mappings().one()
    if target == model.CANCELLED:
        uow.emit(ORDER_CANCELLED, str(order_id), {"order_id": order_id, "user_id": row["user_id"],
                                                  "reason": reason, "cancelled_at": row["updated_at"]})
        uow.business_event("order_cancelled", reason=reason or "unspecified")
    elif target == model.SHIPPED:
        uow.emit(ORDER_SHIPPED, str(order_id), {"order_id": order_id, "user_id": row["user_id"],
                                                "shipped_at": row["updated_at"]})
    elif target == model.CONFIRMED:
        uow.business_event("order_confirmed", currency=row["currency"])
        uow.emit(ORDER_CONFIRMED, str(order_id), {
            "order_id": order_id, "user_id": row["user_id"], "payment_id": row["payment_id"],
            "total_minor": row["total_minor"], "currency": row["currency"], "confirmed_at": row["updated_at"]})
    elif target == model.REFUNDED:  # stock that has not left goes back on the shelf
        uow.emit(ORDER_REFUNDED, str(order_id), {
            "order_id": order_id, "user_id": row["user_id"], "restock": locked_status != model.SHIPPED,
            "refunded_at": row["updated_at"]})
    return dict(row)
