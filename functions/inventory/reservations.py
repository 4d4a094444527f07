"""Reservation use cases: reserve an order's lines (all or none), release, commit, restock, expire.

Each is one unit of work and is safe to repeat: reserving an order again returns its first
decision, and the others act only on reservations still in the state they start from. SKUs
are always changed in SKU order (ledger.py: the SKU's turn), so concurrent orders never deadlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert

from functions.inventory import ledger, model
from functions.inventory.events import RESERVATION_EXPIRED, STOCK_REJECTED, STOCK_RESERVED
from functions.inventory.tables import order_decisions, reservations
from functions.runtime.db import UnitOfWork
from functions.runtime.exceptions import Conflict, NotFound
from functions.runtime.settings import get_settings

# Take what the line still needs, or all the warehouse has, from the active warehouse with the
# most available (ties: the lower code). The pick locks its row and Postgres re-checks it then;
# the UPDATE is conditional anyway and the CHECK constraint has the last word.
_TAKE = text("""
    WITH pick AS (
        SELECT l.id, LEAST(:wanted, l.on_hand - l.reserved) AS take
        FROM inventory.stock_levels l JOIN inventory.warehouses w ON w.id = l.warehouse_id
        WHERE l.sku = :sku AND w.active AND l.on_hand - l.reserved > 0
        ORDER BY l.on_hand - l.reserved DESC, w.code
        LIMIT 1
        FOR UPDATE OF l
    )
    UPDATE inventory.stock_levels s
    SET reserved = s.reserved + pick.take, version = s.version + 1, updated_at = now()
    FROM pick
    WHERE s.id = pick.id AND s.on_hand - s.reserved >= pick.take
    RETURNING s.warehouse_id, pick.take
""")


@dataclass(frozen=True)
class Held:
    sku: str
    warehouse_id: UUID
    quantity: int

    def as_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "quantity": self.quantity, "warehouse_id": self.warehouse_id}


@dataclass
class Decision:
    """What became of an order's reservation: its held lines, or the lines it was short of."""

    order_id: UUID
    reserved: bool
    lines: list[Held] = field(default_factory=list)
    short: list[model.Short] = field(default_factory=list)
    expires_at: datetime | None = None


def reserve(uow: UnitOfWork, order_id: UUID, lines: Iterable[tuple[str, int]],
            now: datetime | None = None) -> Decision:
    """Hold every line of an order, or none; emit stock.reserved or stock.rejected, once per order."""
    conn = uow.conn
    wanted = model.merge_lines(lines)
    now = now or datetime.now(timezone.utc)
    first = conn.scalar(upsert(order_decisions).values(order_id=order_id, outcome=model.RESERVED, short=[])
                        .on_conflict_do_nothing().returning(order_decisions.c.order_id))
    if first is None:  # decided before (by a concurrent duplicate we waited for, or a cancellation)
        return decision_of(conn, order_id)
    savepoint = conn.begin_nested()
    held, turns, failed = [], {}, None
    for sku, quantity in wanted:
        turns[sku] = ledger.begin_change(conn, sku)
        taken = _take(conn, sku, quantity)
        if sum(h.quantity for h in taken) < quantity:
            failed = sku
            break
        held += taken
    if failed is not None:
        savepoint.rollback()  # every line or none: what was taken goes back, versions too
        return _reject(uow, order_id, wanted, failed, now)
    savepoint.commit()
    expires_at = model.expiry(now, get_settings().reservation_ttl_seconds)
    conn.execute(insert(reservations), [
        {"id": uuid.uuid4(), "order_id": order_id, "sku": h.sku, "warehouse_id": h.warehouse_id,
         "quantity": h.quantity, "state": model.HELD, "expires_at": expires_at} for h in held])
    for sku, turn in turns.items():
        ledger.publish(uow, turn, [ledger.Movement(h.warehouse_id, model.RESERVATION, reserved_delta=h.quantity,
                                                   order_id=order_id) for h in held if h.sku == sku])
    uow.emit(STOCK_RESERVED, str(order_id), {"order_id": order_id, "lines": [h.as_json() for h in held],
                                             "expires_at": expires_at, "reserved_at": now})
    uow.commit()
    return Decision(order_id, True, held, expires_at=expires_at)


def _take(conn: Connection, sku: str, quantity: int) -> list[Held]:
    """Reserve up to `quantity` units of `sku`, warehouse by warehouse; return what was taken."""
    taken: list[Held] = []
    still = quantity
    while still > 0:
        row = conn.execute(_TAKE, {"sku": sku, "wanted": still}).first()
        if row is None:  # nothing left anywhere (each round empties a warehouse or ends the line)
            break
        taken.append(Held(sku, row.warehouse_id, row.take))
        still -= row.take
    return taken


def _reject(uow: UnitOfWork, order_id: UUID, wanted: list[tuple[str, int]], failed: str,
            now: datetime) -> Decision:
    short = []
    for sku, quantity in wanted:
        units = model.available(*ledger.totals(uow.conn, sku))
        if sku == failed or units < quantity:
            # The failed line was short while its SKU's turn was ours; a release since then
            # does not make it satisfiable in this decision.
            short.append(model.Short(sku, quantity, min(units, quantity - 1) if sku == failed else units))
    uow.conn.execute(update(order_decisions).where(order_decisions.c.order_id == order_id)
                     .values(outcome=model.REJECTED, short=[s.as_json() for s in short]))
    uow.emit(STOCK_REJECTED, str(order_id), {"order_id": order_id, "short": [s.as_json() for s in short],
                                             "rejected_at": now})
    uow.commit()
    return Decision(order_id, False, short=short)


