"""GET /api/products: full text, filters, sorts, pages and cursors, facets."""

import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.integration.catalog.conftest import assert_problem


def _price(amount: int) -> dict:
    return {"amount_minor": amount, "currency": "USD"}


@pytest.fixture(scope="module")
def shelf(client_for, admin_headers, database_url):
    """A small catalog of its own: products share a marker word no other test uses."""
    marker = "zq" + uuid.uuid4().hex[:8]
    client = client_for("categories")

    def category(name, parent=None):
        body = {"name": f"{name} {marker}", "parent_id": parent}
        return client.post("/api/categories", json=body, headers=admin_headers).get_json()

    kitchen = category("Kitchen")
    mugs = category("Mugs", kitchen["id"])
    garden = category("Garden")
    specs = [
        ("Stoneware Mug", mugs, 1500, "Glazed stoneware mug for coffee", True),
        ("Enamel Mug", mugs, 900, "Camping mug, enamel, light", False),
        ("Chef Knife", kitchen, 4500, "Stainless steel chef knife", True),
        ("Garden Hose", garden, 3000, "Flexible hose, stainless steel fittings", True),
        ("Watering Can", garden, 2000, "Galvanised watering can, fits any hose", True),
    ]
    products = {}
    for name, cat, amount, description, in_stock in specs:
        body = {"sku": f"S-{uuid.uuid4().hex[:8].upper()}", "name": name,
                "description": f"{description}. {marker}", "price": _price(amount),
                "category_id": cat["id"]}
        made = client_for("products").post("/api/products", json=body, headers=admin_headers).get_json()
        products[name] = made | {"stocked": in_stock}
    engine = create_engine(database_url)  # availability is fed by inventory's events: set it here
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO catalog.availability (sku, in_stock) VALUES (:sku, :s)"),
                     [{"sku": p["sku"], "s": p["stocked"]} for p in products.values()])
    engine.dispose()
    return {"marker": marker, "kitchen": kitchen, "mugs": mugs, "garden": garden, "products": products}


