"""A request that breaks the driver mid-query must not hand its half-read answer to the next one."""

import base64
import json

import pytest

from tests.integration.catalog.conftest import assert_problem


def _cursor(*parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


# Year 1 at +14:00 is the year 0 in UTC: pg8000 raises OverflowError after sending half a query.
HOSTILE = _cursor("newest", "0001-01-01T00:00:00+14:00", "00000000-0000-0000-0000-000000000000")


@pytest.fixture
def one_connection_pool(monkeypatch, catalog_env):
    """The process's pool holds exactly one connection, so a poisoned one would be reused."""
    from functions.runtime.db import dispose_engine, get_engine
    from functions.runtime.settings import reset_settings

    monkeypatch.setenv("DB_POOL_SIZE", "1")
    monkeypatch.setenv("DB_POOL_MAX_OVERFLOW", "0")
    reset_settings()
    dispose_engine()
    yield get_engine()
    monkeypatch.undo()
    reset_settings()
    dispose_engine()


class TestPoisonedConnection:
    def test_a_hostile_cursor_is_a_422_naming_the_cursor(self, client_for, one_connection_pool):
        response = client_for("products").get("/api/products", query_string={
            "sort": "newest", "cursor": HOSTILE})
        assert_problem(response, 422, "validation-error", field="cursor")

    def test_later_requests_over_the_same_pool_get_their_own_answers(
            self, client_for, new_category, new_product, one_connection_pool):
        category = new_category()
        new_product(category_id=category["id"])
        client_for("products").get("/api/products", query_string={"sort": "newest", "cursor": HOSTILE})
        for _ in range(3):
            page = client_for("products").get("/api/products",
                                              query_string={"category": category["slug"]}).get_json()
            assert page["total"] == 1, page
            one = client_for("category").get(f"/api/categories/{category['slug']}")
            assert one.status_code == 200 and one.get_json()["id"] == category["id"]

    def test_a_connection_the_driver_failed_on_is_invalidated_not_pooled(self, one_connection_pool):
        from datetime import datetime, timedelta, timezone

        from sqlalchemy import literal, select

        from functions.runtime.db import read_only, unit_of_work

        year_one = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
        for scope in (read_only, lambda: unit_of_work("catalog")):
            with pytest.raises(OverflowError):
                with scope() as handle:
                    conn = getattr(handle, "conn", handle)
                    conn.execute(select(literal(year_one)))
            with read_only() as conn:
                assert conn.execute(select(literal(41) + 1)).scalar_one() == 42
        assert one_connection_pool.pool.checkedout() == 0
