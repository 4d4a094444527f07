"""Paying an order, and giving money back: one payment per order, never charged twice.

A payment is made in three steps, so that no transaction stays open while the provider thinks:

1. **open** (a transaction, under the order's lock): the Idempotency-Key's first answer is
   replayed if there is one; the order is asked of orders (the caller's own, awaiting payment:
   the amount is its total); a payment row `processing` is written, leased to this request.
   The unique index on (order_id) for processing, completed or refunded payments makes a second
   payment of one order impossible, whatever key it comes with.
2. **ask the provider** (no transaction): authorize, then capture, each with its provider-side
   key (`<payment id>:authorize`, `:capture`), retried with the same key while it times out.
3. **settle** (a transaction, under the order's lock): every call made becomes a `transactions`
   row, the payment becomes completed or failed, its event goes to the outbox and the answer is
   remembered for the key. If orders cancelled the order meanwhile (`cancelled_orders`, fed by
   its events), the capture is refunded at once and the answer says so.

A request cut short between 1 and 3 (a crash, the provider silent three times) leaves the payment
`processing`; its lease runs out, and the same request sent again (same key) takes it over and
asks the provider again with the same keys, which answers what it did the first time. Nothing
is charged twice, and what was charged is recorded. If nobody sends it again, the order's
cancellation (its reservation lapses) settles it the same way (`settle_cancelled_order`).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from sqlalchemy import Connection, and_, exists, insert, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert

from functions.payments import model
from functions.payments.adapters.orders import order_to_pay
from functions.payments.adapters.provider import Authorized, Declined, Provider, ProviderTimeout, Settled
from functions.payments.events import PAYMENT_COMPLETED, PAYMENT_FAILED, PAYMENT_REFUNDED
from functions.payments.tables import cancelled_orders, payment_methods, payments, transactions
from functions.payments.views import payment_view
from functions.runtime import idempotency
from functions.runtime.db import UnitOfWork, unit_of_work
from functions.runtime.errors import Problem
from functions.runtime.exceptions import Conflict, InvalidInput, NotFound, Unavailable
from functions.runtime.rows import insert_rows

if TYPE_CHECKING:
    from functions.payments.commands import MakePayment, RefundPayment

T = TypeVar("T")
PAYMENTS_PATH = "/api/payments"


@dataclass
class Attempt:
    """A payment being made: what the provider is to be asked."""

    row: dict[str, Any]

    @property
    def id(self) -> UUID:
        return self.row["id"]


@dataclass
class Outcome:
    """What the provider answered, and every call it took (for `transactions`)."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    authorized: Authorized | None = None
    declined: Declined | None = None
    captured: Settled | None = None

    @property
    def known(self) -> bool:
        return self.declined is not None or self.captured is not None


def lock_order(conn: Connection, order_id: UUID) -> None:
    # Payments keeps no row per order before its first payment: a transaction-scoped advisory
    # lock on the order id makes every payment, refund and cancellation of one order take turns.
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:order_id, 1))"),
                 {"order_id": str(order_id)})


# ---------------------------------------------------------------------------------------------
# POST /api/payments

