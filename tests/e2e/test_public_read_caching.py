"""Public catalog reads through the gateway: ETag and 304, and Kong's proxy-cache (switched on).

The local gateway's proxy-cache is on here (LOCALRUN_PROXY_CACHE=on, as bench/catalog.py runs it);
every other end-to-end test runs with it off. Each test is bounded by the 5 s max-age.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import pytest

from functions.catalog.adapters.seed import load_seed
from functions.catalog.model import slugify
from functions.runtime.web import PUBLIC_MAX_AGE
from localrun.gateway.server import Gateway
from tests.e2e.conftest import call, local_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def gateway(signing_key) -> Iterator[Gateway]:
    saved = os.environ.get("LOCALRUN_PROXY_CACHE")
    os.environ["LOCALRUN_PROXY_CACHE"] = "on"  # read when the gateway loads its plugins
    try:
        with local_stack(signing_key) as (gateway, _, _):
            yield gateway
    finally:
        if saved is None:
            os.environ.pop("LOCALRUN_PROXY_CACHE", None)
        else:
            os.environ["LOCALRUN_PROXY_CACHE"] = saved


def product_path(index: int) -> str:
    product = load_seed()["products"][index]
    return f"/api/products/{product.get('slug') or slugify(product['name'])}"


def test_etag_and_304_through_the_gateway(gateway) -> None:
    path = product_path(1)
    status, headers, body = call(gateway, "GET", path, headers={"Cache-Control": "no-cache"})
    assert status == 200 and headers["X-Cache-Status"] == "Bypass"
    assert headers["Cache-Control"] == f"public, max-age={PUBLIC_MAX_AGE}" and headers["ETag"].startswith('"')
    status, again, body = call(gateway, "GET", path, headers={"Cache-Control": "no-cache",
                                                               "If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]


def test_miss_then_hit_and_a_token_bypasses(gateway, mint) -> None:
    path = "/api/categories"
    first = call(gateway, "GET", path)
    second = call(gateway, "GET", path)
    assert first[0] == second[0] == 200 and first[2] == second[2]
    assert (first[1]["X-Cache-Status"], second[1]["X-Cache-Status"]) in (("Miss", "Hit"), ("Hit", "Hit"))
    assert "Age" in second[1] and second[1]["X-Cache-Key"] == first[1]["X-Cache-Key"]
    assert first[1]["X-Request-ID"] != second[1]["X-Request-ID"]  # set per answer, never replayed
    status, headers, _ = call(gateway, "GET", path, headers={"Authorization": f"Bearer {mint('admin')}"})
    assert status == 200 and headers["X-Cache-Status"] == "Bypass"
    assert headers["Cache-Control"] == "private, no-cache"


def test_a_cached_answer_never_outlives_a_change_by_more_than_its_max_age(gateway, mint) -> None:
    path = product_path(2)
    status, headers, body = call(gateway, "GET", path)
    product = json.loads(body)
    assert status == 200 and call(gateway, "GET", path)[1]["X-Cache-Status"] == "Hit"
    new_price = product["price"]["amount_minor"] + 1
    auth = {"Authorization": f"Bearer {mint('admin')}"}
    status, _, _ = call(gateway, "PATCH", f"/api/products/{product['id']}",
                        {"price": {"amount_minor": new_price, "currency": product["price"]["currency"]}}, auth)
    changed_at = time.monotonic()
    assert status == 200
    seen_new_at = None
    while time.monotonic() - changed_at < PUBLIC_MAX_AGE + 1.5:
        status, headers, body = call(gateway, "GET", path)
        price = json.loads(body)["price"]["amount_minor"]
        if price == new_price:
            seen_new_at = seen_new_at or time.monotonic()
        else:  # the old answer, from the cache: only while it is younger than its max-age
            assert seen_new_at is None, "an old answer came back after the new one"
            assert headers["X-Cache-Status"] == "Hit" and int(headers["Age"]) <= PUBLIC_MAX_AGE
        time.sleep(0.2)
    assert seen_new_at is not None and seen_new_at - changed_at <= PUBLIC_MAX_AGE + 1.0
