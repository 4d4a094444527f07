"""The sales projection fed through its deployed handlers: idempotent (the inbox) and the same
whatever order its events arrive in; the admin report over it."""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent
from sqlalchemy import text

from tests.integration.reporting.conftest import assert_problem

# A day of its own for each test (the session's database is fresh), so its figures are its own.
_DAY = itertools.count()


def day() -> datetime:
    return datetime(2031, 1, 1, tzinfo=timezone.utc) + timedelta(days=next(_DAY) * 3)


HANDLER = {
    "order.placed": "on_order_placed", "order.confirmed": "on_order_confirmed",
    "order.cancelled": "on_order_cancelled", "order.refunded": "on_order_refunded",
    "payment.completed": "on_payment_completed", "payment.failed": "on_payment_failed",
    "stock.changed": "on_stock_changed",
}
DOMAIN = {"order": "orders", "payment": "payments", "stock": "inventory"}


def event(kind: str, data: dict) -> CloudEvent:
    domain = DOMAIN[kind.split(".")[0]]
    return CloudEvent({"type": f"com.ecom.{domain}.{kind}", "source": f"/ecom/{domain}/test",
                       "id": str(uuid.uuid4()), "datacontenttype": "application/json"}, data)


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def checkout(start: datetime, sku: str, quantity: int, total: int, currency: str = "USD", *,
             outcome: str = "confirmed") -> list[CloudEvent]:
    """The events of one order: placed, then confirmed and paid, cancelled, or refunded."""
    order, user, payment = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    found = [event("order.placed", {"order_id": order, "user_id": user, "placed_at": iso(start),
                                    "lines": [{"sku": sku, "quantity": quantity}]})]
    if outcome == "cancelled":
        found.append(event("payment.failed", {
            "payment_id": payment, "order_id": order, "user_id": user, "code": "card_declined",
            "message": "Declined", "failed_at": iso(start + timedelta(minutes=1))}))
        found.append(event("order.cancelled", {"order_id": order, "user_id": user, "reason": "customer",
                                               "cancelled_at": iso(start + timedelta(minutes=2))}))
        return found
    found.append(event("payment.completed", {
        "payment_id": payment, "order_id": order, "user_id": user, "amount_minor": total, "currency": currency,
        "completed_at": iso(start + timedelta(minutes=1))}))
    found.append(event("order.confirmed", {
        "order_id": order, "user_id": user, "payment_id": payment, "total_minor": total, "currency": currency,
        "confirmed_at": iso(start + timedelta(minutes=1))}))
    if outcome == "refunded":
        found.append(event("order.refunded", {"order_id": order, "user_id": user, "restock": True,
                                              "refunded_at": iso(start + timedelta(hours=1, minutes=5))}))
    return found


@pytest.fixture
def deliver(client_for):
    def _deliver(ce: CloudEvent):
        headers, body = to_binary(ce)
        target = HANDLER[ce["type"].split(".", 3)[3]]
        return client_for(target).post("/", headers=headers, data=body)

    return _deliver