def pay(user_id: UUID, authorization: str, cmd: MakePayment, key: idempotency.Key,
        provider: Provider) -> tuple[idempotency.Replay, bool]:
    """Return (the answer, whether it replays an earlier request with this key)."""
    model.check_one_way_to_pay(cmd.payment_method_id, cmd.token)
    opened = _open(user_id, authorization, cmd, key)
    if isinstance(opened, idempotency.Replay):
        return opened, True
    outcome = ask_provider(provider, opened)
    with unit_of_work(actor=str(user_id)) as uow:
        lock_order(uow.conn, cmd.order_id)
        # Read under the lock, in one statement: the payment's status and whether the order was
        # cancelled while the provider was asked.
        status, cancelled = uow.conn.execute(select(
            payments.c.status, exists().where(cancelled_orders.c.order_id == cmd.order_id))
            .where(payments.c.id == opened.id)).one()
        if status != model.PROCESSING:  # a retry that took over after our lease ran out settled it
            replay = idempotency.find(uow.conn, uow.domain, user_id, key)
            if replay is None:
                raise Conflict("This payment was settled by another request; look at the order's payments.",
                               idempotency.HEADER)
            return replay, True
        answer = settle(uow, opened, outcome, provider, order_cancelled=cancelled)
        if answer is None:  # the provider never answered: leave it for a retry with this key
            uow.commit()
            raise Unavailable("The payment provider did not answer. Send the same request again, with the "
                              "same Idempotency-Key: it will not be charged twice.")
        idempotency.remember(uow.conn, uow.domain, user_id, key, answer.status, answer.body, answer.location)
        uow.commit()
    return answer, False


def _open(user_id: UUID, authorization: str, cmd: MakePayment,
          key: idempotency.Key) -> Attempt | idempotency.Replay:
    now = datetime.now(timezone.utc)
    with unit_of_work(actor=str(user_id)) as uow:
        conn = uow.conn
        lock_order(conn, cmd.order_id)
        if replay := idempotency.find(conn, uow.domain, user_id, key):
            return replay
        p = payments
        rows = conn.execute(select(p).where(or_(
            and_(p.c.user_id == user_id, p.c.idempotency_key == key.value),
            and_(p.c.order_id == cmd.order_id, p.c.status.in_(model.TAKEN))))).mappings().all()
        mine = next((r for r in rows if r["user_id"] == user_id and r["idempotency_key"] == key.value), None)
        if mine is not None:
            attempt = _take_over(conn, mine, key, now)
            uow.commit()
            return attempt
        if taken := next(iter(rows), None):
            if taken["status"] == model.PROCESSING:
                raise Conflict("Another payment of this order is being made: wait for it, then look at the "
                               "order's payments.", "order_id")
            raise Conflict("The order is paid already.", "order_id")
        if _is_cancelled(conn, cmd.order_id):
            raise Conflict("The order is cancelled: it cannot be paid.", "order_id")
        order = order_to_pay(authorization, cmd.order_id)
        model.check_payable(order.status)
        token, brand, last4 = _how_to_pay(conn, user_id, cmd)
        row = conn.execute(insert(payments).values(
            id=uuid.uuid4(), order_id=cmd.order_id, user_id=user_id, status=model.PROCESSING,
            amount_minor=order.total_minor, currency=order.currency, method_id=cmd.payment_method_id,
            token=token, brand=brand, last4=last4, idempotency_key=key.value, fingerprint=key.fingerprint,
            lease_until=now + timedelta(seconds=model.LEASE_SECONDS)).returning(payments)).mappings().one()
        uow.commit()
        return Attempt(dict(row))


def _take_over(conn: Connection, row: Any, key: idempotency.Key, now: datetime) -> Attempt:
    """Resume a payment this key began and did not settle: only once its lease ran out."""
    if bytes(row["fingerprint"]) != key.fingerprint:
        raise InvalidInput.of(idempotency.HEADER, "was used for a different request: a new request needs a new key")
    if row["lease_until"] is not None and row["lease_until"] > now:
        raise Conflict("A request with this Idempotency-Key is still being processed: send it again shortly.",
                       idempotency.HEADER)
    taken = conn.execute(update(payments).where(payments.c.id == row["id"])
                         .values(lease_until=now + timedelta(seconds=model.LEASE_SECONDS))
                         .returning(payments)).mappings().one()
    return Attempt(dict(taken))


def _how_to_pay(conn: Connection, user_id: UUID, cmd: MakePayment) -> tuple[str, str | None, str | None]:
    """The provider token to charge, with the card's brand and last four when they are known now."""
    if cmd.token is not None:
        return cmd.token, None, None  # the provider tells the brand and last four
    m = payment_methods
    method = conn.execute(select(m.c.token, m.c.brand, m.c.last4)
                          .where(m.c.id == cmd.payment_method_id, m.c.user_id == user_id)).first()
    if method is None:
        raise InvalidInput.of("payment_method_id", "names none of your saved payment methods")
    return method.token, method.brand, method.last4