def decision_of(conn: Connection, order_id: UUID) -> Decision:
    """Return the order's decision as it was made (NotFound when it was never reserved)."""
    row = conn.execute(select(order_decisions).where(order_decisions.c.order_id == order_id)) \
        .mappings().first()
    if row is None:
        raise NotFound("Reservation", str(order_id))
    if row["outcome"] != model.RESERVED:  # rejected (with its short lines) or cancelled first
        return Decision(order_id, False, short=[model.Short(**s) for s in row["short"]])
    r = reservations
    rows = conn.execute(select(r.c.sku, r.c.warehouse_id, r.c.quantity, r.c.expires_at)
                        .where(r.c.order_id == order_id).order_by(r.c.sku, r.c.warehouse_id)).all()
    return Decision(order_id, True, [Held(x.sku, x.warehouse_id, x.quantity) for x in rows],
                    expires_at=rows[0].expires_at if rows else None)


# What each end of a hold does to (on_hand, reserved), per unit.
_SIGNS = {model.RELEASE: (0, -1), model.COMMIT: (-1, -1), model.RESTOCK: (1, 0)}


def _end(uow: UnitOfWork, order_id: UUID, start: str, end: str, cause: str, reason: str) -> list[Held]:
    """Move the order's reservations from `start` to `end`, and their stock with them."""
    conn = uow.conn
    r = reservations
    where = [r.c.order_id == order_id, r.c.state == start]
    rows = conn.execute(update(r).where(*where).values(state=end, updated_at=func.now())
                        .returning(r.c.sku, r.c.warehouse_id, r.c.quantity)).all()
    ended = sorted((Held(x.sku, x.warehouse_id, x.quantity) for x in rows),
                   key=lambda h: (h.sku, str(h.warehouse_id)))
    on_hand_sign, reserved_sign = _SIGNS[cause]
    turns: dict[str, ledger.Turn] = {}
    moved: dict[str, list[ledger.Movement]] = {}
    for h in ended:
        if h.sku not in turns:
            turns[h.sku] = ledger.begin_change(conn, h.sku)
        on_hand, reserved = on_hand_sign * h.quantity, reserved_sign * h.quantity
        conn.execute(text("""
            UPDATE inventory.stock_levels
            SET on_hand = on_hand + :on_hand, reserved = reserved + :reserved, version = version + 1,
                updated_at = now()
            WHERE warehouse_id = :warehouse_id AND sku = :sku
        """), {"on_hand": on_hand, "reserved": reserved, "warehouse_id": h.warehouse_id, "sku": h.sku})
        moved.setdefault(h.sku, []).append(ledger.Movement(h.warehouse_id, cause, on_hand, reserved,
                                                           order_id=order_id, reason=reason))
    for sku, turn in turns.items():
        ledger.publish(uow, turn, moved[sku])
    return ended


def release(uow: UnitOfWork, order_id: UUID, reason: str = "cancelled") -> list[Held]:
    """Give back what an order holds (cancelled); nothing held is nothing to do.

    An order inventory has not decided yet (its order.placed still on the way) is decided
    `cancelled` now, so that reserving it later holds nothing.
    """
    uow.conn.execute(upsert(order_decisions).values(order_id=order_id, outcome=model.CANCELLED, short=[])
                     .on_conflict_do_nothing())
    ended = _end(uow, order_id, model.HELD, model.RELEASED, model.RELEASE, reason)
    uow.commit()
    return ended


def commit(uow: UnitOfWork, order_id: UUID) -> list[Held]:
    """The order is paid: its held units leave the stock (on_hand and reserved both drop).

    Again for a committed order changes nothing; for one whose hold ended (expired, released,
    rejected) it is a Conflict: the units may be sold to someone else already.
    """
    ended = _end(uow, order_id, model.HELD, model.COMMITTED, model.COMMIT, "paid")
    if not ended:
        states = set(uow.conn.scalars(select(reservations.c.state)
                                      .where(reservations.c.order_id == order_id)))
        if model.COMMITTED not in states and model.RESTOCKED not in states:
            decision_of(uow.conn, order_id)  # NotFound for an order never reserved
            raise Conflict(f"Order {order_id} holds no stock to commit (its hold ended or was refused).")
    uow.commit()
    return ended


def restock(uow: UnitOfWork, order_id: UUID) -> list[Held]:
    """A committed order refunded before shipping: its units go back on the shelf they left."""
    ended = _end(uow, order_id, model.COMMITTED, model.RESTOCKED, model.RESTOCK, "refunded")
    uow.commit()
    return ended


def expire_due(uow: UnitOfWork, now: datetime | None = None, limit: int = 100) -> list[UUID]:
    """Tell orders of the holds past their expiry (up to `limit` orders): reservation.expired, once each.

    The stock stays held: orders decides. An order still unpaid is cancelled, and its
    order.cancelled releases the hold; one paid in time (its payment.completed ahead of this
    in orders' queue) is confirmed, and its order.confirmed commits the hold. Releasing here
    instead would let a paid order's units be sold again before its confirmation arrived.
    """
    now = now or datetime.now(timezone.utc)
    r = reservations
    lapsed = list(uow.conn.scalars(
        update(r).where(r.c.order_id.in_(
            select(r.c.order_id).where(r.c.state == model.HELD, r.c.lapsed_at.is_(None), r.c.expires_at <= now)
            .group_by(r.c.order_id).order_by(func.min(r.c.expires_at)).limit(limit).scalar_subquery()),
            r.c.state == model.HELD, r.c.lapsed_at.is_(None))
        .values(lapsed_at=now, updated_at=func.now()).returning(r.c.order_id)))
    expired = sorted(set(lapsed), key=str)
    for order_id in expired:
        uow.emit(RESERVATION_EXPIRED, str(order_id), {"order_id": order_id, "expired_at": now})
    uow.commit()
    return expired
