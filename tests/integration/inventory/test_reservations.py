"""Reservations: all lines or none, deterministic warehouses, no oversell under concurrency, a ledger
that sums to the levels, and every end of a hold (release, commit, restock, expiry) in both."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from functions.inventory import reservations
from functions.runtime.db import unit_of_work
from functions.runtime.exceptions import Conflict, NotFound
from tests.integration.inventory.conftest import (
    events_of,
    ledger_sums,
    levels,
    movements,
    random_code,
    stock_events,
)

RESERVED, REJECTED = "com.ecom.inventory.stock.reserved", "com.ecom.inventory.stock.rejected"
EXPIRED = "com.ecom.inventory.reservation.expired"


def reserve(order_id, lines, now=None):
    with unit_of_work("inventory") as uow:
        return reservations.reserve(uow, order_id, lines, now)


def end(case, order_id):
    with unit_of_work("inventory") as uow:
        return getattr(reservations, case)(uow, order_id)


def expire(now):
    with unit_of_work("inventory") as uow:
        return reservations.expire_due(uow, now)


@pytest.fixture
def stocked(client_for, new_warehouse, receive, catalog):
    """Return a function: warehouses (by code) holding units of new SKUs; returns the SKUs."""

    def _stock(holdings: dict[str, int], count: int = 1) -> tuple[list[dict], list[str]]:
        houses = [new_warehouse(code=code) for code in holdings]
        skus = []
        for _ in range(count):
            sku = f"R-{uuid.uuid4().hex[:10].upper()}"
            catalog.skus.add(sku)
            for house, units in zip(houses, holdings.values(), strict=True):
                if units:
                    receive(house, sku, units)
            skus.append(sku)
        return houses, skus

    return _stock


def codes(n: int) -> list[str]:
    base = random_code()
    return [f"{base}-{i}" for i in range(n)]  # in code order


class TestReserve:
    def test_a_line_takes_from_the_warehouse_with_most_available_first(self, stocked, db):
        a, b = codes(2)
        houses, (sku,) = stocked({a: 3, b: 5})
        order = uuid.uuid4()
        decision = reserve(order, [(sku, 2)])
        assert decision.reserved and [(h.warehouse_id, h.quantity) for h in decision.lines] == [
            (uuid.UUID(houses[1]["id"]), 2)]
        assert levels(db, sku) == {a: (3, 0), b: (5, 2)}

    def test_ties_go_to_the_lower_code_and_a_line_splits_when_it_must(self, stocked, db):
        a, b = codes(2)
        houses, (sku,) = stocked({a: 4, b: 4})
        assert levels(db, sku) == {a: (4, 0), b: (4, 0)}
        reserve(uuid.uuid4(), [(sku, 1)])
        assert levels(db, sku) == {a: (4, 1), b: (4, 0)}
        decision = reserve(uuid.uuid4(), [(sku, 6)])  # b has most now: all of b's 4, then 2 of a's 3
        assert [(h.warehouse_id, h.quantity) for h in decision.lines] == [
            (uuid.UUID(houses[1]["id"]), 4), (uuid.UUID(houses[0]["id"]), 2)]
        assert levels(db, sku) == {a: (4, 3), b: (4, 4)}

    def test_the_event_lists_each_sku_and_warehouse_with_its_expiry(self, stocked, db):
        a, b = codes(2)
        houses, skus = stocked({a: 2, b: 1}, count=2)
        order = uuid.uuid4()
        now = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
        reserve(order, [(skus[0], 3), (skus[1], 1), (skus[1], 1)], now)  # skus[1]'s lines merge
        (event,) = events_of(db, RESERVED, str(order))
        assert event["reserved_at"] == "2026-12-03T12:00:00Z"
        assert event["expires_at"] == "2026-12-03T12:15:00Z"  # the default 15 minutes
        assert sorted((line["sku"], line["quantity"]) for line in event["lines"]) == sorted(
            [(skus[0], 2), (skus[0], 1), (skus[1], 2)])

    def test_all_or_none_one_short_line_holds_nothing(self, stocked, db):
        a, b = codes(2)
        _, skus = stocked({a: 5, b: 0}, count=2)
        plenty, scarce = skus
        with unit_of_work("inventory") as uow:  # make `scarce` the short one: 1 left
            uow.conn.execute(text("UPDATE inventory.stock_levels SET on_hand = 1 WHERE sku = :s"),
                             {"s": scarce})
            uow.commit()
        before = (len(stock_events(db, plenty)), len(stock_events(db, scarce)))
        order = uuid.uuid4()
        decision = reserve(order, [(plenty, 2), (scarce, 3)])
        assert not decision.reserved
        assert [(s.sku, s.requested, s.available) for s in decision.short] == [(scarce, 3, 1)]
        assert levels(db, plenty) == {a: (5, 0)} and levels(db, scarce) == {a: (1, 0)}
        assert (len(stock_events(db, plenty)), len(stock_events(db, scarce))) == before
        assert [m["cause"] for m in movements(db, plenty)] == ["receipt"]
        (event,) = events_of(db, REJECTED, str(order))
        assert event["short"] == [{"sku": scarce, "requested": 3, "available": 1}]
        assert events_of(db, RESERVED, str(order)) == []

    def test_reserving_an_order_twice_changes_nothing_the_second_time(self, stocked, db):
        a, = codes(1)
        _, (sku,) = stocked({a: 5})
        order = uuid.uuid4()
        first = reserve(order, [(sku, 2)])
        events = len(stock_events(db, sku))
        again = reserve(order, [(sku, 2)])
        assert again.reserved and [(h.sku, h.quantity) for h in again.lines] == [(sku, 2)]
        assert again.expires_at == first.expires_at
        assert levels(db, sku) == {a: (5, 2)} and len(stock_events(db, sku)) == events
        assert len(events_of(db, RESERVED, str(order))) == 1

    def test_a_rejected_order_stays_rejected(self, stocked, db):
        a, = codes(1)
        _, (sku,) = stocked({a: 1})
        order = uuid.uuid4()
        assert not reserve(order, [(sku, 2)]).reserved
        with unit_of_work("inventory") as uow:  # stock arrives: the decision was made already
            uow.conn.execute(text("UPDATE inventory.stock_levels SET on_hand = 9 WHERE sku = :s"), {"s": sku})
            uow.commit()
        again = reserve(order, [(sku, 2)])
        assert not again.reserved and [s.sku for s in again.short] == [sku]
        assert len(events_of(db, REJECTED, str(order))) == 1

    def test_an_inactive_warehouse_is_never_reserved_from(self, client_for, admin_headers, stocked, db):
        a, b = codes(2)
        houses, (sku,) = stocked({a: 2, b: 9})
        client_for("warehouse").patch(f"/api/admin/warehouses/{houses[1]['id']}", json={"active": False},
                                      headers=admin_headers)
        assert not reserve(uuid.uuid4(), [(sku, 3)]).reserved
        assert reserve(uuid.uuid4(), [(sku, 2)]).reserved
        assert levels(db, sku) == {a: (2, 2), b: (9, 0)}


class TestConcurrency:
    def test_fifty_buyers_race_for_twenty_units_in_two_warehouses(self, stocked, db):
        a, b = codes(2)
        _, (sku,) = stocked({a: 12, b: 8})
        outcomes: list[bool] = []
        lowest: list[int] = []
        start = threading.Barrier(50)

        def buy() -> None:
            start.wait()
            decision = reserve(uuid.uuid4(), [(sku, 1)])
            outcomes.append(decision.reserved)

        def watch(stop: threading.Event) -> None:
            with db.connect() as conn:
                while not stop.is_set():
                    lowest.append(conn.execute(text(
                        "SELECT coalesce(min(on_hand - reserved), 0) FROM inventory.stock_levels "
                        "WHERE sku = :s"),
                        {"s": sku}).scalar())
                    conn.rollback()

        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(stop,))
        watcher.start()
        buyers = [threading.Thread(target=buy) for _ in range(50)]
        for thread in buyers:
            thread.start()
        for thread in buyers:
            thread.join()
        stop.set()
        watcher.join()
        assert outcomes.count(True) == 20 and outcomes.count(False) == 30
        assert lowest and min(lowest) >= 0
        assert levels(db, sku) == {a: (12, 12), b: (8, 8)}
        assert ledger_sums(db, sku) == levels(db, sku)
        events = stock_events(db, sku)
        versions = [e["version"] for e in events]
        assert versions == sorted(versions) and len(set(versions)) == len(versions)
        assert events[-1]["available"] == 0 and min(e["available"] for e in events) >= 0


class TestEndsOfAHold:
    def test_release_gives_the_units_back_once(self, stocked, db):
        a, = codes(1)
        _, (sku,) = stocked({a: 4})
        order = uuid.uuid4()
        reserve(order, [(sku, 3)])
        assert [h.quantity for h in end("release", order)] == [3]
        assert end("release", order) == []  # again: nothing held, nothing done
        assert levels(db, sku) == {a: (4, 0)}
        assert [(m["cause"], m["on_hand_delta"], m["reserved_delta"]) for m in movements(db, sku)] == [
            ("receipt", 4, 0), ("reservation", 0, 3), ("release", 0, -3)]
        assert movements(db, sku)[-1]["order_id"] == order
        assert stock_events(db, sku)[-1]["available"] == 4
        assert ledger_sums(db, sku) == levels(db, sku)

    def test_release_of_an_order_never_reserved_is_a_no_op(self):
        assert end("release", uuid.uuid4()) == []

    def test_commit_takes_the_units_out_and_restock_puts_them_back(self, stocked, db):
        a, b = codes(2)
        _, (sku,) = stocked({a: 2, b: 2})
        order = uuid.uuid4()
        reserve(order, [(sku, 3)])
        assert sum(h.quantity for h in end("commit", order)) == 3
        assert levels(db, sku) == {a: (0, 0), b: (1, 0)} or levels(db, sku) == {a: (1, 0), b: (0, 0)}
        event = stock_events(db, sku)[-1]
        assert (event["on_hand"], event["reserved"], event["available"]) == (1, 0, 1)
        assert end("commit", order) == []  # committed already: nothing more
        assert sum(h.quantity for h in end("restock", order)) == 3
        assert end("restock", order) == []
        assert levels(db, sku) == {a: (2, 0), b: (2, 0)}
        causes = [m["cause"] for m in movements(db, sku)]
        assert causes.count("commit") == 2 and causes.count("restock") == 2
        assert stock_events(db, sku)[-1]["available"] == 4
        assert ledger_sums(db, sku) == levels(db, sku)

    def test_commit_after_the_hold_ended_is_a_conflict_and_of_an_unknown_order_not_found(self, stocked):
        a, = codes(1)
        _, (sku,) = stocked({a: 2})
        order = uuid.uuid4()
        reserve(order, [(sku, 1)])
        end("release", order)
        with pytest.raises(Conflict):
            end("commit", order)
        with pytest.raises(NotFound):
            end("commit", uuid.uuid4())

    def test_expiry_tells_orders_of_holds_past_due_once_and_keeps_them_held(self, stocked, db):
        a, = codes(1)
        _, (sku,) = stocked({a: 5})
        now = datetime.now(timezone.utc)
        old, fresh, paid_late = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        reserve(old, [(sku, 2)], now - timedelta(minutes=20))
        reserve(paid_late, [(sku, 1)], now - timedelta(minutes=20))
        reserve(fresh, [(sku, 1)], now)
        assert {old, paid_late} <= set(expire(now))
        assert old not in expire(now)  # told once
        assert levels(db, sku) == {a: (5, 4)}  # orders decides: nothing is released yet
        (event,) = events_of(db, EXPIRED, str(old))
        assert event["order_id"] == str(old)
        assert events_of(db, EXPIRED, str(fresh)) == []
        # orders cancels the unpaid one (its order.cancelled releases it) and confirms the one
        # paid in time (its order.confirmed commits the lapsed hold, which nobody took meanwhile).
        with unit_of_work("inventory") as uow:
            reservations.release(uow, old, "expired")
        end("commit", paid_late)
        assert levels(db, sku) == {a: (4, 1)}
        assert [m["reason"] for m in movements(db, sku) if m["cause"] == "release"] == ["expired"]
        with pytest.raises(Conflict):  # released: the units may be someone else's now
            end("commit", old)
        assert ledger_sums(db, sku) == levels(db, sku)
