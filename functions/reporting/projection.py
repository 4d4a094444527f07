"""The projection's use cases: one per event type, each the effect of its handler (handlers.py)
and what make rebuild-reports replays from the outboxes (rebuild.py), as an inbox.Effect.

Order-insensitive by construction: an event sets only the columns it is the source of (an order's
placed_at and lines come only from order.placed, its total only from order.confirmed, ...), and
where two events of one type could disagree the rule picks the same winner whatever came first
(the earliest time, the highest stock version, a completed payment over a failed one). So any
order of delivery, and any number of redeliveries, gives the same rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from functions.reporting import events
from functions.runtime.inbox import Effect

if TYPE_CHECKING:  # the rebuild imports this module too, and needs no web framework
    from functions.runtime.handlers import DeadLetter

# Each use case is one Effect: upserts whose one row of values comes `FROM recorded` (inbox.py),
# so the handler records the event and applies it in one statement, and the rebuild applies it
# alone. The casts are there because a SELECT list, unlike VALUES, takes no type from the column.
_ORDER = "INSERT INTO reporting.orders (order_id, user_id, {columns}) " \
         "SELECT CAST(:order_id AS uuid), CAST(:user_id AS uuid), {values} FROM recorded " \
         "ON CONFLICT (order_id) DO UPDATE SET {updates}"


def _earliest(column: str) -> str:
    return f"{column} = LEAST(coalesce(reporting.orders.{column}, EXCLUDED.{column}), EXCLUDED.{column})"


_AT = "CAST(:at AS timestamptz)"
_PLACED = _ORDER.format(columns="placed_at", values=_AT, updates=_earliest("placed_at"))
# An order's lines, one per SKU (the event's lines as two arrays).
_LINES = ("INSERT INTO reporting.order_lines (order_id, sku, quantity) "
          "SELECT CAST(:order_id AS uuid), line.sku, line.quantity FROM recorded, "
          "unnest(CAST(:skus AS text[]), CAST(:quantities AS integer[])) AS line(sku, quantity) "
          "ON CONFLICT (order_id, sku) DO UPDATE SET quantity = EXCLUDED.quantity")
# One order is confirmed once, for one total; should two confirmations ever disagree, the
# earliest one's total counts, whichever arrived first.
_CONFIRMED = _ORDER.format(
    columns="confirmed_at, total_minor, currency",
    values=f"{_AT}, CAST(:total_minor AS bigint), CAST(:currency AS varchar)",
    updates="total_minor = CASE WHEN reporting.orders.confirmed_at IS NULL "
            "OR EXCLUDED.confirmed_at < reporting.orders.confirmed_at THEN EXCLUDED.total_minor "
            "ELSE reporting.orders.total_minor END, "
            "currency = CASE WHEN reporting.orders.confirmed_at IS NULL "
            "OR EXCLUDED.confirmed_at < reporting.orders.confirmed_at THEN EXCLUDED.currency "
            "ELSE reporting.orders.currency END, " + _earliest("confirmed_at"))
_CANCELLED = _ORDER.format(
    columns="cancelled_at, cancel_reason", values=f"{_AT}, CAST(:reason AS text)",
    updates="cancel_reason = CASE WHEN reporting.orders.cancelled_at IS NULL "
            "OR EXCLUDED.cancelled_at < reporting.orders.cancelled_at THEN EXCLUDED.cancel_reason "
            "ELSE reporting.orders.cancel_reason END, " + _earliest("cancelled_at"))
_REFUNDED = _ORDER.format(columns="refunded_at", values=_AT, updates=_earliest("refunded_at"))
_PAYMENT = (
    "INSERT INTO reporting.payments (payment_id, order_id, outcome, amount_minor, currency, code, at) "
    "SELECT CAST(:payment_id AS uuid), CAST(:order_id AS uuid), CAST(:outcome AS text), "
    "CAST(:amount_minor AS bigint), CAST(:currency AS varchar), CAST(:code AS text), "
    f"{_AT} FROM recorded "
    "ON CONFLICT (payment_id) DO UPDATE SET outcome = EXCLUDED.outcome, amount_minor = EXCLUDED.amount_minor, "
    "currency = EXCLUDED.currency, code = EXCLUDED.code, at = EXCLUDED.at "
    # completed beats failed; between equals, the earlier one
    "WHERE (EXCLUDED.outcome = 'completed') > (reporting.payments.outcome = 'completed') "
    "OR (EXCLUDED.outcome = reporting.payments.outcome AND EXCLUDED.at < reporting.payments.at)")
_STOCK = (
    "INSERT INTO reporting.stock (sku, on_hand, reserved, available, version, changed_at) "
    "SELECT CAST(:sku AS text), CAST(:on_hand AS integer), CAST(:reserved AS integer), "
    "CAST(:available AS integer), CAST(:version AS bigint), CAST(:changed_at AS timestamptz) FROM recorded "
    "ON CONFLICT (sku) DO UPDATE SET on_hand = EXCLUDED.on_hand, reserved = EXCLUDED.reserved, "
    "available = EXCLUDED.available, version = EXCLUDED.version, changed_at = EXCLUDED.changed_at "
    "WHERE EXCLUDED.version > reporting.stock.version")


# A dead letter is kept once per event and subscriber, with the time it first came: a forward the
# sink sends again, or the same event dead-lettered again after a replay, adds nothing.
_DEAD_LETTER = text(
    "INSERT INTO reporting.dead_letters (event_source, event_id, dest, event_type, subject, code, error) "
    "VALUES (:source, :id, :dest, :type, :subject, :code, :error) "
    "ON CONFLICT (event_source, event_id, dest) DO NOTHING RETURNING 1")


def order_placed(data: events.OrderPlaced) -> Effect:
    quantities = {line.sku: line.quantity for line in data.lines}  # a SKU twice: the last line, as before
    return Effect((_PLACED, _LINES), {"order_id": data.order_id, "user_id": data.user_id, "at": data.placed_at,
                                      "skus": list(quantities), "quantities": list(quantities.values())})


def order_confirmed(data: events.OrderConfirmed) -> Effect:
    return Effect((_CONFIRMED,), {"order_id": data.order_id, "user_id": data.user_id, "at": data.confirmed_at,
                                  "total_minor": data.total_minor, "currency": data.currency})


def order_cancelled(data: events.OrderCancelled) -> Effect:
    return Effect((_CANCELLED,), {"order_id": data.order_id, "user_id": data.user_id, "at": data.cancelled_at,
                                  "reason": data.reason})


def order_refunded(data: events.OrderRefunded) -> Effect:
    return Effect((_REFUNDED,), {"order_id": data.order_id, "user_id": data.user_id, "at": data.refunded_at})


def payment_completed(data: events.PaymentCompleted) -> Effect:
    return Effect((_PAYMENT,), {"payment_id": data.payment_id, "order_id": data.order_id, "outcome": "completed",
                                "amount_minor": data.amount_minor, "currency": data.currency, "code": None,
                                "at": data.completed_at})


def payment_failed(data: events.PaymentFailed) -> Effect:
    return Effect((_PAYMENT,), {"payment_id": data.payment_id, "order_id": data.order_id, "outcome": "failed",
                                "amount_minor": None, "currency": None, "code": data.code, "at": data.failed_at})


def stock_changed(data: events.StockChanged) -> Effect:
    return Effect((_STOCK,), data.model_dump())


def dead_lettered(conn: Connection, dead: DeadLetter) -> bool:
    """Keep a dead letter; return whether it was new. Not a domain event, so not in PROJECTORS:
    the rebuild replays outboxes and leaves these rows, which only the sink's forwards write."""
    return conn.execute(_DEAD_LETTER, {"source": dead.source, "id": dead.id, "dest": dead.dest, "type": dead.type,
                                       "subject": dead.subject, "code": dead.code,
                                       "error": dead.error}).first() is not None


# Event type -> (its data, its use case): the handlers and the rebuild share this one table.
PROJECTORS = {
    events.ORDER_PLACED: (events.OrderPlaced, order_placed),
    events.ORDER_CONFIRMED: (events.OrderConfirmed, order_confirmed),
    events.ORDER_CANCELLED: (events.OrderCancelled, order_cancelled),
    events.ORDER_REFUNDED: (events.OrderRefunded, order_refunded),
    events.PAYMENT_COMPLETED: (events.PaymentCompleted, payment_completed),
    events.PAYMENT_FAILED: (events.PaymentFailed, payment_failed),
    events.STOCK_CHANGED: (events.StockChanged, stock_changed),
}
