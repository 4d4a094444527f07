"""POST /api/products and GET/PATCH/DELETE /api/products/{id, slug or SKU}."""

import uuid

import pytest

from tests.integration.catalog.conftest import assert_problem, random_name, random_sku

PRICE = {"amount_minor": 2499, "currency": "USD"}


def _count_products(client_for, q: str) -> int:
    return client_for("products").get("/api/products", query_string={"q": q}).get_json()["total"]


class TestCreateProduct:
    def test_an_admin_creates_a_product_with_images(self, client_for, admin_headers, new_category):
        category = new_category()
        body = {"sku": random_sku(), "name": random_name("Steel Bottle"), "description": "Keeps cold.",
                "price": PRICE, "category_id": category["id"], "attributes": {"volume_ml": 750},
                "images": [{"url": "/media/catalog/a.svg", "alt": "front"},
                           {"url": "https://img.example/b.png", "alt": "side"}]}
        response = client_for("products").post("/api/products", json=body, headers=admin_headers)
        assert response.status_code == 201
        product = response.get_json()
        assert product["price"] == PRICE and product["category"]["id"] == category["id"]
        assert [(i["position"], i["alt"]) for i in product["images"]] == [(0, "front"), (1, "side")]
        assert product["slug"] == body["name"].lower().replace(" ", "-")
        assert product["created_at"].endswith("Z")

    def test_a_second_product_with_the_same_name_gets_a_numbered_slug(self, new_product):
        name = random_name("Twin")
        first, second = new_product(name=name), new_product(name=name)
        assert second["slug"] == first["slug"] + "-2"

    def test_a_duplicate_sku_is_a_conflict_and_writes_nothing(self, client_for, admin_headers,
                                                             new_product):
        taken = new_product()
        name = random_name("Duplicate")
        response = client_for("products").post(
            "/api/products", json={"sku": taken["sku"], "name": name, "price": PRICE},
            headers=admin_headers)
        assert_problem(response, 409, "conflict", "sku")
        assert _count_products(client_for, name) == 0

    @pytest.mark.parametrize("body, field", [
        ({"price": {"amount_minor": -5, "currency": "USD"}}, "price.amount_minor"),
        ({"price": {"amount_minor": "12", "currency": "USD"}}, "price.amount_minor"),
        ({"price": 12.5}, "price"),
        ({"name": 42}, "name"),
        ({"name": ""}, "name"),
        ({"sku": "lower case"}, "sku"),
        ({"category_id": "not-a-uuid"}, "category_id"),
        ({"surprise": True}, "surprise"),
        ({"images": [{"url": "/a.svg", "caption": "x"}]}, "images.0.caption"),
    ])
    def test_bad_fields_are_named_and_nothing_is_written(self, client_for, admin_headers, body, field):
        name = random_name("Invalid")
        full = {"sku": random_sku(), "name": name, "price": PRICE} | body
        response = client_for("products").post("/api/products", json=full, headers=admin_headers)
        assert_problem(response, 422, "validation-error", field)
        assert _count_products(client_for, name.split()[-1]) == 0

    def test_an_unknown_category_is_refused(self, client_for, admin_headers):
        response = client_for("products").post(
            "/api/products", json={"sku": random_sku(), "name": "X", "price": PRICE,
                                   "category_id": str(uuid.uuid4())}, headers=admin_headers)
        assert_problem(response, 422, "validation-error", "category_id")

    def test_a_body_that_is_not_json_is_400(self, client_for, admin_headers):
        response = client_for("products").post("/api/products", data="{nope",
                                                content_type="application/json", headers=admin_headers)
        assert_problem(response, 400, "malformed-json")

    def test_a_body_that_is_not_an_object_is_named(self, client_for, admin_headers):
        response = client_for("products").post("/api/products", json=[1, 2], headers=admin_headers)
        assert_problem(response, 422, "validation-error", "body")

    def test_a_form_body_is_415(self, client_for, admin_headers):
        response = client_for("products").post("/api/products", data={"name": "x"}, headers=admin_headers)
        assert_problem(response, 415, "unsupported-media-type")

    def test_a_customer_may_not_create_products(self, client_for, customer_headers):
        response = client_for("products").post(
            "/api/products", json={"sku": random_sku(), "name": "X", "price": PRICE},
            headers=customer_headers)
        assert_problem(response, 403, "forbidden")


class TestReadProduct:
    def test_a_product_is_found_by_id_and_by_slug(self, client_for, new_product):
        product = new_product()
        client = client_for("product")
        assert client.get(f"/api/products/{product['id']}").get_json() == product
        assert client.get(f"/api/products/{product['slug']}").get_json()["id"] == product["id"]

    def test_a_product_is_found_by_sku(self, client_for, new_product):
        # Other domains ask by SKU (orders for a price, inventory whether a SKU exists).
        product = new_product()
        assert client_for("product").get(f"/api/products/{product['sku']}").get_json()["id"] == product["id"]

    def test_a_slug_wins_over_a_sku_of_the_same_spelling(self, client_for, new_product):
        # Only digits and hyphens can be both; the storefront's links are slugs.
        by_slug = new_product(name=f"{uuid.uuid4().int % 10**9}")
        new_product(sku=by_slug["slug"].upper())
        assert client_for("product").get(f"/api/products/{by_slug['slug']}").get_json()["id"] == by_slug["id"]

    def test_an_unknown_product_is_404_problem(self, client_for):
        assert_problem(client_for("product").get(f"/api/products/{uuid.uuid4()}"), 404, "not-found")

    def test_every_answer_carries_the_request_id(self, client_for):
        response = client_for("product").get("/api/products/none", headers={"X-Request-ID": "abc-123"})
        assert response.headers["X-Request-ID"] == "abc-123"
        made = client_for("product").get("/api/products/none").headers["X-Request-ID"]
        assert len(made) == 32


