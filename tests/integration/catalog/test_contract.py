"""Real answers of the catalog functions match `functions/openapi.yaml`, status by status."""

from __future__ import annotations

import copy
import uuid
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from functions.catalog.adapters.media import MEDIA_DIR
from tests.integration.catalog.conftest import assert_problem, random_name, random_sku

OPENAPI_FILE = Path(__file__).resolve().parents[3] / "functions" / "openapi.yaml"
BASE_URI = "urn:ecom:openapi"  # the document's own `#/components/...` refs resolve against it
DOC = yaml.safe_load(OPENAPI_FILE.read_text())
REGISTRY = Registry().with_resource(BASE_URI, DRAFT202012.create_resource(DOC))
PRICE = {"amount_minor": 2499, "currency": "USD"}


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _resolved(node: dict) -> tuple[dict, str]:
    """Follow a local `$ref` in the document; return the object and its JSON pointer."""
    pointer = ""
    while "$ref" in node:
        pointer = node["$ref"].removeprefix("#")
        node = REGISTRY.resolver(BASE_URI).lookup(f"{BASE_URI}#{pointer}").contents
    return node, pointer


def validator_at(pointer: str) -> Draft202012Validator:
    """Return a validator for the schema at `pointer` in the document (formats asserted)."""
    return Draft202012Validator({"$ref": f"{BASE_URI}#{pointer}"}, registry=REGISTRY,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def documented_response(path: str, method: str, status: int) -> tuple[dict, str]:
    """Return the document's response object for this operation and status, and its pointer."""
    operation = DOC["paths"][path][method.lower()]
    assert str(status) in operation["responses"], f"{method.upper()} {path} does not document {status}"
    response = operation["responses"][str(status)]
    found, pointer = _resolved(response)
    return found, pointer or _pointer("paths", path, method.lower(), "responses", str(status))


def assert_matches(response, path: str, method: str, status: int) -> None:
    """Assert the answer has this status and matches the document: media type, body, headers."""
    assert response.status_code == status, response.get_data(as_text=True)
    documented, pointer = documented_response(path, method, status)
    content = documented.get("content", {})
    if not content:
        assert response.get_data() == b"", f"{status} documents no body"
    else:
        assert response.mimetype in content, f"{response.mimetype} is not one of {sorted(content)}"
        if response.mimetype.endswith("json"):
            schema_pointer = pointer + _pointer("content", response.mimetype, "schema")
            errors = sorted(validator_at(schema_pointer).iter_errors(response.get_json()),
                            key=lambda e: [str(part) for part in e.absolute_path])
            assert not errors, "\n".join(
                f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors)
    for name, header in documented.get("headers", {}).items():
        header, header_pointer = _resolved(header)
        header_pointer = header_pointer or pointer + _pointer("headers", name)
        if header.get("required"):
            assert name in response.headers, f"{status} answer lacks the {name} header"
        if name in response.headers:
            validator_at(header_pointer + "/schema").validate(response.headers[name])


@pytest.fixture
def shelf(client_for, admin_headers, new_category, new_product):
    """A category with a child, and three products under them sharing a marker word."""
    marker = "zc" + uuid.uuid4().hex[:8]
    parent = new_category(name=f"Outdoor {marker}")
    child = new_category(name=f"Tents {marker}", parent_id=parent["id"])
    made = [new_product(name=f"Tent {i} {marker}", category_id=child["id"],
                        price={"amount_minor": 1000 * (i + 1), "currency": "EUR"},
                        attributes={"persons": i + 2, "weight_kg": 1.5, "waterproof": True,
                                    "colour": "green"},
                        images=[{"url": f"/media/catalog/tent-{i}.svg", "alt": "front"}])
            for i in range(2)]
    made.append(new_product(name=f"Lantern {marker}", category_id=parent["id"]))
    return {"marker": marker, "parent": parent, "child": child, "products": made}


class TestProducts:
    def test_a_created_product_matches(self, client_for, admin_headers, new_category):
        category = new_category()
        body = {"sku": random_sku(), "name": random_name("Bottle"), "price": PRICE,
                "category_id": category["id"], "attributes": {"volume_ml": 750, "insulated": True},
                "images": [{"url": "/media/catalog/a.svg", "alt": "front"}, {"url": "/b.svg"}]}
        response = client_for("products").post("/api/products", json=body, headers=admin_headers)
        assert_matches(response, "/api/products", "post", 201)

    def test_a_product_without_category_or_images_matches(self, client_for, new_product):
        product = new_product()
        response = client_for("product").get(f"/api/products/{product['slug']}")
        assert_matches(response, "/api/products/{ref}", "get", 200)
        assert response.get_json()["category"] is None

    def test_a_read_product_matches(self, client_for, shelf):
        response = client_for("product").get(f"/api/products/{shelf['products'][0]['id']}")
        assert_matches(response, "/api/products/{ref}", "get", 200)

    def test_a_patched_product_matches(self, client_for, admin_headers, shelf):
        response = client_for("product").patch(f"/api/products/{shelf['products'][0]['id']}",
                                               json={"category_id": None}, headers=admin_headers)
        assert_matches(response, "/api/products/{ref}", "patch", 200)

    def test_a_deactivation_matches(self, client_for, admin_headers, new_product):
        response = client_for("product").delete(f"/api/products/{new_product()['id']}",
                                                headers=admin_headers)
        assert_matches(response, "/api/products/{ref}", "delete", 204)


class TestSearch:
    def test_a_page_with_facets_and_a_cursor_matches(self, client_for, shelf):
        client = client_for("products")
        first = client.get("/api/products", query_string={"q": shelf["marker"], "page_size": 2,
                                                          "sort": "price"})
        assert_matches(first, "/api/products", "get", 200)
        page = first.get_json()
        assert page["next_cursor"] and page["facets"]["categories"] and page["page"] == 1
        following = client.get("/api/products", query_string={
            "q": shelf["marker"], "page_size": 2, "sort": "price", "cursor": page["next_cursor"]})
        assert_matches(following, "/api/products", "get", 200)
        assert following.get_json()["page"] is None and following.get_json()["next_cursor"] is None

    def test_a_bad_query_is_a_validation_problem(self, client_for):
        response = client_for("products").get("/api/products", query_string={"page_size": 101})
        assert_problem(response, 422, "validation-error", "page_size")
        assert_matches(response, "/api/products", "get", 422)


class TestCategories:
    def test_the_tree_matches(self, client_for, shelf):
        response = client_for("categories").get("/api/categories")
        assert_matches(response, "/api/categories", "get", 200)
        node = next(n for n in response.get_json()["items"] if n["id"] == shelf["parent"]["id"])
        assert node["children"][0]["id"] == shelf["child"]["id"]

    def test_one_category_with_its_path_matches(self, client_for, shelf):
        response = client_for("category").get(f"/api/categories/{shelf['child']['slug']}")
        assert_matches(response, "/api/categories/{ref}", "get", 200)
        assert [c["id"] for c in response.get_json()["path"]] == [shelf["parent"]["id"],
                                                                 shelf["child"]["id"]]

    def test_a_created_and_a_patched_category_match(self, client_for, admin_headers, new_category):
        parent = new_category()
        created = client_for("categories").post(
            "/api/categories", json={"name": random_name("Shelf"), "parent_id": parent["id"],
                                     "position": 3}, headers=admin_headers)
        assert_matches(created, "/api/categories", "post", 201)
        patched = client_for("category").patch(f"/api/categories/{created.get_json()['id']}",
                                               json={"parent_id": None}, headers=admin_headers)
        assert_matches(patched, "/api/categories/{ref}", "patch", 200)
        deleted = client_for("category").delete(f"/api/categories/{created.get_json()['id']}",
                                                headers=admin_headers)
        assert_matches(deleted, "/api/categories/{ref}", "delete", 204)


class TestProblems:
    def test_a_validation_problem_matches(self, client_for, admin_headers):
        body = {"sku": "lower case", "name": "X", "price": {"amount_minor": -1, "currency": "USD"}}
        response = client_for("products").post("/api/products", json=body, headers=admin_headers)
        assert_problem(response, 422, "validation-error", "price.amount_minor")
        assert_matches(response, "/api/products", "post", 422)

    def test_a_not_found_problem_matches(self, client_for):
        response = client_for("product").get(f"/api/products/{uuid.uuid4()}")
        assert_problem(response, 404, "not-found")
        assert_matches(response, "/api/products/{ref}", "get", 404)

    def test_an_unauthorized_problem_matches(self, client_for):
        response = client_for("categories").post("/api/categories", json={"name": "X"})
        assert_problem(response, 401, "unauthorized")
        assert_matches(response, "/api/categories", "post", 401)

    def test_a_bad_token_on_a_public_read_is_read_as_anonymous(self, client_for, new_product):
        response = client_for("product").get(f"/api/products/{new_product()['id']}",
                                             headers={"Authorization": "Bearer nope"})
        assert_matches(response, "/api/products/{ref}", "get", 200)

    def test_a_conflict_problem_matches(self, client_for, admin_headers, new_product):
        taken = new_product()
        response = client_for("products").post(
            "/api/products", json={"sku": taken["sku"], "name": "X", "price": PRICE},
            headers=admin_headers)
        assert_problem(response, 409, "conflict", "sku")
        assert_matches(response, "/api/products", "post", 409)

    def test_a_conflict_without_a_field_matches(self, client_for, admin_headers, shelf):
        response = client_for("category").delete(f"/api/categories/{shelf['parent']['id']}",
                                                 headers=admin_headers)
        assert_problem(response, 409, "conflict")
        assert_matches(response, "/api/categories/{ref}", "delete", 409)

    def test_a_forbidden_problem_matches(self, client_for, customer_headers):
        response = client_for("categories").post("/api/categories", json={"name": "X"},
                                                 headers=customer_headers)
        assert_matches(response, "/api/categories", "post", 403)

    @pytest.mark.parametrize("kwargs, status", [
        ({"data": "{nope", "content_type": "application/json"}, 400),
        ({"data": {"name": "x"}}, 415),
    ])
    def test_bodies_that_cannot_be_read_match(self, client_for, admin_headers, kwargs, status):
        response = client_for("products").post("/api/products", headers=admin_headers, **kwargs)
        assert_matches(response, "/api/products", "post", status)

    def test_a_malformed_id_matches(self, client_for, admin_headers):
        response = client_for("category").delete("/api/categories/12", headers=admin_headers)
        assert_problem(response, 422, "validation-error", "id")
        assert_matches(response, "/api/categories/{ref}", "delete", 422)

    def test_a_method_the_function_does_not_answer_matches(self, client_for):
        response = client_for("products").put("/api/products", json={})
        # 405 is documented on the path's operations: OpenAPI has no place for other methods.
        assert_matches(response, "/api/products", "get", 405)
        assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


class TestMedia:
    def test_an_image_and_its_revalidation_match(self, client_for):
        name = sorted(p.name for p in MEDIA_DIR.glob("*.svg"))[0]
        response = client_for("media").get(f"/media/catalog/{name}")
        assert_matches(response, "/media/catalog/{file}", "get", 200)
        again = client_for("media").get(f"/media/catalog/{name}",
                                        headers={"If-None-Match": response.headers["ETag"]})
        assert_matches(again, "/media/catalog/{file}", "get", 304)

    def test_a_missing_image_matches(self, client_for):
        response = client_for("media").get("/media/catalog/missing.svg")
        assert_matches(response, "/media/catalog/{file}", "get", 404)


class TestTheContractIsStrict:
    """A wrong shape fails: the schemas are closed and their required lists complete."""

    @pytest.mark.parametrize("tamper", [
        lambda p: p.update(surprise=1),
        lambda p: p.pop("in_stock"),
        lambda p: p["price"].update(amount_minor=19.99),
        lambda p: p.update(created_at="2026-11-26T10:00:00+01:00"),
        lambda p: p.update(id="not-a-uuid"),
        lambda p: p["images"][0].pop("position"),
    ])
    def test_a_tampered_product_fails(self, client_for, shelf, tamper):
        product = client_for("product").get(f"/api/products/{shelf['products'][0]['id']}").get_json()
        tampered = copy.deepcopy(product)
        tamper(tampered)
        validator = validator_at("/components/schemas/Product")
        assert validator.is_valid(product) and not validator.is_valid(tampered)

    def test_a_tampered_nested_child_fails(self, client_for, shelf):
        found = client_for("category").get(f"/api/categories/{shelf['parent']['id']}").get_json()
        validator = validator_at("/components/schemas/Category")
        tampered = copy.deepcopy(found)
        tampered["children"][0]["path"] = []  # only the asked category carries a path
        assert validator.is_valid(found) and not validator.is_valid(tampered)

    def test_a_problem_of_another_kind_or_with_extra_members_fails(self, client_for):
        response = client_for("product").get(f"/api/products/{uuid.uuid4()}")
        assert_matches(response, "/api/products/{ref}", "get", 404)
        problem = response.get_json()
        assert not validator_at("/components/schemas/ConflictProblem").is_valid(problem)
        assert not validator_at("/components/schemas/NotFoundProblem").is_valid(
            problem | {"extension": True})

    def test_an_undocumented_status_fails(self):
        with pytest.raises(AssertionError, match="does not document 409"):
            documented_response("/api/products/{ref}", "get", 409)