def ask_provider(provider: Provider, attempt: Attempt, pause: float = 0.05) -> Outcome:
    """Authorize and capture the payment's amount; every call (timeouts too) is in `calls`."""
    row, outcome = attempt.row, Outcome()
    amount, pid = row["amount_minor"], row["id"]
    answer = _with_retries(outcome, "authorize", f"{pid}:authorize", amount, pause,
                           lambda key: provider.authorize(key, row["token"], amount, row["currency"]))
    if answer is None:
        return outcome
    if isinstance(answer, Declined):
        outcome.declined = answer
        outcome.calls[-1].update(outcome="declined", code=answer.code)
        return outcome
    outcome.authorized = answer
    outcome.calls[-1]["provider_ref"] = answer.ref
    outcome.captured = _with_retries(outcome, "capture", f"{pid}:capture", amount, pause,
                                     lambda key: provider.capture(key, answer.ref, amount))
    if outcome.captured is not None:
        outcome.calls[-1]["provider_ref"] = outcome.captured.ref
    return outcome


def _with_retries(outcome: Outcome, kind: str, key: str, amount: int, pause: float,
                  call: Callable[[str], T]) -> T | None:
    """Call the provider with `key` until it answers, at most PROVIDER_ATTEMPTS times; None if it never did."""
    for attempt in range(model.PROVIDER_ATTEMPTS):
        try:
            answer = call(key)
        except ProviderTimeout:
            outcome.calls.append({"kind": kind, "provider_key": key, "outcome": "timeout", "amount_minor": amount})
            time.sleep(pause * (attempt + 1))
            continue
        outcome.calls.append({"kind": kind, "provider_key": key, "outcome": "succeeded", "amount_minor": amount})
        return answer
    return None


def settle(uow: UnitOfWork, attempt: Attempt, outcome: Outcome, provider: Provider, *,
           order_cancelled: bool) -> idempotency.Replay | None:
    """Record what the provider did and settle the payment; None while its outcome is unknown.

    The caller holds the order's lock, and read under it whether the order is cancelled (a
    capture for a cancelled order is refunded at once).
    """
    conn, row = uow.conn, attempt.row
    _record_calls(conn, attempt.id, outcome.calls)
    if not outcome.known:
        conn.execute(update(payments).where(payments.c.id == attempt.id).values(lease_until=None))
        return None
    now = datetime.now(timezone.utc)
    if outcome.declined is not None:
        failed = _set(conn, attempt.id, status=model.FAILED, failure_code=outcome.declined.code,
                      failure_message=outcome.declined.message, lease_until=None)
        uow.business_event("payment_failed", reason=outcome.declined.code)
        uow.emit(PAYMENT_FAILED, str(row["order_id"]), {
            "payment_id": attempt.id, "order_id": row["order_id"], "user_id": row["user_id"],
            "code": outcome.declined.code, "message": outcome.declined.message, "failed_at": now})
        problem = Problem(402, "payment-declined", "Payment declined", outcome.declined.message,
                          extra={"code": outcome.declined.code, "payment_id": str(failed["id"])})
        return idempotency.Replay(402, problem.to_json(PAYMENTS_PATH), None)
    assert outcome.authorized is not None
    paid = _set(conn, attempt.id, status=model.COMPLETED, brand=outcome.authorized.brand,
                last4=outcome.authorized.last4, completed_at=now, lease_until=None)
    uow.business_event("payment_completed", amount_minor=paid["amount_minor"], currency=paid["currency"])
    uow.emit(PAYMENT_COMPLETED, str(row["order_id"]), {
        "payment_id": attempt.id, "order_id": row["order_id"], "user_id": row["user_id"],
        "amount_minor": paid["amount_minor"], "currency": paid["currency"], "completed_at": now})
    location = f"{PAYMENTS_PATH}/{attempt.id}"
    if order_cancelled:
        refund(uow, paid, paid["amount_minor"], "order_cancelled", f"{attempt.id}:refund:order-cancelled", provider)
        problem = Problem(409, "conflict", "Conflicts with the current state",
                          "The order was cancelled while it was being paid: the payment was refunded in full.")
        return idempotency.Replay(409, problem.to_json(PAYMENTS_PATH), location)
    return idempotency.Replay(201, payment_view(paid), location)


