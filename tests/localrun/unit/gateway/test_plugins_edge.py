"""key-auth, the serverless plugins' known Lua chunks, and the repository's kong.yaml as a whole."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest

from localrun.gateway.plugins import build_plugins, load_gateway
from localrun.gateway.plugins.serverless import EVENT_TYPE_LUA, RATE_SUBJECT_LUA, REQUEST_ID_LUA
from localrun.gateway.proxy import kong_headers
from localrun.gateway.vault import secrets_env
from tests.localrun.unit.gateway.test_plugins import REQUEST_ID, chain_of, kong, plugin, request, route, run

REPO = Path(__file__).resolve().parents[4]
PRODUCER = {"username": "producer-warehouse", "custom_id": "warehouse",
            "keyauth_credentials": [{"key": "s3cret"}]}


def key_auth(**config: Any) -> dict[str, Any]:
    return kong(route("r", plugin("key-auth", **config)), consumers=[PRODUCER])


class TestKeyAuth:
    def test_no_key_is_401_with_the_error_template_and_www_authenticate(self) -> None:
        status, headers, body = run(chain_of(key_auth()), request("POST"))
        assert status == 401 and json.loads(body) == {"message": "No API key found in request",
                                                      "request_id": REQUEST_ID}
        assert headers["WWW-Authenticate"] == "Key"

    def test_a_wrong_key_is_unauthorized_and_a_realm_is_named(self) -> None:
        status, headers, body = run(chain_of(key_auth(realm="events")), request(headers={"apikey": "nope"}))
        assert status == 401 and json.loads(body)["message"] == "Unauthorized"
        assert headers["WWW-Authenticate"] == 'Key realm="events"'

    def test_the_key_authenticates_the_consumer_and_spoofed_headers_are_overwritten(self) -> None:
        ctx = request(headers={"apikey": "s3cret", "X-Consumer-Username": "producer-accounts",
                               "X-Consumer-Custom-ID": "x", "X-Anonymous-Consumer": "true"})
        assert chain_of(key_auth(hide_credentials=True)).access(ctx) is None
        up = {k: v for k, v in ctx.upstream.values()}
        assert up["X-Consumer-Username"] == "producer-warehouse" and up["X-Consumer-Custom-ID"] == "warehouse"
        assert up["X-Anonymous-Consumer"] is None and up["apikey"] is None  # cleared upstream
        assert up["X-Credential-Identifier"] == ctx.credential.id

    def test_duplicate_keys_and_query_keys(self) -> None:
        message = request(headers={"apikey": "s3cret"})
        message.headers["apikey"] = "other"
        assert json.loads(run(chain_of(key_auth()), message)[2])["message"] == "Duplicate API key found"
        ctx = request(query="apikey=s3cret&x=1")
        assert chain_of(key_auth(hide_credentials=True)).access(ctx) is None and ctx.query == "x=1"
        assert run(chain_of(key_auth(key_in_query=False)), request(query="apikey=s3cret"))[0] == 401

    def test_anonymous_and_bad_configs(self) -> None:
        config = kong(route("r", plugin("key-auth", anonymous="anon")),
                      consumers=[PRODUCER, {"username": "anon"}])
        ctx = request()
        assert chain_of(config).access(ctx) is None and ctx.consumer.username == "anon"
        with pytest.raises(ValueError, match="key_in_body"):
            build_plugins(key_auth(key_in_body=True))
        with pytest.raises(ValueError, match="used twice"):
            build_plugins(kong(route("r"), consumers=[PRODUCER, {"username": "b", "keyauth_credentials": [
                {"key": "s3cret"}]}]))


def bearer(sub: str) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"sub": sub, "iss": "x"}).encode()).rstrip(b"=").decode()
    return f"Bearer eyJhbGciOiJSUzI1NiJ9.{claims}.c2ln"


class TestServerless:
    def test_a_malformed_request_id_is_dropped_so_correlation_id_makes_one(self) -> None:
        config = kong(route("r"), plugins=[plugin("pre-function", access=[REQUEST_ID_LUA]),
                                           plugin("correlation-id", header_name="X-Request-ID",
                                                  generator="uuid", echo_downstream=True)])
        for bad in ("a b", "x" * 201, "id\x01", "<script>", ""):
            status, headers, _ = run(chain_of(config), request(headers={"X-Request-ID": bad}))
            assert headers["X-Request-ID"] != bad and len(headers["X-Request-ID"]) == 36
        _, headers, _ = run(chain_of(config), request(headers={"X-Request-ID": "req-1:a/b+c=@~"}))
        assert headers["X-Request-ID"] == "req-1:a/b+c=@~"

    def test_the_rate_subject_comes_from_the_token_and_never_from_the_client(self) -> None:
        config = kong(route("r"), plugins=[plugin("pre-function", access=[RATE_SUBJECT_LUA]),
                                           plugin("rate-limiting", minute=2, limit_by="header",
                                                  header_name="X-Rate-Subject")])
        chain = chain_of(config)
        for who in ("ada", "bob"):
            for _ in range(2):
                assert chain.access(request(headers={"Authorization": bearer(who),
                                                     "X-Rate-Subject": "shared"})) is None
        assert chain.access(request(headers={"Authorization": bearer("ada")})).status == 429
        assert chain.access(request(headers={"X-Rate-Subject": "forged"}, client_ip="10.9.9.9")) is None

    def test_a_producer_sends_only_the_event_types_its_consumer_is_tagged_with(self) -> None:
        producer = PRODUCER | {"tags": ["event~com.ecom.tests.thing.counted"]}
        config = kong(route("r", plugin("key-auth"), plugin("post-function", access=[EVENT_TYPE_LUA])),
                      consumers=[producer])
        chain = chain_of(config)
        allowed = request("POST", headers={"apikey": "s3cret", "ce-type": "com.ecom.tests.thing.counted"})
        assert chain.access(allowed) is None
        refused = chain.access(request("POST", headers={"apikey": "s3cret", "ce-type": "com.ecom.accounts.x"}))
        assert refused.status == 403 and refused.content_type == "application/problem+json"
        problem = json.loads(refused.body)
        assert problem["errors"] == [{"field": "type", "message": "not allowed for this producer"}]
        assert "producer 'producer-warehouse'" in problem["detail"]

    def test_a_structured_event_is_checked_by_its_type_and_a_hostile_type_is_not_echoed(self) -> None:
        config = kong(route("r", plugin("key-auth"), plugin("post-function", access=[EVENT_TYPE_LUA])),
                      consumers=[PRODUCER | {"tags": ["event~t.ok"]}])
        chain = chain_of(config)

        def structured(body: bytes):
            return request("POST", headers={"apikey": "s3cret", "Content-Type": "application/cloudevents+json"},
                           body=body)

        assert chain.access(structured(b'{"type": "t.ok", "specversion": "1.0"}')) is None
        refused = chain.access(structured(b'{"type": "t.\\"evil\\"", "specversion": "1.0"}'))
        assert refused.status == 403 and json.loads(refused.body)["detail"].startswith("this type ")
        assert chain.access(structured(b"not json")) is None  # no type to judge: the ingress answers 400

    def test_unknown_lua_and_unsupported_phases_are_load_errors(self) -> None:
        with pytest.raises(ValueError, match="no Python twin.*kong.log.err"):
            build_plugins(kong(route("r"), plugins=[plugin("pre-function", access=['kong.log.err("x")'])]))
        with pytest.raises(ValueError, match="config.log"):
            build_plugins(kong(route("r"), plugins=[plugin("post-function", log=["x"])]))


def test_kong_headers_setting() -> None:
    assert kong_headers(None) >= {"server", "via", "x-kong-request-id", "x-kong-proxy-latency"}
    assert kong_headers("off") == frozenset()
    assert kong_headers("latency_tokens, X-Kong-Request-Id") == {
        "x-kong-proxy-latency", "x-kong-response-latency", "x-kong-upstream-latency",
        "x-kong-admin-latency", "x-kong-request-id"}


@pytest.fixture(scope="module")
def loaded(signing_key: tuple[str, str]):
    from localrun.dev.stack import secrets_for

    return load_gateway(REPO / "knative" / "kong" / "kong.yaml",
                        secrets_env(secrets_for("postgresql+pg8000://u@h/x", signing_key, "k")))


class TestRepositoryKong:
    USER_PATHS = ("/api/users/", "/api/admin/", "/api/cart", "/api/orders", "/api/payments")

    def test_every_route_for_users_has_jwt_then_a_per_user_rate_limit(self, loaded) -> None:
        router, plugins = loaded
        import yaml

        config = yaml.safe_load((REPO / "knative" / "kong" / "kong.yaml").read_text())
        from localrun.gateway.kong import iter_routes

        protected = 0
        for route_id, _, r in iter_routes(config):
            writes = set(r.get("methods") or ()) & {"POST", "PATCH", "DELETE"}
            path = r["paths"][0].lstrip("~")
            needs_user = path.startswith(self.USER_PATHS) or (writes and path.startswith(("/api/categories",
                                                                                            "/api/products")))
            names = plugins.chain_for(route_id).names
            if needs_user:
                protected += 1
                assert names.index("pre-function") < names.index("jwt") < names.index("rate-limiting"), r["name"]
                limit = plugins.chain_for(route_id).get("rate-limiting")
                assert (limit.limit_by, limit.header_name) == ("header", "X-Rate-Subject"), r["name"]
            else:
                assert "jwt" not in names, r["name"]
        assert protected == 33  # accounts 6, catalog writes 4, inventory admin 6, orders 10, payments 6, reporting 1

    def test_signed_in_users_get_a_bucket_each(self, loaded, signing_key: tuple[str, str]) -> None:
        router, plugins = loaded
        match = router.match("GET", "/api/users/me")
        chain = plugins.chain(match)
        now = int(time.time())
        limit = chain.get("rate-limiting")
        tokens = {who: pyjwt.encode({"iss": "ecom-accounts", "sub": who, "exp": now + 600}, signing_key[0],
                                    algorithm="RS256") for who in ("ada", "bob")}
        for who in ("ada", "ada", "bob"):
            ctx = request(headers={"Authorization": f"Bearer {tokens[who]}"}, route_id=match.route_id)
            assert chain.access(ctx) is None
        assert limit.counters.take("ada", [("minute", now - now % 60, 15000)], now)[0] >= 2
        assert limit.counters.take("bob", [("minute", now - now % 60, 15000)], now)[0] >= 1

    def test_each_producers_tags_are_the_types_events_catalog_allows_it(self) -> None:
        import yaml

        config = yaml.safe_load((REPO / "knative" / "kong" / "kong.yaml").read_text())
        catalog = yaml.safe_load((REPO / "events" / "catalog.yaml").read_text())
        allowed = {p["consumer"]: {f"event~{t}" for t in p["types"]} for p in catalog["outside_producers"]}
        tagged = {c["username"]: {t for t in c.get("tags", []) if t.startswith("event~")}
                  for c in config["consumers"] if c["username"].startswith("producer-")}
        assert tagged == allowed

    def test_the_event_ingress_needs_a_producer_key(self, loaded) -> None:
        router, plugins = loaded
        match = router.match("POST", "/events")
        answer = plugins.chain(match).access(request("POST", "/events", route_id=match.route_id))
        assert answer is not None and answer.status == 401