class TestUpdateProduct:
    def test_a_patch_changes_only_the_given_fields(self, client_for, admin_headers, new_product):
        product = new_product(description="Old words.")
        new_price = {"amount_minor": 1500, "currency": "EUR"}
        response = client_for("product").patch(f"/api/products/{product['id']}",
                                               json={"price": new_price}, headers=admin_headers)
        assert response.status_code == 200
        updated = response.get_json()
        assert updated["price"] == new_price
        assert updated["description"] == "Old words." and updated["name"] == product["name"]
        assert updated["updated_at"] >= product["updated_at"]

    def test_images_are_replaced_as_a_whole(self, client_for, admin_headers, new_product):
        product = new_product(images=[{"url": "/a.svg", "alt": "a"}, {"url": "/b.svg", "alt": "b"}])
        response = client_for("product").patch(f"/api/products/{product['id']}",
                                               json={"images": [{"url": "/c.svg", "alt": "c"}]},
                                               headers=admin_headers)
        assert response.get_json()["images"] == [{"url": "/c.svg", "alt": "c", "position": 0}]

    def test_a_bad_patch_changes_nothing(self, client_for, admin_headers, new_product):
        product = new_product()
        response = client_for("product").patch(
            f"/api/products/{product['id']}",
            json={"name": "Changed", "price": {"amount_minor": -1, "currency": "USD"}},
            headers=admin_headers)
        assert_problem(response, 422, "validation-error", "price.amount_minor")
        assert client_for("product").get(f"/api/products/{product['id']}").get_json() == product

    def test_taking_another_products_slug_is_a_conflict(self, client_for, admin_headers, new_product):
        first, second = new_product(), new_product()
        response = client_for("product").patch(f"/api/products/{second['id']}",
                                               json={"slug": first["slug"]}, headers=admin_headers)
        assert_problem(response, 409, "conflict", "slug")

    def test_the_sku_cannot_be_changed(self, client_for, admin_headers, new_product):
        product = new_product()
        response = client_for("product").patch(f"/api/products/{product['id']}",
                                               json={"sku": "NEW-1"}, headers=admin_headers)
        assert_problem(response, 422, "validation-error", "sku")

    def test_patching_a_missing_product_is_404(self, client_for, admin_headers):
        response = client_for("product").patch(f"/api/products/{uuid.uuid4()}", json={"name": "X"},
                                               headers=admin_headers)
        assert_problem(response, 404, "not-found")

    def test_a_malformed_id_is_named(self, client_for, admin_headers):
        response = client_for("product").patch("/api/products/12", json={"name": "X"},
                                               headers=admin_headers)
        assert_problem(response, 422, "validation-error", "id")


class TestDeactivateProduct:
    def test_a_deleted_product_leaves_the_storefront_but_keeps_its_history(
            self, client_for, admin_headers, new_product):
        product = new_product()
        client = client_for("product")
        assert client.delete(f"/api/products/{product['id']}", headers=admin_headers).status_code == 204
        assert client.get(f"/api/products/{product['id']}").status_code == 404
        kept = client.get(f"/api/products/{product['id']}", headers=admin_headers).get_json()
        assert kept["active"] is False and kept["sku"] == product["sku"]
        assert _count_products(client_for, product["name"]) == 0

    def test_deleting_twice_is_harmless(self, client_for, admin_headers, new_product):
        product = new_product()
        client = client_for("product")
        for _ in range(2):
            assert client.delete(f"/api/products/{product['id']}", headers=admin_headers).status_code == 204

    def test_a_customer_may_not_delete(self, client_for, customer_headers, new_product):
        product = new_product()
        response = client_for("product").delete(f"/api/products/{product['id']}",
                                                headers=customer_headers)
        assert_problem(response, 403, "forbidden")


class TestConcurrentCreates:
    def test_products_created_at_once_with_one_name_all_get_distinct_slugs(self, client_for,
                                                                           admin_headers):
        from concurrent.futures import ThreadPoolExecutor

        name = random_name("Rush")
        client = client_for("products")

        def create(_: int):
            return client.post("/api/products", headers=admin_headers, json={
                "sku": random_sku(), "name": name, "price": PRICE})

        with ThreadPoolExecutor(max_workers=6) as pool:
            responses = list(pool.map(create, range(6)))
        assert [r.status_code for r in responses] == [201] * 6
        slugs = {r.get_json()["slug"] for r in responses}
        assert len(slugs) == 6 and name.lower().replace(" ", "-") in slugs


class TestPublicReadsWithTokens:
    def test_an_expired_token_does_not_break_a_public_page(self, client_for, mint, new_product):
        import time

        product = new_product()
        expired = {"Authorization": f"Bearer {mint('customer', exp=int(time.time()) - 60)}"}
        response = client_for("product").get(f"/api/products/{product['id']}", headers=expired)
        assert response.status_code == 200