# What a provider call may leave unsaid: a multi-row INSERT needs the same columns in every row.
_UNSAID = {"provider_ref": None, "code": None, "reason": None}


def _record_calls(conn: Connection, payment_id: UUID, calls: list[dict[str, Any]]) -> None:
    if calls:  # one INSERT of every call (a list of parameters would be one statement per call)
        conn.execute(insert_rows(transactions, [_UNSAID | call | {"payment_id": payment_id} for call in calls]))


def _set(conn: Connection, payment_id: UUID, **values: Any) -> dict[str, Any]:
    return dict(conn.execute(update(payments).where(payments.c.id == payment_id)
                             .values(updated_at=datetime.now(timezone.utc), **values)
                             .returning(payments)).mappings().one())


def _is_cancelled(conn: Connection, order_id: UUID) -> bool:
    return conn.scalar(select(cancelled_orders.c.order_id).where(cancelled_orders.c.order_id == order_id)) is not None


# ---------------------------------------------------------------------------------------------
# Refunds: an admin's (POST /api/admin/payments/{id}/refund) and the automatic one

def refund(uow: UnitOfWork, paid: dict[str, Any], amount: int, reason: str, provider_key: str,
           provider: Provider) -> dict[str, Any]:
    """Give `amount` of a completed payment back through the provider; emit payment.refunded.

    The caller holds the order's lock and has checked the amount (model.refundable).
    """
    conn, pid = uow.conn, paid["id"]
    capture = conn.scalar(select(transactions.c.provider_ref).where(
        transactions.c.payment_id == pid, transactions.c.kind == "capture", transactions.c.outcome == "succeeded"))
    outcome = Outcome()
    settled = _with_retries(outcome, "refund", provider_key, amount, 0.05,
                            lambda key: provider.refund(key, capture, amount))
    for call in outcome.calls:
        call["reason"] = reason
    if settled is not None:
        outcome.calls[-1]["provider_ref"] = settled.ref
    _record_calls(conn, pid, outcome.calls)
    if settled is None:
        raise Unavailable("The payment provider did not answer the refund; send it again with the same "
                          "Idempotency-Key: it will not be refunded twice.")
    refunded = paid["refunded_minor"] + amount
    row = _set(conn, pid, refunded_minor=refunded,
               status=model.REFUNDED if refunded == paid["amount_minor"] else model.COMPLETED)
    uow.emit(PAYMENT_REFUNDED, str(paid["order_id"]), {
        "payment_id": pid, "order_id": paid["order_id"], "user_id": paid["user_id"],
        "amount_minor": amount, "refunded_minor": refunded, "captured_minor": paid["amount_minor"],
        "currency": paid["currency"], "fully_refunded": refunded == paid["amount_minor"], "reason": reason,
        "refunded_at": row["updated_at"]})
    return row


