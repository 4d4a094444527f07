"""The catalog as a shopper and an admin meet it: through the gateway, real processes, real DB."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from functions.catalog.adapters.seed import load_seed
from localrun.gateway.server import Gateway
from localrun.serving.activator import Activator
from tests.e2e.conftest import call, local_stack, wait_until

pytestmark = pytest.mark.e2e
IDLE_SECONDS = 2.0


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple[Gateway, Activator]]:
    """A seeded database, and the gateway with every catalog function scaled to zero."""
    with local_stack(signing_key, idle_seconds=IDLE_SECONDS) as (gateway, activator, _):
        yield gateway, activator


class TestScaleToZero:
    def test_a_cold_function_starts_on_the_first_request_and_answers_it(self, stack):
        gateway, activator = stack
        assert "catalog-products" not in activator.running()
        status, headers, body = call(gateway, "GET", "/api/products?q=wireless&page_size=5")
        assert status == 200
        page = json.loads(body)
        assert page["total"] > 0 and len(page["items"]) == 5
        assert all("wireless" in (i["name"] + i["description"]).lower() for i in page["items"])
        assert "catalog-products" in activator.running()
        # KONG_HEADERS without server_tokens (knative/kong/gateway.yaml); gunicorn's Server dropped.
        assert "Via" not in headers and "Server" not in headers

    def test_an_idle_function_is_stopped_and_starts_again_on_demand(self, stack):
        gateway, activator = stack
        assert call(gateway, "GET", "/api/categories")[0] == 200
        pid = activator.running()["catalog-categories"]
        starts = activator.starts["catalog-categories"]
        assert wait_until(lambda: "catalog-categories" not in activator.running(), IDLE_SECONDS + 5)
        status, _, body = call(gateway, "GET", "/api/categories")
        assert status == 200 and len(json.loads(body)["items"]) >= 5
        assert activator.starts["catalog-categories"] == starts + 1
        assert activator.running()["catalog-categories"] != pid


class TestShopper:
    def test_a_product_page_is_reachable_by_slug_with_its_images(self, stack):
        gateway, _ = stack
        product = load_seed()["products"][0]
        _, _, body = call(gateway, "GET", f"/api/products?q={product['sku']}")
        slug = json.loads(body)["items"][0]["slug"]
        status, _, body = call(gateway, "GET", f"/api/products/{slug}")
        found = json.loads(body)
        assert status == 200 and found["sku"] == product["sku"]
        status, headers, image = call(gateway, "GET", found["images"][0]["url"])
        assert status == 200 and headers["Content-Type"].startswith("image/svg+xml")
        assert image.startswith(b"<svg")

    def test_filters_and_facets_work_through_the_gateway(self, stack):
        gateway, _ = stack
        status, _, body = call(gateway, "GET", "/api/products?category=electronics&in_stock=true"
                                               "&min_price=5000&sort=-price&page_size=100")
        page = json.loads(body)
        prices = [i["price"]["amount_minor"] for i in page["items"]]
        assert status == 200 and prices == sorted(prices, reverse=True) and min(prices) >= 5000
        assert all(i["in_stock"] for i in page["items"])
        facet = {f["slug"]: f["count"] for f in page["facets"]["categories"]}
        assert facet["electronics"] == page["total"]

    def test_the_request_id_comes_back(self, stack):
        gateway, _ = stack
        _, headers, _ = call(gateway, "GET", "/api/categories", headers={"X-Request-ID": "e2e-1"})
        assert headers["X-Request-ID"] == "e2e-1"

    def test_a_path_without_a_route_is_kongs_404(self, stack):
        gateway, _ = stack
        status, headers, body = call(gateway, "GET", "/api/nothing-here")
        assert status == 404 and json.loads(body) == {"message": "no Route matched with those values",
                                                      "request_id": headers["X-Kong-Request-Id"]}

    def test_bad_input_is_a_problem_document(self, stack):
        gateway, _ = stack
        status, headers, body = call(gateway, "GET", "/api/products?page_size=500")
        assert status == 422 and headers["Content-Type"] == "application/problem+json"
        assert json.loads(body)["errors"][0]["field"] == "page_size"


class TestAdmin:
    def test_an_admin_creates_edits_and_deactivates_a_product(self, stack, mint):
        gateway, _ = stack
        auth = {"Authorization": f"Bearer {mint('admin')}"}
        status, _, body = call(gateway, "POST", "/api/products", {
            "sku": "E2E-LAMP-1", "name": "Gateway Desk Lamp", "category_id": None,
            "price": {"amount_minor": 4599, "currency": "USD"}}, auth)
        assert status == 201
        product = json.loads(body)
        status, _, body = call(gateway, "PATCH", f"/api/products/{product['id']}",
                               {"price": {"amount_minor": 3999, "currency": "USD"}}, auth)
        assert status == 200 and json.loads(body)["price"]["amount_minor"] == 3999
        assert call(gateway, "DELETE", f"/api/products/{product['id']}", headers=auth)[0] == 204
        assert call(gateway, "GET", f"/api/products/{product['slug']}")[0] == 404

    def test_writes_without_a_token_are_refused(self, stack):
        gateway, _ = stack
        status, headers, _ = call(gateway, "POST", "/api/categories", {"name": "Nope"})
        assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
