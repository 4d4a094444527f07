"""`make verify` finds each kind of violation it is for, and nothing in a consistent database.

Each test writes, as the migration role, the rows of one broken invariant into a database of
its own (some need a constraint dropped first: the schema itself forbids them, and the checker
is the second line), then runs the checker as the read-only role.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from localrun.dev.scratch import scratch_database
from localrun.verify import verify
from schemas.migrate import READER, role_url
from tests.conftest import ADMIN_URL


@pytest.fixture
def db() -> Iterator[tuple[str, object]]:
    with scratch_database(ADMIN_URL, "verify") as url:
        engine = create_engine(url)
        yield url, engine
        engine.dispose()


def checks(url: str) -> set[str]:
    return {v.check for v in verify(url, grace_seconds=0)}


def order(conn, status: str, total: int = 1000, cancel_reason: str | None = None,
          payment_id: uuid.UUID | None = None, placed: str = "now()") -> uuid.UUID:
    order_id = uuid.uuid4()
    conn.execute(text(
        "INSERT INTO orders.orders (id, user_id, status, cancel_reason, currency, subtotal_minor, shipping_minor, "
        f"tax_minor, total_minor, shipping_address, payment_id, placed_at, updated_at) VALUES (:id, :u, :s, :r, "
        f"'USD', :t, 0, 0, :t, '{{}}', :p, {placed}, now() - interval '1 second')"),
        {"id": order_id, "u": uuid.uuid4(), "s": status, "r": cancel_reason, "t": total, "p": payment_id})
    return order_id


def payment(conn, order_id: uuid.UUID, status: str = "completed", amount: int = 1000) -> uuid.UUID:
    payment_id = uuid.uuid4()
    conn.execute(text(
        "INSERT INTO payments.payments (id, order_id, user_id, status, amount_minor, currency, token, "
        "idempotency_key, fingerprint, refunded_minor) VALUES (:id, :o, :u, :s, :a, 'USD', 'tok_visa', :k, "
        "'\\x00', :r)"), {"id": payment_id, "o": order_id, "u": uuid.uuid4(), "s": status, "a": amount,
                         "k": str(uuid.uuid4()), "r": amount if status == "refunded" else 0})
    return payment_id


def warehouse(conn) -> uuid.UUID:
    warehouse_id = uuid.uuid4()
    conn.execute(text("INSERT INTO inventory.warehouses (id, code, name) VALUES (:id, :c, 'W')"),
                 {"id": warehouse_id, "c": f"W{uuid.uuid4().hex[:6].upper()}"})
    return warehouse_id


def level(conn, warehouse_id, sku: str, on_hand: int, reserved: int, ledger: bool = True) -> None:
    conn.execute(text("INSERT INTO inventory.stock_levels (id, warehouse_id, sku, on_hand, reserved) "
                      "VALUES (gen_random_uuid(), :w, :s, :h, :r)"),
                 {"w": warehouse_id, "s": sku, "h": on_hand, "r": reserved})
    if ledger:
        movement(conn, warehouse_id, sku, "receipt", on_hand, 0)
        if reserved:
            movement(conn, warehouse_id, sku, "reservation", 0, reserved)


def movement(conn, warehouse_id, sku: str, cause: str, on_hand: int, reserved: int, order_id=None) -> None:
    conn.execute(text("INSERT INTO inventory.stock_movements (warehouse_id, sku, cause, on_hand_delta, "
                      "reserved_delta, order_id) VALUES (:w, :s, :c, :h, :r, :o)"),
                 {"w": warehouse_id, "s": sku, "c": cause, "h": on_hand, "r": reserved, "o": order_id})


def hold(conn, order_id, warehouse_id, sku: str, quantity: int, state: str) -> None:
    conn.execute(text("INSERT INTO inventory.order_decisions (order_id, outcome) VALUES (:o, 'reserved') "
                      "ON CONFLICT DO NOTHING"), {"o": order_id})
    conn.execute(text("INSERT INTO inventory.reservations (id, order_id, sku, warehouse_id, quantity, state, "
                      "expires_at) VALUES (gen_random_uuid(), :o, :s, :w, :q, :st, now())"),
                 {"o": order_id, "s": sku, "w": warehouse_id, "q": quantity, "st": state})


def test_a_consistent_checkout_is_clean_and_the_reader_cannot_write(db):
    url, engine = db
    with engine.begin() as conn:
        w = warehouse(conn)
        level(conn, w, "SKU-1", 5, 0)
        o = order(conn, "pending")  # placed just now: not left pending
        conn.execute(text("UPDATE orders.orders SET status = 'confirmed', payment_id = :p WHERE id = :o"),
                     {"p": payment(conn, o), "o": o})
        hold(conn, o, w, "SKU-1", 2, "committed")
        movement(conn, w, "SKU-1", "reservation", 0, 2, o)
        movement(conn, w, "SKU-1", "commit", -2, -2, o)
        conn.execute(text("UPDATE inventory.stock_levels SET on_hand = 3"))
    assert checks(url) == set()
    reader = create_engine(role_url(url, READER))
    with reader.connect() as conn, pytest.raises(ProgrammingError):
        conn.execute(text("DELETE FROM orders.orders"))
    reader.dispose()


def test_a_paid_order_without_its_payment_or_for_another_amount(db):
    url, engine = db
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE orders.orders DROP CONSTRAINT orders_paid_by_a_payment"))
        order(conn, "confirmed")
        o = order(conn, "pending")
        conn.execute(text("UPDATE orders.orders SET status = 'shipped', payment_id = :p WHERE id = :o"),
                     {"p": payment(conn, o, amount=999), "o": o})
    found = verify(url, grace_seconds=0)
    assert [v.check for v in found].count("paid order without one completed payment of its exact total") == 2


def test_a_refunded_order_whose_payment_was_not_refunded(db):
    url, engine = db
    with engine.begin() as conn:
        o = order(conn, "pending")
        conn.execute(text("UPDATE orders.orders SET status = 'refunded', payment_id = :p WHERE id = :o"),
                     {"p": payment(conn, o), "o": o})
    assert "paid order without one completed payment of its exact total" in checks(url)


def test_two_captures_for_one_order(db):
    url, engine = db
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX payments.payments_one_taken_per_order"))
        o = order(conn, "cancelled", cancel_reason="customer")
        for _ in range(2):
            p = payment(conn, o, status="refunded")
            conn.execute(text("INSERT INTO payments.transactions (payment_id, kind, provider_key, outcome, "
                              "amount_minor) VALUES (:p, 'capture', :k, 'succeeded', 1000)"),
                         {"p": p, "k": f"{p}:capture"})
    assert "two captures for one order" in checks(url)


def test_a_payment_kept_for_a_cancelled_order(db):
    url, engine = db
    with engine.begin() as conn:
        payment(conn, order(conn, "cancelled", cancel_reason="payment_timeout"))
    assert checks(url) == {"payment taken for a cancelled order and not refunded"}


def test_a_ledger_that_does_not_sum_and_a_reservation_committed_twice(db):
    url, engine = db
    with engine.begin() as conn:
        w = warehouse(conn)
        level(conn, w, "SKU-1", 5, 0, ledger=False)
        o = order(conn, "pending")
        conn.execute(text("UPDATE orders.orders SET status = 'confirmed', payment_id = :p WHERE id = :o"),
                     {"p": payment(conn, o), "o": o})
        level(conn, w, "SKU-2", 10, 0)
        hold(conn, o, w, "SKU-2", 1, "committed")
        for _ in range(2):
            movement(conn, w, "SKU-2", "commit", -1, 0, o)
        conn.execute(text("UPDATE inventory.stock_levels SET on_hand = 8 WHERE sku = 'SKU-2'"))
    assert checks(url) == {"ledger does not sum to the stock level", "reservation committed twice"}


def test_stock_oversold_despite_the_check(db):
    url, engine = db
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE inventory.stock_levels DROP CONSTRAINT stock_levels_reserved_within_on_hand"))
        w = warehouse(conn)
        level(conn, w, "SKU-1", 1, 2)
    assert "stock oversold" in checks(url)


def test_stock_left_uncommitted_or_held_and_an_order_left_pending(db):
    url, engine = db
    with engine.begin() as conn:
        w = warehouse(conn)
        level(conn, w, "SKU-1", 5, 2)
        confirmed = order(conn, "pending")
        conn.execute(text("UPDATE orders.orders SET status = 'confirmed', payment_id = :p WHERE id = :o"),
                     {"p": payment(conn, confirmed), "o": confirmed})
        hold(conn, confirmed, w, "SKU-1", 1, "held")
        hold(conn, order(conn, "cancelled", cancel_reason="customer"), w, "SKU-1", 1, "held")
        order(conn, "pending", placed="now() - interval '5 minutes'")
    assert checks(url) == {"confirmed order whose stock is not committed", "cancelled order still holding stock",
                           "order left pending"}
    assert verify(url, grace_seconds=3600) == []  # nothing settled an hour ago


def test_an_outbox_row_unsent_for_over_a_minute_and_dead_letters(db):
    url, engine = db
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO orders.outbox (id, type, source, subject, data, created_at) VALUES "
                          "(gen_random_uuid(), 't', 's', 'x', '{}', now() - interval '2 minutes')"))
        conn.execute(text("INSERT INTO orders.outbox (id, type, source, subject, data) VALUES "
                          "(gen_random_uuid(), 't', 's', 'y', '{}')"))  # just written: the relay has time
    assert checks(url) == {"orders outbox rows older than a minute unsent"}

    class DeadLetter:
        attributes = {"type": "com.ecom.orders.order.placed", "id": "e1", "subject": "o1", "knativeerrorcode": "400"}

    found = verify(url, grace_seconds=0, dead_letters=lambda: [DeadLetter()])
    assert [str(v) for v in found if v.check == "dead letter"] == [
        "dead letter: type=com.ecom.orders.order.placed, id=e1, subject=o1, knativeerrorcode=400"]