def refund_by_admin(admin_id: UUID, payment_id: UUID, cmd: RefundPayment, key: idempotency.Key,
                    provider: Provider) -> tuple[idempotency.Replay, bool]:
    with unit_of_work(actor=str(admin_id)) as uow:
        conn = uow.conn
        order_id = conn.scalar(select(payments.c.order_id).where(payments.c.id == payment_id))
        if order_id is None:
            raise NotFound("Payment", str(payment_id))
        lock_order(conn, order_id)
        if replay := idempotency.find(conn, uow.domain, admin_id, key):
            return replay, True
        paid = dict(conn.execute(select(payments).where(payments.c.id == payment_id)).mappings().one())
        amount = model.refundable(paid["amount_minor"], paid["refunded_minor"], paid["status"], cmd.amount_minor)
        # The provider key is the admin's request: the same request again is the same refund.
        digest = hashlib.sha256(f"{admin_id}\n{key.value}".encode()).hexdigest()[:32]
        row = refund(uow, paid, amount, cmd.reason or "admin", f"{payment_id}:refund:{digest}", provider)
        uow.audit("payment.refund", payment_id, {"amount_minor": amount, "reason": cmd.reason})
        answer = idempotency.Replay(200, payment_view(row), None)
        idempotency.remember(conn, uow.domain, admin_id, key, answer.status, answer.body)
        uow.commit()
    return answer, False


# ---------------------------------------------------------------------------------------------
# com.ecom.orders.order.cancelled

def settle_cancelled_order(uow: UnitOfWork, order_id: UUID, cancelled_at: datetime, provider: Provider) -> None:
    """The order is cancelled: remember it, and give back whatever was taken for it.

    A payment completed for it is refunded in full. One still `processing` whose request is gone
    (its lease ran out) is settled here, with the same provider keys, then refunded if it was
    captured; one whose request is still running refunds itself when it settles (it sees the
    cancellation under the same lock).
    """
    conn = uow.conn
    lock_order(conn, order_id)
    conn.execute(upsert(cancelled_orders).values(order_id=order_id, cancelled_at=cancelled_at)
                 .on_conflict_do_nothing())
    now = datetime.now(timezone.utc)
    rows = conn.execute(select(payments).where(payments.c.order_id == order_id,
                                               payments.c.status.in_((model.PROCESSING, model.COMPLETED)))
                        ).mappings().all()
    for row in rows:
        if row["status"] == model.PROCESSING:
            if row["lease_until"] is not None and row["lease_until"] > now:
                continue  # its request settles it, and sees the cancellation
            attempt = Attempt(dict(row))
            answer = settle(uow, attempt, ask_provider(provider, attempt), provider,  # refunds a capture
                            order_cancelled=True)
            if answer is not None:  # the request's key, sent again, gets this answer
                key = idempotency.Key(row["idempotency_key"], bytes(row["fingerprint"]))
                idempotency.remember(conn, uow.domain, row["user_id"], key, answer.status, answer.body,
                                     answer.location)
            continue
        if row["refunded_minor"] < row["amount_minor"]:
            refund(uow, dict(row), row["amount_minor"] - row["refunded_minor"], "order_cancelled",
                   f"{row['id']}:refund:order-cancelled", provider)


# ---------------------------------------------------------------------------------------------
# Reads

def payment_detail(conn: Connection, payment_id: UUID, owner: UUID | None) -> dict[str, Any]:
    """One payment; someone else's is a 404 (owner None: an admin's read)."""
    query = select(payments).where(payments.c.id == payment_id)
    if owner is not None:
        query = query.where(payments.c.user_id == owner)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise NotFound("Payment", str(payment_id))
    return payment_view(row)


def order_payments(conn: Connection, order_id: UUID, owner: UUID | None) -> dict[str, Any]:
    """The order's payments, oldest first. Only its payer (or an admin) sees them: to anyone
    else an order with payments is a 404, and one without has none to show."""
    from functions.runtime.paging import envelope

    rows = conn.execute(select(payments).where(payments.c.order_id == order_id)
                        .order_by(payments.c.created_at, payments.c.id)).mappings().all()
    if owner is not None and any(row["user_id"] != owner for row in rows):
        raise NotFound("Order", str(order_id))
    items = [payment_view(row) for row in rows]
    return envelope(items, len(items), 1, max(len(items), 1))
