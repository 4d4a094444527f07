"""The sales report: the projection's facts (projection.py) added up per hour or day, when asked.

Every time is bucketed in UTC. An order counts as placed in the bucket of its placed_at, as
confirmed (with its total as revenue) in that of its confirmed_at, cancelled or refunded in that
of its cancelled_at or refunded_at; a payment in that of its completion or failure; a dead
letter in that of its arrival from the dead-letter sink.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, text

from functions.reporting import model
from functions.reporting.commands import SalesReportQuery
from functions.reporting.views import report_view


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=timezone.utc)


def _counts(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    return list(conn.execute(text(sql), params))


def sales_report(conn: Connection, query: SalesReportQuery, now: datetime) -> dict[str, Any]:
    first, last = model.report_range(query.start, query.end, query.bucket, now)
    params = {"bucket": query.bucket, "first": first, "last": last}
    series: dict[datetime, dict[str, Any]] = {at: {
        "placed": 0, "confirmed": 0, "cancelled": 0, "refunded": 0,
        "payments_completed": 0, "payments_failed": 0, "dead_lettered": 0,
        "revenue": defaultdict(int), "refunds": defaultdict(int)} for at in model.buckets(first, last, query.bucket)}

    def bucketed(column: str, table: str = "reporting.orders", extra: str = "") -> str:
        return (f"SELECT date_trunc(:bucket, {column} AT TIME ZONE 'UTC') AS at, {extra} count(*) FROM {table} "
                f"WHERE {column} >= :first AND {column} < :last GROUP BY 1{', 2' if extra else ''}")

    for name, column in (("placed", "placed_at"), ("cancelled", "cancelled_at")):
        for at, count in _counts(conn, bucketed(column), params):
            series[_utc(at)][name] = count
    for at, currency, total, count in _counts(conn, bucketed("confirmed_at", extra="currency, sum(total_minor),"),
                                              params):
        series[_utc(at)]["confirmed"] += count
        series[_utc(at)]["revenue"][currency] += int(total)
    # A refund is worth the order's confirmed total (order.refunded is sent once all of it went back).
    for at, currency, total, count in _counts(conn, bucketed("refunded_at", extra="currency, sum(total_minor),"),
                                              params):
        series[_utc(at)]["refunded"] += count
        if currency is not None:
            series[_utc(at)]["refunds"][currency] += int(total)
    for at, outcome, count in _counts(conn, bucketed("at", "reporting.payments", extra="outcome,"), params):
        series[_utc(at)][f"payments_{outcome}"] = count

    for at, count in _counts(conn, bucketed("at", "reporting.dead_letters"), params):
        series[_utc(at)]["dead_lettered"] = count

    placed, confirmed, cancelled = conn.execute(text(
        "SELECT count(*), count(confirmed_at), count(cancelled_at) FROM reporting.orders "
        "WHERE placed_at >= :first AND placed_at < :last"), params).one()
    top = _counts(conn, (
        "SELECT l.sku, sum(l.quantity) AS units, count(*) AS orders FROM reporting.order_lines l "
        "JOIN reporting.orders o ON o.order_id = l.order_id "
        "WHERE o.confirmed_at >= :first AND o.confirmed_at < :last "
        "GROUP BY l.sku ORDER BY units DESC, l.sku LIMIT :top"), params | {"top": query.top})
    low = _counts(conn, (
        "SELECT sku, on_hand, reserved, available, changed_at FROM reporting.stock "
        "WHERE available <= :threshold ORDER BY available, sku LIMIT :limit"),
        {"threshold": query.low_stock, "limit": model.MAX_LOW_STOCK_ROWS})
    rejected = conn.execute(text("SELECT count(*) FROM reporting.inbox WHERE status = 'rejected'")).scalar_one()
    dead_types = _counts(conn, (
        "SELECT event_type, count(*) FROM reporting.dead_letters WHERE at >= :first AND at < :last "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT :limit"), params | {"limit": model.DEAD_LETTER_TYPES})
    dead_newest = _counts(conn, (
        "SELECT event_id, event_source, event_type, subject, dest, code, error, at FROM reporting.dead_letters "
        "WHERE at >= :first AND at < :last ORDER BY at DESC, event_id LIMIT :limit"),
        params | {"limit": model.DEAD_LETTER_ROWS})
    return report_view(query, first, last, series, (placed, confirmed, cancelled), top, low, rejected,
                       (dead_types, dead_newest))
