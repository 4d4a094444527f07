"""The API's shape of the sales report, built from the projection's sums (reports.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from functions.reporting.model import DEAD_LETTER_ROWS, DEAD_LETTER_TYPES, MAX_LOW_STOCK_ROWS, conversion_rate
from functions.runtime.money import money


def _amounts(by_currency: Mapping[str, int]) -> list[dict[str, Any]]:
    return [money(amount, currency) for currency, amount in sorted(by_currency.items())]


def report_view(query: Any, first: datetime, last: datetime, series: Mapping[datetime, Mapping[str, Any]],
                conversion: tuple[int, int, int], top: Sequence[Any], low: Sequence[Any],
                rejected: int, dead_letters: tuple[Sequence[Any], Sequence[Any]]) -> dict[str, Any]:
    revenue: dict[str, int] = {}
    refunds: dict[str, int] = {}
    points = []
    for at, point in series.items():
        for currency, amount in point["revenue"].items():
            revenue[currency] = revenue.get(currency, 0) + amount
        for currency, amount in point["refunds"].items():
            refunds[currency] = refunds.get(currency, 0) + amount
        points.append({"start": at, **{k: point[k] for k in (
            "placed", "confirmed", "cancelled", "refunded", "payments_completed", "payments_failed",
            "dead_lettered")},
            "revenue": _amounts(point["revenue"]), "refunds": _amounts(point["refunds"])})
    placed, confirmed, cancelled = conversion
    return {
        "from": first,
        "to": last,
        "bucket": query.bucket,
        "series": points,
        "totals": {
            "placed": sum(p["placed"] for p in points),
            "confirmed": sum(p["confirmed"] for p in points),
            "cancelled": sum(p["cancelled"] for p in points),
            "refunded": sum(p["refunded"] for p in points),
            "dead_lettered": sum(p["dead_lettered"] for p in points),
            "revenue": _amounts(revenue),
            "refunds": _amounts(refunds),
        },
        "conversion": {"placed": placed, "confirmed": confirmed, "cancelled": cancelled,
                       "rate": conversion_rate(placed, confirmed)},
        "top_products": [{"sku": sku, "units": int(units), "orders": orders} for sku, units, orders in top],
        "low_stock": {"threshold": query.low_stock, "limit": MAX_LOW_STOCK_ROWS, "items": [
            {"sku": sku, "on_hand": on_hand, "reserved": reserved, "available": available, "changed_at": at}
            for sku, on_hand, reserved, available, at in low]},
        "rejected_events": rejected,
        "dead_letters": {
            "types_limit": DEAD_LETTER_TYPES,
            "by_type": [{"type": type_, "count": count} for type_, count in dead_letters[0]],
            "limit": DEAD_LETTER_ROWS,
            "newest": [{"id": id_, "source": source, "type": type_, "subject": subject, "dest": dest,
                        "code": code, "error": error, "at": at}
                       for id_, source, type_, subject, dest, code, error, at in dead_letters[1]],
        },
    }
