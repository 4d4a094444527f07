"""The reporting's operations as the OpenAPI document shows them, one `Endpoint` per HTTP function."""

from __future__ import annotations

from functions.reporting import responses as answers
from functions.reporting.commands import SalesReportQuery
from functions.runtime.openapi import ADMIN, ADMIN_ERRORS, Answer, Endpoint, Operation

ADMIN_SALES_REPORT = Endpoint("/api/admin/reports/sales", {"GET": Operation(
    "getSalesReport", "reporting", "Sales report (admin)", (
        "Needs role `admin`. Orders and revenue (integer minor units, per currency) per hour or day "
        "in UTC, the conversion from placed to confirmed, the top products by units confirmed and "
        "the SKUs low in stock. Built only from events (orders, payments, inventory), so it trails "
        "them by the time they take to arrive. The range is widened to whole buckets; a range of "
        "more than 744 hours or 366 days is 422 (field `from`); `to` not after `from` is 422 (field `to`)."
    ), ADMIN, {200: Answer("The report.", answers.SalesReport)}, ADMIN_ERRORS | {422: "ValidationFailed"},
    query=SalesReportQuery, query_help={
        "from": "Start (ISO 8601 with offset); default: a day (bucket hour) or 30 days (bucket day) before `to`.",
        "to": "End, exclusive (ISO 8601 with offset); default: now.",
        "bucket": "`hour` (default) or `day`.",
        "top": "How many top products (1 to 50, default 10).",
        "low_stock": "Low stock: SKUs with at most this many units available (default 5).",
    })})
