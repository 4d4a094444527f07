"""The local gateway's router follows Kong's traditional router for the features we use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localrun.gateway.kong import Router, load_kong

REPO = Path(__file__).resolve().parents[4]


def service(name: str, *routes: dict[str, Any], url: str | None = None) -> dict[str, Any]:
    return {"name": name, "url": url or f"http://{name}.ecom.svc.cluster.local", "routes": list(routes)}


def route(name: str, *paths: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "paths": list(paths), **fields}


def router(*services: dict[str, Any]) -> Router:
    return Router({"_format_version": "3.0", "services": list(services)})


def target(r: Router, method: str, path: str) -> str | None:
    m = r.match(method, path)
    return None if m is None else m.service


class TestRegexPaths:
    def test_regex_path_is_anchored_at_start(self) -> None:
        r = router(service("products", route("products", "~/api/products")))
        assert target(r, "GET", "/api/products") == "products"
        assert target(r, "GET", "/v2/api/products") is None

    def test_regex_path_without_dollar_matches_longer_paths(self) -> None:
        r = router(service("products", route("products", "~/api/products")))
        assert target(r, "GET", "/api/products/abc") == "products"

    def test_dollar_anchors_the_end(self) -> None:
        r = router(service("products", route("products", "~/api/products$")))
        assert target(r, "GET", "/api/products") == "products"
        assert target(r, "GET", "/api/products/abc") is None

    def test_character_classes_match_one_segment(self) -> None:
        r = router(service("product", route("product", "~/api/products/[^/]+$")))
        assert target(r, "GET", "/api/products/abc") == "product"
        assert target(r, "GET", "/api/products/abc/images") is None

    def test_higher_regex_priority_is_tried_first(self) -> None:
        r = router(
            service("generic", route("generic", "~/api/.+")),
            service("special", route("special", "~/api/special", regex_priority=10)),
        )
        assert target(r, "GET", "/api/special") == "special"

    def test_equal_regex_priority_keeps_file_order(self) -> None:
        r = router(
            service("first", route("first", "~/api/.+")),
            service("second", route("second", "~/api/special")),
        )
        assert target(r, "GET", "/api/special") == "first"

    def test_regex_routes_are_tried_before_prefix_routes(self) -> None:
        r = router(
            service("prefix", route("prefix", "/api/products/featured")),
            service("regex", route("regex", "~/api/products/[^/]+$")),
        )
        assert target(r, "GET", "/api/products/featured") == "regex"


class TestPrefixPaths:
    def test_prefix_path_matches_everything_below_it(self) -> None:
        r = router(service("api", route("api", "/api")))
        assert target(r, "GET", "/api/orders/1") == "api"
        assert target(r, "GET", "/other") is None

    def test_longest_prefix_wins_whatever_the_file_order(self) -> None:
        r = router(
            service("short", route("short", "/api")),
            service("long", route("long", "/api/orders")),
        )
        assert target(r, "GET", "/api/orders/1") == "long"
        assert target(r, "GET", "/api/products") == "short"

    def test_dot_segments_cannot_escape_a_prefix(self) -> None:
        r = router(service("public", route("public", "/public")), service("admin", route("admin", "/admin")))
        assert target(r, "GET", "/public/../admin/users") == "admin"


class TestMethods:
    def test_method_mismatch_matches_nothing(self) -> None:
        r = router(service("products", route("products", "~/api/products$", methods=["GET", "POST"])))
        assert target(r, "DELETE", "/api/products") is None

    def test_route_without_methods_takes_any_method(self) -> None:
        r = router(service("products", route("products", "/api/products")))
        assert target(r, "PATCH", "/api/products") == "products"

    def test_method_mismatch_falls_through_to_the_next_route(self) -> None:
        r = router(
            service("reader", route("reader", "~/api/products$", methods=["GET"])),
            service("writer", route("writer", "~/api/products$", methods=["POST"])),
        )
        assert target(r, "POST", "/api/products") == "writer"


class TestUpstreamPath:
    def test_strip_path_defaults_to_true_and_removes_the_prefix(self) -> None:
        r = router(service("orders", route("orders", "/api/orders")))
        m = r.match("GET", "/api/orders/42")
        assert m is not None and m.path == "/42" and m.stripped == "/api/orders"

    def test_strip_path_of_the_whole_path_forwards_root(self) -> None:
        r = router(service("orders", route("orders", "/api/orders")))
        m = r.match("GET", "/api/orders")
        assert m is not None and m.path == "/"

    def test_strip_path_false_keeps_the_path(self) -> None:
        r = router(service("orders", route("orders", "/api/orders", strip_path=False)))
        m = r.match("GET", "/api/orders/42")
        assert m is not None and m.path == "/api/orders/42" and m.stripped == ""

    def test_strip_path_removes_what_a_regex_matched(self) -> None:
        r = router(service("orders", route("orders", "~/api/v[0-9]+")))
        m = r.match("GET", "/api/v2/orders")
        assert m is not None and m.path == "/orders"

    def test_service_url_path_is_prepended(self) -> None:
        url = "http://broker.ecom.svc.cluster.local/ecom/default"
        r = router(service("broker", route("events", "/events"), url=url))
        m = r.match("POST", "/events")
        assert m is not None and m.path == "/ecom/default"

    def test_match_names_the_knative_service_and_its_host(self) -> None:
        r = router(service("kong-name", route("r", "/x"), url="http://catalog-products.ecom.svc.cluster.local"))
        m = r.match("GET", "/x")
        assert m is not None
        assert (m.service, m.ksvc) == ("kong-name", "catalog-products")
        assert m.upstream_host == "catalog-products.ecom.svc.cluster.local"


class TestValidation:
    def test_unknown_format_version_is_refused(self) -> None:
        with pytest.raises(ValueError, match="_format_version"):
            Router({"_format_version": "1.1", "services": []})

    def test_route_without_paths_is_refused(self) -> None:
        with pytest.raises(ValueError, match="no paths"):
            router(service("products", {"name": "products", "methods": ["GET"]}))

    def test_service_without_url_is_refused(self) -> None:
        with pytest.raises(ValueError, match="has no url"):
            Router({"_format_version": "3.0", "services": [{"name": "products", "routes": []}]})

    def test_bad_regex_is_refused_with_the_route_named(self) -> None:
        with pytest.raises(ValueError, match="bad-route"):
            router(service("products", route("bad-route", "~/api/(unclosed")))

    def test_host_matching_is_refused_rather_than_ignored(self) -> None:
        with pytest.raises(ValueError, match="hosts"):
            router(service("products", route("products", "/api", hosts=["shop.example"])))

    def test_file_errors_name_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "kong.yaml"
        path.write_text('_format_version: "2.1"\nservices: []\n')
        with pytest.raises(ValueError, match="kong.yaml"):
            load_kong(path)


class TestRepositoryConfig:
    def test_catalog_routes_reach_their_functions(self) -> None:
        r = Router.from_file(REPO / "knative" / "kong" / "kong.yaml")
        assert target(r, "GET", "/api/products") == "catalog-products"
        assert target(r, "GET", "/api/products/abc") == "catalog-product"
        m = r.match("GET", "/api/products")
        assert m is not None and m.ksvc == "catalog-products" and m.path == "/api/products"