def report(client_for, admin_headers, **query) -> dict:
    response = client_for("admin_sales_report").get("/api/admin/reports/sales", query_string=query,
                                                    headers=admin_headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def sku() -> str:
    return f"R-{uuid.uuid4().hex[:10].upper()}"


def test_a_day_of_orders_is_counted_per_hour_and_per_day_by_currency(client_for, deliver, admin_headers):
    start, a, b = day(), sku(), sku()
    stream = (checkout(start + timedelta(hours=1), a, 2, 5000) + checkout(start + timedelta(hours=1), b, 1, 1500)
              + checkout(start + timedelta(hours=3), a, 3, 7000, "EUR")
              + checkout(start + timedelta(hours=3), b, 1, 900, outcome="cancelled")
              + checkout(start + timedelta(hours=5), b, 4, 4000, outcome="refunded"))
    for ce in stream:
        assert deliver(ce).get_json()["status"] == "processed"
    hourly = report(client_for, admin_headers, **{"from": iso(start), "to": iso(start + timedelta(days=1)),
                                                  "bucket": "hour"})
    assert len(hourly["series"]) == 24 and hourly["series"][0]["start"] == iso(start)
    by_hour = {datetime.fromisoformat(p["start"]).hour: p for p in hourly["series"]}
    assert by_hour[1]["placed"] == 2 and by_hour[1]["confirmed"] == 2
    assert by_hour[1]["revenue"] == [{"amount_minor": 6500, "currency": "USD"}]
    assert by_hour[3]["placed"] == 2 and by_hour[3]["cancelled"] == 1 and by_hour[3]["payments_failed"] == 1
    assert by_hour[3]["revenue"] == [{"amount_minor": 7000, "currency": "EUR"}]
    assert by_hour[6]["refunded"] == 1 and by_hour[6]["refunds"] == [{"amount_minor": 4000, "currency": "USD"}]
    assert hourly["totals"]["revenue"] == [{"amount_minor": 7000, "currency": "EUR"},
                                           {"amount_minor": 10500, "currency": "USD"}]
    assert hourly["conversion"] == {"placed": 5, "confirmed": 4, "cancelled": 1, "rate": 0.8}
    assert hourly["top_products"] == [{"sku": a, "units": 5, "orders": 2}, {"sku": b, "units": 5, "orders": 2}][
        ::1 if a < b else -1]
    daily = report(client_for, admin_headers, **{"from": iso(start), "to": iso(start + timedelta(days=1)),
                                                 "bucket": "day"})
    assert [p["placed"] for p in daily["series"]] == [5]
    assert daily["totals"] == hourly["totals"]


def test_redeliveries_and_any_order_of_arrival_give_the_same_projection(client_for, deliver, admin_headers, db):
    start, a, b = day(), sku(), sku()
    stream = (checkout(start, a, 2, 5000) + checkout(start + timedelta(hours=2), b, 1, 800, outcome="refunded")
              + checkout(start + timedelta(hours=4), a, 1, 2500, outcome="cancelled"))
    stock = [event("stock.changed", {"sku": a, "on_hand": 10 - v, "reserved": 0, "available": 10 - v,
                                     "version": v, "changed_at": iso(start + timedelta(minutes=v))})
             for v in range(1, 8)]
    shuffled = stream + stock
    random.Random(7).shuffle(shuffled)
    for ce in shuffled:
        assert deliver(ce).get_json()["status"] == "processed"
    for ce in shuffled[:5]:
        assert deliver(ce).get_json()["status"] == "duplicate"
    window = {"from": iso(start), "to": iso(start + timedelta(days=1)), "low_stock": 3}
    shuffled_report = report(client_for, admin_headers, **window)
    with db.connect() as conn:
        shuffled_rows = rows(conn, start)
    # The same events again, as new deliveries (new ids) in their natural order: nothing changes.
    for ce in stream + stock:
        ce["id"] = str(uuid.uuid4())
        assert deliver(ce).get_json()["status"] == "processed"
    assert report(client_for, admin_headers, **window) == shuffled_report
    with db.connect() as conn:
        assert rows(conn, start) == shuffled_rows
    assert {"sku": a, "on_hand": 3, "reserved": 0, "available": 3} in [
        {k: i[k] for k in ("sku", "on_hand", "reserved", "available")} for i in shuffled_report["low_stock"]["items"]]
    assert shuffled_report["conversion"] == {"placed": 3, "confirmed": 2, "cancelled": 1, "rate": 0.6667}


def rows(conn, start: datetime) -> list:
    return [tuple(r) for r in conn.execute(text(
        "SELECT o.*, l.sku, l.quantity FROM reporting.orders o LEFT JOIN reporting.order_lines l USING (order_id) "
        "WHERE o.placed_at >= :s AND o.placed_at < :e ORDER BY o.order_id"),
        {"s": start, "e": start + timedelta(days=1)})]


def test_only_admins_and_sane_ranges(client_for, admin_headers, customer_headers):
    function = client_for("admin_sales_report")
    assert_problem(function.get("/api/admin/reports/sales"), 401, "unauthorized")
    assert_problem(function.get("/api/admin/reports/sales", headers=customer_headers), 403, "forbidden")
    assert_problem(function.get("/api/admin/reports/sales", query_string={"bucket": "week"},
                                headers=admin_headers), 422, "validation-error", "bucket")
    assert_problem(function.get("/api/admin/reports/sales", query_string={
        "from": "2031-01-02T00:00:00Z", "to": "2031-01-01T00:00:00Z"}, headers=admin_headers), 422,
        "validation-error", "to")
    assert_problem(function.get("/api/admin/reports/sales", query_string={
        "from": "2030-01-01T00:00:00Z", "to": "2031-01-01T00:00:00Z", "bucket": "hour"}, headers=admin_headers),
        422, "validation-error", "from")
    assert_problem(function.get("/api/admin/reports/sales", query_string={"from": "yesterday"},
                                headers=admin_headers), 422, "validation-error", "from")
    default = report(client_for, admin_headers)
    assert default["bucket"] == "hour" and len(default["series"]) in (24, 25)


def test_an_event_breaking_its_contract_is_rejected_and_counted(client_for, deliver, admin_headers):
    before = report(client_for, admin_headers)["rejected_events"]
    bad = event("order.confirmed", {"order_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()),
                                    "total_minor": -5, "currency": "USD", "confirmed_at": "2031-01-01T00:00:00Z"})
    assert_problem(deliver(bad), 400, "invalid-event")
    assert report(client_for, admin_headers)["rejected_events"] == before + 1


def test_a_delivery_is_one_statement_outside_any_transaction(client_for, deliver, db):
    """The inbox row and the effect go as one statement in autocommit: no BEGIN, no COMMIT."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import Engine

    sent: list[tuple[str, bool]] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, conn.connection.dbapi_connection.autocommit))

    order, user, a, b = str(uuid.uuid4()), str(uuid.uuid4()), sku(), sku()
    placed = event("order.placed", {"order_id": order, "user_id": user, "placed_at": iso(day()),
                                    "lines": [{"sku": a, "quantity": 2}, {"sku": b, "quantity": 3}]})
    deliver(placed)  # the function's first request (its engine) before counting
    sa_event.listen(Engine, "before_cursor_execute", count)
    try:
        placed["id"] = str(uuid.uuid4())
        assert deliver(placed).get_json()["status"] == "processed"
    finally:
        sa_event.remove(Engine, "before_cursor_execute", count)
    assert len(sent) == 1 and sent[0][1] is True, sent
    assert sent[0][0].startswith("WITH recorded AS (INSERT INTO reporting.inbox")
    with db.connect() as conn:
        lines = conn.execute(text("SELECT sku, quantity FROM reporting.order_lines WHERE order_id = :o "
                                  "ORDER BY quantity"), {"o": order}).all()
    assert [tuple(line) for line in lines] == [(a, 2), (b, 3)]
