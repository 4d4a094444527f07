"""A function's metrics: what http_function counts, the business counters, the exposition."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, Response
from prometheus_client.parser import text_string_to_metric_families

from functions.runtime import metrics
from functions.runtime.web import http_function

REPO = Path(__file__).resolve().parents[3]
app = Flask(__name__)


@pytest.fixture(autouse=True)
def fresh() -> None:
    metrics.reset()


@http_function("/api/docs/{asset}", methods=("GET",))
def asset(request) -> Response:
    if request.path.endswith("/missing"):
        from functions.runtime.exceptions import NotFound

        raise NotFound("Asset", "missing")
    return Response("body", 200)


def get(path: str, method: str = "GET") -> Response:
    with app.test_request_context(path, method=method) as ctx:
        return asset(ctx.request)


class Scrape(dict):
    """Every sample of this process's exposition, parsed as Prometheus would: `scrape(name, **labels)`."""

    def __call__(self, name: str, **labels: str) -> float:
        return self[(name, tuple(sorted(labels.items())))]


def scraped() -> Scrape:
    body, content_type = metrics.exposition()
    assert content_type.startswith("text/plain")
    return Scrape({(s.name, tuple(sorted(s.labels.items()))): s.value
                   for family in text_string_to_metric_families(body.decode()) for s in family.samples})


class TestRequests:
    def test_counted_by_declared_route_method_and_status_with_the_latency(self) -> None:
        assert get("/api/docs/swagger-ui.css").status_code == 200
        assert get("/api/docs/x.js").status_code == 200
        assert get("/api/docs/missing").status_code == 404
        assert get("/api/docs/x.js", "POST").status_code == 405
        route = "/api/docs/{asset}"  # the declared path, never the request's
        assert metrics.REQUESTS.value(route, "GET", "200") == 2
        assert metrics.REQUESTS.value(route, "GET", "404") == 1
        assert metrics.REQUESTS.value(route, "POST", "405") == 1
        scrape = scraped()
        assert scrape("ecom_http_request_duration_seconds_count", method="GET", route=route) == 3
        assert scrape("ecom_http_request_duration_seconds_bucket", method="GET", route=route, le="+Inf") == 3
        assert 0 < scrape("ecom_http_request_duration_seconds_sum", method="GET", route=route) < 5
        assert scrape("ecom_http_requests_total", method="GET", route=route, status="404") == 1

    def test_the_first_request_is_the_processes_cold_start_and_the_only_one(self) -> None:
        assert scraped()("ecom_cold_starts_total") == 0
        get("/api/docs/a.css")
        get("/api/docs/b.css")
        assert scraped()("ecom_cold_starts_total") == 1

    def test_health_probes_and_scrapes_are_not_traffic(self) -> None:
        assert get("/health/readiness").status_code == 200
        answer = get("/metrics")
        assert answer.status_code == 200 and answer.mimetype == "text/plain"
        assert b"ecom_http_requests_total" in answer.get_data()
        assert metrics.REQUESTS.samples() == [] and metrics.COLD_STARTS.value() == 0

    def test_an_unknown_method_is_one_bounded_label(self) -> None:
        get("/api/docs/a.css", "PROPFIND")
        get("/api/docs/a.css", "BREW")
        assert metrics.REQUESTS.value("/api/docs/{asset}", "other", "405") == 2


class TestHistogram:
    def test_a_value_on_a_bound_is_in_that_bucket_and_buckets_are_cumulative(self) -> None:
        h = metrics.Histogram("t_seconds", "t", ("l",), buckets=(0.1, 1.0))
        for value in (0.1, 0.5, 1.0, 3.0):
            h.observe(value, "x")
        [(key, buckets, total)] = h.samples()
        assert key == ("x",) and buckets == [("0.1", 1), ("1.0", 3), ("+Inf", 4)] and total == pytest.approx(4.6)


class TestBusinessEvents:
    def test_each_counts_on_its_own_counter_and_payments_add_revenue_in_minor_units(self) -> None:
        metrics.business_event("order_placed", currency="EUR")
        metrics.business_event("order_placed", currency="EUR")
        metrics.business_event("order_cancelled", reason="customer")
        metrics.business_event("order_confirmed", currency="USD")
        metrics.business_event("payment_completed", amount_minor=1999, currency="EUR")
        metrics.business_event("payment_completed", amount_minor=1, currency="EUR")
        metrics.business_event("payment_failed", reason="declined")
        scrape = scraped()
        assert scrape("ecom_orders_placed_total", currency="EUR") == 2
        assert scrape("ecom_orders_cancelled_total", reason="customer") == 1
        assert scrape("ecom_orders_confirmed_total", currency="USD") == 1
        assert scrape("ecom_payments_completed_total", currency="EUR") == 2
        assert scrape("ecom_revenue_minor_total", currency="EUR") == 2000
        assert scrape("ecom_payments_failed_total", reason="declined") == 1

    @pytest.mark.parametrize("name, amount, labels, message", [
        ("order_shipped", None, {"currency": "EUR"}, "unknown business event"),
        ("order_placed", None, {}, "takes the labels currency"),
        ("order_placed", None, {"currency": "EUR", "user": "u1"}, "takes the labels currency"),
        ("order_placed", None, {"currency": ""}, "printable string"),
        ("order_cancelled", None, {"reason": "x" * 65}, "printable string"),
        ("order_cancelled", None, {"reason": "a\nb"}, "printable string"),
        ("order_placed", 100, {"currency": "EUR"}, "takes no amount_minor"),
        ("payment_completed", None, {"currency": "EUR"}, "needs amount_minor"),
        ("payment_completed", 19.99, {"currency": "EUR"}, "needs amount_minor"),
        ("payment_completed", True, {"currency": "EUR"}, "needs amount_minor"),
        ("payment_completed", -5, {"currency": "EUR"}, "needs amount_minor"),
    ])
    def test_a_mistake_raises_and_counts_nothing(self, name, amount, labels, message) -> None:
        with pytest.raises(ValueError, match=message):
            metrics.business_event(name, amount, **labels)
        with pytest.raises(ValueError, match=message):
            metrics.check_business_event(name, amount, **labels)
        assert all(not m.samples() for m in metrics.METRICS if isinstance(m, metrics.Counter))


def test_events_are_counted_by_type_and_outcome() -> None:
    metrics.event_outcome("com.ecom.orders.order.placed", "handled")
    metrics.event_outcome("com.ecom.orders.order.placed", "handled")
    metrics.event_outcome("com.ecom.orders.order.placed", "rejected")
    scrape = scraped()
    assert scrape("ecom_events_total", type="com.ecom.orders.order.placed", outcome="handled") == 2
    assert scrape("ecom_events_total", type="com.ecom.orders.order.placed", outcome="rejected") == 1


def test_a_functions_cold_start_imports_no_prometheus_client() -> None:
    """The runtime's edge and handler wrapper count without it; only a scrape imports it."""
    code = ("import sys, functions.runtime.web, functions.runtime.handlers, functions.runtime.metrics as m; "
            "assert 'prometheus_client' not in sys.modules, 'imported at start'; "
            "m.observe_request('/r', 'GET', 200, 0.01); m.business_event('order_placed', currency='EUR'); "
            "assert 'prometheus_client' not in sys.modules, 'imported by a request'; "
            "m.exposition(); assert 'prometheus_client' in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env={"PYTHONPATH": str(REPO)})
