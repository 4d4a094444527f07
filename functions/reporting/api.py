"""The reporting's HTTP functions, one per route: parse, call the use case, shape the answer."""

from __future__ import annotations

from flask import Request, Response

from functions.runtime.web import http_function, json_response

# As in every domain: the use cases, commands and the token check are imported by the functions
# that use them, on their first request; the operations (OpenAPI declarations) by the builder only.


@http_function("/api/admin/reports/sales", methods=("GET",))
def admin_sales_report(request: Request) -> Response:
    """GET the sales report over a range, per hour or day (admin)."""
    from datetime import datetime, timezone

    from functions.reporting.commands import SalesReportQuery
    from functions.reporting.reports import sales_report
    from functions.runtime.auth import require_admin
    from functions.runtime.db import read_only
    from functions.runtime.validation import parse_query

    require_admin(request)
    query = parse_query(request, SalesReportQuery)
    with read_only() as conn:
        return json_response(sales_report(conn, query, datetime.now(timezone.utc)))
