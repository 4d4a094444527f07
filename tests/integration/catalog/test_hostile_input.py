"""Hostile input is a 4xx problem naming the field, never a 500 (found by trying the live system)."""

import pytest

from tests.integration.catalog.conftest import assert_problem, random_name, random_sku

NUL = "\x00"


class TestHostileReads:
    @pytest.mark.parametrize("target, path, field", [
        ("product", "/api/products/%00", "ref"),
        ("product", "/api/products/a%00b", "ref"),
        ("category", "/api/categories/%00", "ref"),
    ])
    def test_a_nul_in_a_path_is_a_422(self, client_for, target, path, field):
        assert_problem(client_for(target).get(path), 422, "validation-error", field=field)

    @pytest.mark.parametrize("params, field", [
        ({"category": NUL}, "category"),
        ({"q": f"mug{NUL}"}, "q"),
        ({"min_price": "9223372036854775808"}, "min_price"),
        ({"max_price": "-9223372036854775809"}, "max_price"),
        ({"page": "99999999999999999999"}, "page"),
    ])
    def test_a_hostile_query_is_a_422_naming_the_parameter(self, client_for, params, field):
        response = client_for("products").get("/api/products", query_string=params)
        assert_problem(response, 422, "validation-error", field=field)

    def test_a_huge_media_name_is_a_422(self, client_for):
        response = client_for("media").get("/media/catalog/" + "a" * 5000 + ".svg")
        assert_problem(response, 422, "validation-error", field="file")


class TestHostileWrites:
    @pytest.mark.parametrize("fields, field", [
        ({"name": f"Mug{NUL}"}, "name"),
        ({"description": f"nice{NUL}"}, "description"),
        ({"attributes": {"colour": f"red{NUL}"}}, "attributes.colour"),
        ({"attributes": {f"col{NUL}our": "red"}}, "attributes"),
    ])
    def test_a_nul_anywhere_in_a_product_is_a_422(self, client_for, admin_headers, fields, field):
        body = {"sku": random_sku(), "name": random_name(), "price": {"amount_minor": 100, "currency": "USD"}}
        response = client_for("products").post("/api/products", json=body | fields, headers=admin_headers)
        assert_problem(response, 422, "validation-error", field=field)

    @pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
    def test_a_number_json_cannot_store_is_refused(self, client_for, admin_headers, raw):
        body = ('{"sku": "%s", "name": "Weight", "price": {"amount_minor": 100, "currency": "USD"},'
                ' "attributes": {"weight": %s}}' % (random_sku(), raw))
        response = client_for("products").post("/api/products", data=body, headers=admin_headers,
                                               content_type="application/json")
        assert response.status_code in (400, 422), response.get_data(as_text=True)
        assert response.mimetype == "application/problem+json"

    def test_a_price_no_column_holds_is_a_422(self, client_for, admin_headers):
        body = {"sku": random_sku(), "name": random_name(),
                "price": {"amount_minor": 2**63, "currency": "USD"}}
        response = client_for("products").post("/api/products", json=body, headers=admin_headers)
        assert_problem(response, 422, "validation-error", field="price.amount_minor")

    def test_a_category_named_with_a_nul_is_a_422(self, client_for, admin_headers):
        response = client_for("categories").post("/api/categories", json={"name": f"Garden{NUL}"},
                                                 headers=admin_headers)
        assert_problem(response, 422, "validation-error", field="name")


def test_a_path_the_framework_cannot_route_is_a_problem_too(client_for):
    response = client_for("category").get("/api/categories/%07%0Ab")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