def search(client_for, **params):
    response = client_for("products").get("/api/products", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def names(page) -> list[str]:
    return [item["name"] for item in page["items"]]


class TestFullText:
    def test_a_word_in_the_name_ranks_above_one_in_the_description(self, client_for, shelf):
        page = search(client_for, q=f"hose {shelf['marker']}")
        assert names(page) == ["Garden Hose", "Watering Can"]
        assert page["sort"] == "relevance"

    def test_words_match_as_prefixes_and_stems(self, client_for, shelf):
        assert names(search(client_for, q=f"mug {shelf['marker']}", sort="name")) == [
            "Enamel Mug", "Stoneware Mug"]
        assert "Watering Can" in names(search(client_for, q=f"water {shelf['marker']}"))

    def test_a_query_with_no_matching_product_is_an_empty_page(self, client_for, shelf):
        page = search(client_for, q=f"submarine {shelf['marker']}")
        assert page["items"] == [] and page["total"] == 0 and page["facets"]["categories"] == []


class TestFilters:
    def test_a_category_filter_includes_its_descendants(self, client_for, shelf):
        page = search(client_for, q=shelf["marker"], category=shelf["kitchen"]["slug"], sort="price")
        assert names(page) == ["Enamel Mug", "Stoneware Mug", "Chef Knife"]
        assert page["total"] == 3

    def test_price_bounds_are_inclusive_minor_units(self, client_for, shelf):
        page = search(client_for, q=shelf["marker"], min_price=1500, max_price=3000, sort="price")
        assert names(page) == ["Stoneware Mug", "Watering Can", "Garden Hose"]

    def test_in_stock_filter_uses_availability(self, client_for, shelf):
        assert names(search(client_for, q=shelf["marker"], in_stock="false")) == ["Enamel Mug"]
        assert search(client_for, q=shelf["marker"], in_stock="true")["total"] == 4

    def test_a_sku_list_gives_just_those_products_and_leaves_out_unknown_ones(self, client_for, shelf):
        mug, knife = shelf["products"]["Stoneware Mug"], shelf["products"]["Chef Knife"]
        page = search(client_for, sku=f"{mug['sku']},NO-SUCH-SKU-1,{knife['sku']},{mug['sku']}", sort="name")
        assert names(page) == ["Chef Knife", "Stoneware Mug"] and page["total"] == 2
        assert {item["sku"]: item["price"] for item in page["items"]} == {
            mug["sku"]: _price(1500), knife["sku"]: _price(4500)}

    def test_an_unknown_category_matches_nothing(self, client_for, shelf):
        assert search(client_for, q=shelf["marker"], category="no-such-category")["total"] == 0


class TestFacets:
    def test_facets_count_every_category_for_the_query_ignoring_the_category_filter(
            self, client_for, shelf):
        page = search(client_for, q=shelf["marker"], category=shelf["garden"]["id"])
        counts = {f["id"]: f["count"] for f in page["facets"]["categories"]}
        assert counts == {shelf["kitchen"]["id"]: 3, shelf["mugs"]["id"]: 2, shelf["garden"]["id"]: 2}
        assert page["total"] == 2


class TestSortAndPages:
    @pytest.mark.parametrize("sort, expected", [
        ("price", ["Enamel Mug", "Stoneware Mug", "Watering Can", "Garden Hose", "Chef Knife"]),
        ("-price", ["Chef Knife", "Garden Hose", "Watering Can", "Stoneware Mug", "Enamel Mug"]),
        ("name", ["Chef Knife", "Enamel Mug", "Garden Hose", "Stoneware Mug", "Watering Can"]),
        ("newest", ["Watering Can", "Garden Hose", "Chef Knife", "Enamel Mug", "Stoneware Mug"]),
    ])
    def test_each_sort_orders_the_whole_result(self, client_for, shelf, sort, expected):
        assert names(search(client_for, q=shelf["marker"], sort=sort)) == expected

    def test_pages_split_the_result_without_overlap(self, client_for, shelf):
        pages = [search(client_for, q=shelf["marker"], sort="price", page=n, page_size=2)
                 for n in (1, 2, 3)]
        assert [names(p) for p in pages] == [
            ["Enamel Mug", "Stoneware Mug"], ["Watering Can", "Garden Hose"], ["Chef Knife"]]
        assert all(p["total"] == 5 and p["page_size"] == 2 for p in pages)

    @pytest.mark.parametrize("sort", ["price", "-price", "name", "newest", "relevance"])
    def test_cursors_walk_the_result_in_order(self, client_for, shelf, sort):
        whole = names(search(client_for, q=f"{shelf['marker']}", sort=sort))
        seen, cursor = [], None
        for _ in range(5):
            params = {"q": shelf["marker"], "sort": sort, "page_size": 2}
            page = search(client_for, **params, **({"cursor": cursor} if cursor else {}))
            seen += names(page)
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == whole

    @pytest.mark.parametrize("params, field", [
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "abc"}, "page"),
        ({"min_price": "-1"}, "min_price"),
        ({"min_price": "10", "max_price": "5"}, "max_price"),
        ({"sort": "cheap"}, "sort"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"colour": "red"}, "colour"),
        ({"sku": "lower-case"}, "sku"),
        ({"sku": "A,,B"}, "sku"),
        ({"sku": ",".join(f"S-{n}" for n in range(101))}, "sku"),
    ])
    def test_bad_query_parameters_are_named(self, client_for, params, field):
        response = client_for("products").get("/api/products", query_string=params)
        assert_problem(response, 422, "validation-error", field)

    def test_a_cursor_from_another_sort_is_refused(self, client_for, shelf):
        cursor = search(client_for, q=shelf["marker"], sort="price", page_size=1)["next_cursor"]
        response = client_for("products").get("/api/products",
                                              query_string={"sort": "name", "cursor": cursor})
        assert_problem(response, 422, "validation-error", "cursor")


class TestStatus:
    """Admins find deactivated products (to restore them) with `status`; nobody else may ask."""

    def test_an_admin_lists_deactivated_products_and_everyone_else_never_sees_them(
            self, client_for, admin_headers, customer_headers):
        marker = "zs" + uuid.uuid4().hex[:8]
        made = []
        for name in ("Retired Lamp", "Current Lamp"):
            body = {"sku": f"S-{uuid.uuid4().hex[:8].upper()}", "name": f"{name} {marker}", "price": _price(100)}
            made.append(client_for("products").post("/api/products", json=body, headers=admin_headers).get_json())
        retired, current = made
        assert client_for("product").delete(f"/api/products/{retired['id']}", headers=admin_headers).status_code == 204

        def found(status=None, headers=None):
            params = {"q": marker} | ({"status": status} if status else {})
            response = client_for("products").get("/api/products", query_string=params, headers=headers or {})
            return response

        assert [p["id"] for p in found().get_json()["items"]] == [current["id"]]
        assert [p["id"] for p in found(headers=admin_headers).get_json()["items"]] == [current["id"]]
        inactive = found("inactive", admin_headers).get_json()
        assert [p["id"] for p in inactive["items"]] == [retired["id"]] and inactive["items"][0]["active"] is False
        assert {p["id"] for p in found("any", admin_headers).get_json()["items"]} == {retired["id"], current["id"]}
        for headers in (None, customer_headers):
            assert_problem(found("inactive", headers), 403, "forbidden")
        assert_problem(found("retired", admin_headers), 422, "validation-error", "status")
