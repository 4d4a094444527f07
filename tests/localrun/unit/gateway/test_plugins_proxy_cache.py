"""Kong's proxy-cache as the local gateway runs it (memory strategy), with a fake clock."""

from __future__ import annotations

import pytest

from localrun.gateway.plugins.proxy_cache import parse_directives
from tests.localrun.unit.gateway.test_plugins import Clock, chain_of, kong, plugin, request, route


@pytest.fixture(autouse=True)
def proxy_cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCALRUN_PROXY_CACHE", "on")


JSON = [("Content-Type", "application/json"), ("Cache-Control", "public, max-age=5"), ("ETag", '"e1"')]


def cached(**config):
    return kong(route("r", plugin("proxy-cache", **{"strategy": "memory", "response_code": [200],
                                                    "content_type": ["application/json"], **config})))


def exchange(chain, ctx, status=200, headers=JSON, body=b'{"v":1}'):
    """Run one request: access (a Hit answers), else the upstream's answer through the filters."""
    answer = chain.access(ctx)
    if answer is not None:
        out = list(answer.headers) + ([("Content-Type", answer.content_type)] if answer.content_type else [])
        chain.header_filter(ctx, answer.status, out)
        return answer.status, dict(out), answer.body
    out = list(headers)
    chain.header_filter(ctx, status, out)
    chain.body_filter(ctx, status, body)
    return status, dict(out), body


class TestProxyCache:
    def test_miss_then_hit_with_age_key_and_the_stored_answer(self) -> None:
        clock = Clock(1000.0)
        chain = chain_of(cached(cache_control=True), clock=clock)
        status, headers, _ = exchange(chain, request(query="q=a&b=1"))
        assert status == 200 and headers["X-Cache-Status"] == "Miss" and len(headers["X-Cache-Key"]) == 64
        clock.now += 2
        status, headers2, body = exchange(chain, request(query="b=1&q=a"), body=b"never sent")
        assert (status, body) == (200, b'{"v":1}')
        assert headers2["X-Cache-Status"] == "Hit" and headers2["Age"] == "2"
        assert headers2["X-Cache-Key"] == headers["X-Cache-Key"]  # parameters in any order: one key
        assert headers2["ETag"] == '"e1"' and headers2["Content-Type"] == "application/json"

    def test_an_answer_is_never_served_past_its_max_age(self) -> None:
        clock = Clock(1000.0)
        chain = chain_of(cached(cache_control=True), clock=clock)
        exchange(chain, request())
        clock.now += 4.9
        assert exchange(chain, request(), body=b'{"v":2}')[2] == b'{"v":1}'
        clock.now += 0.2  # 5.1 s after it was stored: gone, whatever cache_ttl says
        status, headers, body = exchange(chain, request(), body=b'{"v":2}')
        assert headers["X-Cache-Status"] == "Miss" and body == b'{"v":2}'

    def test_without_cache_control_cache_ttl_decides(self) -> None:
        clock = Clock(1000.0)
        chain = chain_of(cached(cache_ttl=2), clock=clock)
        exchange(chain, request(), headers=[("Content-Type", "application/json")])
        clock.now += 1
        assert exchange(chain, request())[1]["X-Cache-Status"] == "Hit"
        clock.now += 1.5
        assert exchange(chain, request())[1]["X-Cache-Status"] == "Miss"

    @pytest.mark.parametrize("headers", [{"Cache-Control": "no-cache"}, {"Cache-Control": "no-store"},
                                         {"Authorization": "Bearer x"}])
    def test_requests_that_refuse_a_cache_bypass_it(self, headers) -> None:
        chain = chain_of(cached(cache_control=True), clock=Clock(0.0))
        exchange(chain, request())
        status, out, body = exchange(chain, request(headers=headers), body=b'{"v":2}')
        assert out["X-Cache-Status"] == "Bypass" and body == b'{"v":2}' and "X-Cache-Key" not in out

    @pytest.mark.parametrize("status,headers", [
        (404, JSON),
        (200, [("Content-Type", "text/html")]),
        (200, [("Content-Type", "application/json"), ("Cache-Control", "private, max-age=5")]),
        (200, [("Content-Type", "application/json"), ("Cache-Control", "no-cache")]),
        (200, [("Content-Type", "application/json")]),  # no max-age: nothing to keep it for
    ])
    def test_uncacheable_answers_are_bypassed_and_not_stored(self, status, headers) -> None:
        chain = chain_of(cached(cache_control=True), clock=Clock(0.0))
        assert exchange(chain, request(), status, headers)[1]["X-Cache-Status"] == "Bypass"
        assert exchange(chain, request(), status, headers)[1]["X-Cache-Status"] == "Bypass"

    def test_client_max_age_asks_for_a_fresher_one(self) -> None:
        clock = Clock(0.0)
        chain = chain_of(cached(cache_control=True), clock=clock)
        exchange(chain, request())
        clock.now += 3
        out = exchange(chain, request(headers={"Cache-Control": "max-age=1"}))[1]
        assert out["X-Cache-Status"] == "Refresh"

    def test_only_if_cached_with_nothing_stored_is_a_504(self) -> None:
        chain = chain_of(cached(cache_control=True), clock=Clock(0.0))
        assert chain.access(request(headers={"Cache-Control": "only-if-cached"})).status == 504

    def test_methods_and_per_request_headers(self) -> None:
        chain = chain_of(cached(cache_control=True), clock=Clock(0.0))
        assert exchange(chain, request("POST"))[1]["X-Cache-Status"] == "Bypass"
        exchange(chain, request(), headers=JSON + [("X-Request-ID", "old"), ("RateLimit-Remaining", "3")])
        hit = exchange(chain, request())[1]
        assert hit["X-Cache-Status"] == "Hit" and "X-Request-ID" not in hit and "RateLimit-Remaining" not in hit

    def test_response_headers_can_be_hidden(self) -> None:
        chain = chain_of(cached(cache_control=True, response_headers={"X-Cache-Key": False}), clock=Clock(0.0))
        assert "X-Cache-Key" not in exchange(chain, request())[1]

    def test_config_is_validated_as_kong_does(self) -> None:
        with pytest.raises(ValueError, match="strategy"):
            chain_of(kong(route("r", plugin("proxy-cache"))))
        with pytest.raises(ValueError, match="strategy"):
            chain_of(kong(route("r", plugin("proxy-cache", strategy="redis"))))
        with pytest.raises(ValueError, match="cache_ttl"):
            chain_of(cached(cache_ttl=0))
        with pytest.raises(ValueError, match="unknown"):
            chain_of(cached(nope=1))

    def test_off_unless_switched_on(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("LOCALRUN_PROXY_CACHE")
        chain = chain_of(cached(cache_control=True), clock=Clock(0.0))
        exchange(chain, request())
        assert "X-Cache-Status" not in exchange(chain, request())[1]

    def test_directives_parse_like_kong(self) -> None:
        assert parse_directives('public, max-age=5, X="y"') == {"public": True, "max-age": 5, "x": '"y"'}
        assert parse_directives(None) == {}


def test_kong_yaml_caches_the_public_catalog_reads_only() -> None:
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[4] / "knative/kong/kong.yaml").read_text())
    cached_routes = {r["name"] for s in config["services"] for r in s.get("routes", [])
                     if any(p["name"] == "proxy-cache" for p in r.get("plugins") or [])}
    assert cached_routes == {"catalog-categories", "catalog-category", "catalog-products", "catalog-product"}
