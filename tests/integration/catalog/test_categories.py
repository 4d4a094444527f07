"""GET/POST /api/categories and GET/PATCH/DELETE /api/categories/{id}."""

import uuid

from tests.integration.catalog.conftest import assert_problem, random_name


class TestCategoryTree:
    def test_children_are_nested_under_their_parent(self, client_for, new_category):
        parent = new_category()
        child = new_category(parent_id=parent["id"])
        tree = client_for("categories").get("/api/categories").get_json()
        assert {"items", "total", "page", "page_size"} <= tree.keys()
        node = next(item for item in tree["items"] if item["id"] == parent["id"])
        assert [c["id"] for c in node["children"]] == [child["id"]]

    def test_product_counts_include_subcategories(self, client_for, new_category, new_product):
        parent = new_category()
        child = new_category(parent_id=parent["id"])
        new_product(category_id=child["id"])
        new_product(category_id=parent["id"])
        found = client_for("category").get(f"/api/categories/{parent['id']}").get_json()
        assert found["product_count"] == 2 and found["children"][0]["product_count"] == 1


class TestCreateCategory:
    def test_an_admin_creates_a_category_with_a_derived_slug(self, client_for, admin_headers):
        name = random_name("Garden Tools")
        response = client_for("categories").post("/api/categories", json={"name": name},
                                                 headers=admin_headers)
        assert response.status_code == 201
        assert response.headers["Location"] == f"/api/categories/{response.get_json()['id']}"
        assert response.get_json()["slug"] == name.lower().replace(" ", "-")

    def test_a_customer_may_not_create_categories(self, client_for, customer_headers):
        response = client_for("categories").post("/api/categories", json={"name": "X"},
                                                 headers=customer_headers)
        assert_problem(response, 403, "forbidden")

    def test_an_anonymous_caller_gets_401(self, client_for):
        response = client_for("categories").post("/api/categories", json={"name": "X"})
        assert_problem(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    def test_a_taken_slug_is_a_conflict(self, client_for, admin_headers, new_category):
        taken = new_category()
        response = client_for("categories").post(
            "/api/categories", json={"name": "Other", "slug": taken["slug"]}, headers=admin_headers)
        assert_problem(response, 409, "conflict", "slug")

    def test_an_unknown_parent_is_refused(self, client_for, admin_headers):
        response = client_for("categories").post(
            "/api/categories", json={"name": "X", "parent_id": str(uuid.uuid4())}, headers=admin_headers)
        assert_problem(response, 422, "validation-error", "parent_id")


class TestOneCategory:
    def test_a_category_is_found_by_slug_with_its_path(self, client_for, new_category):
        parent = new_category()
        child = new_category(parent_id=parent["id"])
        found = client_for("category").get(f"/api/categories/{child['slug']}").get_json()
        assert found["id"] == child["id"]
        assert [p["id"] for p in found["path"]] == [parent["id"], child["id"]]

    def test_an_unknown_category_is_404(self, client_for):
        assert_problem(client_for("category").get("/api/categories/no-such-thing"), 404, "not-found")

    def test_an_admin_renames_and_moves_a_category(self, client_for, admin_headers, new_category):
        category, new_parent = new_category(), new_category()
        response = client_for("category").patch(
            f"/api/categories/{category['id']}", json={"name": "Renamed", "parent_id": new_parent["id"]},
            headers=admin_headers)
        assert response.status_code == 200
        assert response.get_json()["name"] == "Renamed"
        assert response.get_json()["parent_id"] == new_parent["id"]
        assert response.get_json()["slug"] == category["slug"]  # URLs stay stable

    def test_moving_a_category_below_its_own_child_is_refused(self, client_for, admin_headers,
                                                              new_category):
        parent = new_category()
        child = new_category(parent_id=parent["id"])
        response = client_for("category").patch(
            f"/api/categories/{parent['id']}", json={"parent_id": child["id"]}, headers=admin_headers)
        assert_problem(response, 422, "validation-error", "parent_id")

    def test_a_malformed_id_is_named(self, client_for, admin_headers):
        response = client_for("category").patch("/api/categories/not-a-uuid", json={"name": "X"},
                                                headers=admin_headers)
        assert_problem(response, 422, "validation-error", "id")

    def test_an_empty_category_is_deleted(self, client_for, admin_headers, new_category):
        category = new_category()
        client = client_for("category")
        assert client.delete(f"/api/categories/{category['id']}", headers=admin_headers).status_code == 204
        assert client.get(f"/api/categories/{category['id']}").status_code == 404

    def test_deleting_a_category_with_products_is_a_conflict(self, client_for, admin_headers,
                                                             new_category, new_product):
        category = new_category()
        new_product(category_id=category["id"])
        response = client_for("category").delete(f"/api/categories/{category['id']}",
                                                 headers=admin_headers)
        assert_problem(response, 409, "conflict")
        assert client_for("category").get(f"/api/categories/{category['id']}").status_code == 200

    def test_deleting_a_category_with_subcategories_is_a_conflict(self, client_for, admin_headers,
                                                                  new_category):
        parent = new_category()
        new_category(parent_id=parent["id"])
        response = client_for("category").delete(f"/api/categories/{parent['id']}",
                                                 headers=admin_headers)
        assert_problem(response, 409, "conflict")

    def test_an_unsupported_method_is_405_with_allow(self, client_for):
        response = client_for("category").put("/api/categories/x", json={})
        assert_problem(response, 405, "method-not-allowed")
        assert response.headers["Allow"] == "GET, PATCH, DELETE"


class TestDeactivateCategory:
    """`active: false` hides a category and everything below it from all but admins."""

    @staticmethod
    def _ids(tree: list[dict]) -> set[str]:
        found, stack = set(), list(tree)
        while stack:
            node = stack.pop()
            found.add(node["id"])
            stack.extend(node["children"])
        return found

    def _deactivated(self, client_for, admin_headers, new_category, new_product):
        parent = new_category()
        child = new_category(parent_id=parent["id"])
        product = new_product(category_id=child["id"], name=random_name("Hidden Aisle Lantern"))
        response = client_for("category").patch(f"/api/categories/{parent['id']}", json={"active": False},
                                                headers=admin_headers)
        assert response.status_code == 200 and response.get_json()["active"] is False
        return parent, child, product

    def test_the_storefront_no_longer_sees_it_nor_what_is_below_it(
            self, client_for, admin_headers, customer_headers, new_category, new_product):
        parent, child, product = self._deactivated(client_for, admin_headers, new_category, new_product)
        for headers in ({}, customer_headers):
            tree = client_for("categories").get("/api/categories", headers=headers).get_json()["items"]
            assert not {parent["id"], child["id"]} & self._ids(tree)
            for ref in (parent["id"], child["slug"]):
                assert_problem(client_for("category").get(f"/api/categories/{ref}", headers=headers),
                               404, "not-found")
            page = client_for("products").get("/api/products", query_string={"category": child["slug"]},
                                              headers=headers).get_json()
            assert page["items"] == [] and page["total"] == 0
            found = client_for("products").get("/api/products", query_string={"q": product["name"]},
                                               headers=headers).get_json()
            assert [p["id"] for p in found["items"]] == [product["id"]]  # still for sale
            assert not {parent["id"], child["id"]} & {f["id"] for f in found["facets"]["categories"]}

    def test_an_admin_still_sees_it_and_reactivates_it(
            self, client_for, admin_headers, new_category, new_product):
        parent, child, _ = self._deactivated(client_for, admin_headers, new_category, new_product)
        tree = client_for("categories").get("/api/categories", headers=admin_headers).get_json()["items"]
        node = next(item for item in tree if item["id"] == parent["id"])
        assert node["active"] is False and node["children"][0]["active"] is True  # hidden by its parent
        page = client_for("products").get("/api/products", query_string={"category": child["slug"]},
                                          headers=admin_headers).get_json()
        assert page["total"] == 1
        response = client_for("category").patch(f"/api/categories/{parent['id']}", json={"active": True},
                                                headers=admin_headers)
        assert response.status_code == 200 and response.get_json()["active"] is True
        assert client_for("category").get(f"/api/categories/{child['slug']}").status_code == 200

    def test_active_must_be_a_boolean(self, client_for, admin_headers, new_category):
        category = new_category()
        response = client_for("category").patch(f"/api/categories/{category['id']}", json={"active": "no"},
                                                headers=admin_headers)
        assert_problem(response, 422, "validation-error", "active")
