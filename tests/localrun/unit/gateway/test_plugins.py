"""The local gateway's Kong plugins: config, precedence, vault references, and each plugin's rules."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import yaml

from localrun.gateway.kong import resolve_references
from localrun.gateway.plugins import RequestContext, build_plugins, load_gateway
from localrun.gateway.plugins.base import Chain, Exit
from localrun.gateway.plugins.cors import normalize_origin
from localrun.gateway.plugins.rate_limiting import period_starts
from localrun.gateway.vault import VaultError, secrets_env

REQUEST_ID = "0123456789abcdef0123456789abcdef"


def kong(*routes: dict[str, Any], plugins: list[dict[str, Any]] | None = None,
         service_plugins: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    service = {"name": "svc", "url": "http://svc.ecom.svc.cluster.local", "routes": list(routes)}
    if service_plugins:
        service["plugins"] = service_plugins
    return {"_format_version": "3.0", "services": [service], "plugins": plugins or [], **extra}


def route(name: str, *plugins: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"name": name, "paths": [f"/{name}"], "plugins": list(plugins), **fields}


def plugin(name: str, **config: Any) -> dict[str, Any]:
    return {"name": name, "config": config}


def request(method: str = "GET", path: str = "/r", headers: dict[str, str] | None = None, *,
            query: str = "", body: bytes = b"", client_ip: str = "10.0.0.1", route_id: int = 0,
            service: str = "svc") -> RequestContext:
    message = Message()
    for name, value in (headers or {}).items():
        message[name] = value
    return RequestContext(method, path, query, message, client_ip, service, route_id, REQUEST_ID, lambda: body)


def run(chain: Chain, ctx: RequestContext, upstream: list[tuple[str, str]] | None = None
        ) -> tuple[int, dict[str, str], bytes]:
    """Run access, then header_filter on the answer (the plugin's, or a 200 from the upstream)."""
    answer = chain.access(ctx)
    status, headers, body = (answer.status, list(answer.headers), answer.body) if answer else (200, list(upstream or []), b"")
    chain.header_filter(ctx, status, headers)
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return status, merged, body


def chain_of(config: dict[str, Any], route_id: int = 0, clock: Callable[[], float] | None = None) -> Chain:
    chain = build_plugins(config, clock=clock).chain_for(route_id)
    assert chain is not None
    return chain


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TestConfig:
    def test_defaults_from_kong_schemas_fill_missing_fields(self) -> None:
        chain = chain_of(kong(route("r", plugin("correlation-id"), plugin("rate-limiting", minute=5),
                                    plugin("request-size-limiting"), plugin("cors"))))
        assert chain.get("correlation-id").config == {  # type: ignore[union-attr]
            "header_name": "Kong-Request-ID", "generator": "uuid#counter", "echo_downstream": False}
        limits = chain.get("rate-limiting").config  # type: ignore[union-attr]
        assert (limits["limit_by"], limits["policy"], limits["error_code"], limits["error_message"],
                limits["fault_tolerant"], limits["hide_client_headers"]) == \
            ("consumer", "local", 429, "API rate limit exceeded", True, False)
        assert chain.get("request-size-limiting").config == {  # type: ignore[union-attr]
            "allowed_payload_size": 128, "size_unit": "megabytes", "require_content_length": False}
        cors = chain.get("cors").config  # type: ignore[union-attr]
        assert cors["methods"] == ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"]
        assert cors["credentials"] is False and cors["preflight_continue"] is False and cors["origins"] is None

    def test_unknown_plugin_is_refused_by_name(self) -> None:
        with pytest.raises(ValueError, match="'oauth2'.*unknown plugin"):
            build_plugins(kong(route("r", plugin("oauth2"))))

    def test_prometheus_counts_what_its_config_asks_for_in_the_nodes_metrics(self) -> None:
        from localrun.gateway.plugins.prometheus import LogEntry

        plugins = build_plugins(kong(
            route("r", plugin("prometheus", status_code_metrics=True, latency_metrics=True, per_consumer=True)),
            route("quiet"), plugins=[plugin("prometheus")]))
        counted, quiet = plugins.chain_for(0), plugins.chain_for(1)
        assert counted is not None and quiet is not None and counted.wants_log
        ctx = request()
        ctx.route = "r"
        counted.log(ctx, LogEntry(201, "service", 30.0, 12.0, 100, 200))
        counted.log(ctx, LogEntry(401, "kong", 2.0, None, 90, 50))
        quiet.log(request(route_id=1), LogEntry(200, "service", 1.0, 1.0, 1, 1))  # every metric off by default
        reg = plugins.metrics.registry
        sample = reg.get_sample_value
        labels = {"service": "svc", "route": "r", "workspace": "default", "consumer": ""}
        assert sample("kong_http_requests_total", {**labels, "code": "201", "source": "service"}) == 1
        assert sample("kong_http_requests_total", {**labels, "code": "401", "source": "kong"}) == 1
        latency = {"service": "svc", "route": "r", "workspace": "default"}
        assert sample("kong_request_latency_ms_count", latency) == 2
        assert sample("kong_request_latency_ms_sum", latency) == 32.0
        assert sample("kong_upstream_latency_ms_count", latency) == 1  # the gateway's own 401 asked no upstream
        assert sample("kong_kong_latency_ms_sum", latency) == 18.0 + 2.0
        assert sample("kong_bandwidth_bytes_total", {**labels, "direction": "ingress"}) is None  # not asked for
        assert sample("kong_http_requests_total", {**labels, "route": "1", "code": "200", "source": "service"}) \
            is None

    def test_prometheus_config_is_kongs(self) -> None:
        with pytest.raises(ValueError, match="config.per_consumers"):
            build_plugins(kong(route("r"), plugins=[plugin("prometheus", per_consumers=True)]))

    def test_unknown_config_field_is_refused(self) -> None:
        with pytest.raises(ValueError, match="config.minutes"):
            build_plugins(kong(route("r", plugin("rate-limiting", minutes=5))))

    def test_wrong_type_and_enum_are_refused(self) -> None:
        with pytest.raises(ValueError, match="config.echo_downstream: expected a boolean"):
            build_plugins(kong(route("r", plugin("correlation-id", echo_downstream="yes"))))
        with pytest.raises(ValueError, match="config.generator: expected one of"):
            build_plugins(kong(route("r", plugin("correlation-id", generator="random"))))

    def test_rate_limiting_needs_a_limit_in_order_and_the_local_policy(self) -> None:
        with pytest.raises(ValueError, match="at least one of these fields"):
            build_plugins(kong(route("r", plugin("rate-limiting"))))
        with pytest.raises(ValueError, match=re.escape("The limit for minute(5.0) cannot be lower than "
                                                       "the limit for second(10.0)")):
            build_plugins(kong(route("r", plugin("rate-limiting", second=10, minute=5))))
        with pytest.raises(ValueError, match="only 'local'"):
            build_plugins(kong(route("r", plugin("rate-limiting", minute=5, policy="redis"))))
        with pytest.raises(ValueError, match="header_name"):
            build_plugins(kong(route("r", plugin("rate-limiting", minute=5, limit_by="header"))))

    def test_jwt_maximum_expiration_needs_exp_verified(self) -> None:
        with pytest.raises(ValueError, match="claims_to_verify must contain 'exp'"):
            build_plugins(kong(route("r", plugin("jwt", maximum_expiration=60))))

    def test_cors_origin_must_be_a_regex(self) -> None:
        with pytest.raises(ValueError, match="is not a valid regex"):
            build_plugins(kong(route("r", plugin("cors", origins=["https://(unclosed"]))))

    def test_the_same_plugin_twice_on_one_route_is_refused(self) -> None:
        with pytest.raises(ValueError, match="declared twice"):
            build_plugins(kong(route("r", plugin("cors"), plugin("cors"))))

    def test_consumer_scoped_plugins_are_refused_not_ignored(self) -> None:
        with pytest.raises(ValueError, match="consumer-scoped"):
            build_plugins(kong(route("r"), plugins=[{"name": "cors", "consumer": "web"}]))

    def test_chain_runs_in_kong_priority_order(self) -> None:
        chain = chain_of(kong(route("r", plugin("rate-limiting", minute=5), plugin("request-size-limiting"),
                                    plugin("jwt"), plugin("cors"), plugin("correlation-id"))))
        assert chain.names == ("correlation-id", "cors", "jwt", "request-size-limiting", "rate-limiting")
        assert [p.priority for p in chain.plugins] == [100001, 2000, 1450, 951, 910]


class TestPrecedence:
    config = kong(
        route("a", plugin("rate-limiting", minute=1)),
        route("b"),
        plugins=[plugin("rate-limiting", minute=3)],
        service_plugins=[plugin("rate-limiting", minute=2)],
    )

    def test_route_beats_service_beats_global(self) -> None:
        plugins = build_plugins(self.config)
        assert plugins.chain_for(0).get("rate-limiting").config["minute"] == 1  # type: ignore[union-attr]
        assert plugins.chain_for(1).get("rate-limiting").config["minute"] == 2  # type: ignore[union-attr]

    def test_global_applies_to_routes_of_other_services(self) -> None:
        config = json.loads(json.dumps(self.config))
        config["services"].append({"name": "other", "url": "http://other.ecom.svc.cluster.local",
                                   "routes": [route("c")]})
        assert build_plugins(config).chain_for(2).get("rate-limiting").config["minute"] == 3  # type: ignore[union-attr]

    def test_a_disabled_route_plugin_lets_the_service_one_apply(self) -> None:
        config = kong(route("a", {"name": "rate-limiting", "enabled": False, "config": {"minute": 1}}),
                      service_plugins=[plugin("rate-limiting", minute=2)])
        assert chain_of(config).get("rate-limiting").config["minute"] == 2  # type: ignore[union-attr]

    def test_top_level_plugin_can_name_its_route_or_service(self) -> None:
        config = kong(route("a"), route("b"), plugins=[
            {"name": "cors", "route": "b", "config": {"origins": ["https://b.example"]}},
            {"name": "cors", "service": "svc", "config": {"origins": ["https://svc.example"]}},
        ])
        plugins = build_plugins(config)
        assert plugins.chain_for(0).get("cors").config["origins"] == ["https://svc.example"]  # type: ignore[union-attr]
        assert plugins.chain_for(1).get("cors").config["origins"] == ["https://b.example"]  # type: ignore[union-attr]

    def test_route_reference_to_nothing_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="no route 'nope'"):
            build_plugins(kong(route("a"), plugins=[{"name": "cors", "route": "nope"}]))

    def test_a_shared_global_limit_counts_across_routes_a_route_limit_does_not(self) -> None:
        config = kong(route("a"), route("b"), route("c", plugin("rate-limiting", minute=1, limit_by="ip")),
                      plugins=[plugin("rate-limiting", minute=1, limit_by="ip")])
        plugins = build_plugins(config, clock=Clock(1_700_000_000))
        assert run(plugins.chain_for(0), request(route_id=0))[0] == 200  # type: ignore[arg-type]
        assert run(plugins.chain_for(1), request(route_id=1))[0] == 429  # type: ignore[arg-type]
        assert run(plugins.chain_for(2), request(route_id=2))[0] == 200  # type: ignore[arg-type]


class TestVaultReferences:
    def test_env_reference_resolves_from_the_given_mapping_first(self) -> None:
        config = {"a": ["{vault://env/ecom-jwt-public-key}"], "b": {"c": "{vault://env/OTHER}"}, "n": 3}
        out = resolve_references(config, {"ECOM_JWT_PUBLIC_KEY": "pem"}, environ={"OTHER": "x",
                                                                                  "ECOM_JWT_PUBLIC_KEY": "env"})
        assert out == {"a": ["pem"], "b": {"c": "x"}, "n": 3}
        assert config["a"] == ["{vault://env/ecom-jwt-public-key}"]  # the input is left alone

    def test_falls_back_to_os_environ(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("LOCALRUN_TEST_SECRET", "from-env")
        assert resolve_references(["{vault://env/localrun-test-secret}"]) == ["from-env"]

    def test_json_key_and_prefix(self) -> None:
        env = {"APP_CREDS": '{"user": "u1"}'}
        assert resolve_references("{vault://env/creds/user?prefix=app_}", env, environ={}) == "u1"

    def test_unresolvable_reference_names_itself_and_where_it_is(self) -> None:
        with pytest.raises(VaultError, match=r"consumers\[0\].*\{vault://env/missing-key\}.*MISSING_KEY"):
            resolve_references({"consumers": [{"k": "{vault://env/missing-key}"}]}, {}, environ={})

    def test_other_vaults_are_refused(self) -> None:
        with pytest.raises(VaultError, match="only the 'env' vault"):
            resolve_references("{vault://aws/secret}", {}, environ={})

    def test_only_whole_string_values_are_references(self) -> None:
        assert resolve_references("see {vault://env/x}", {}, environ={}) == "see {vault://env/x}"

    def test_secrets_become_env_names(self) -> None:
        assert secrets_env({("ecom-jwt", "public.pem"): "pem"}) == {"ECOM_JWT_PUBLIC_PEM": "pem"}

    def test_load_gateway_resolves_before_building_plugins(self, tmp_path: Path, signing_key: tuple[str, str]
                                                           ) -> None:
        config = kong(route("r", plugin("jwt")), consumers=[{"username": "web", "jwt_secrets": [
            {"key": "ecom-accounts", "algorithm": "RS256", "rsa_public_key": "{vault://env/ecom-jwt-public-key}"}]}])
        path = tmp_path / "kong.yaml"
        path.write_text(yaml.safe_dump(config))
        router, plugins = load_gateway(path, {"ECOM_JWT_PUBLIC_KEY": signing_key[1]})
        assert router.match("GET", "/r") is not None
        assert plugins.consumers.jwt_by_key["ecom-accounts"].rsa_public_key == signing_key[1]
        with pytest.raises(ValueError, match="kong.yaml.*ECOM_JWT_PUBLIC_KEY"):
            load_gateway(path, {})


class TestCorrelationId:
    def test_generated_when_absent_sent_upstream_and_echoed(self) -> None:
        chain = chain_of(kong(route("r", plugin("correlation-id", header_name="X-Request-ID",
                                                generator="uuid", echo_downstream=True))))
        ctx = request()
        _, headers, _ = run(chain, ctx)
        value = headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f-]{36}", value)
        assert ctx.upstream["x-request-id"] == ("X-Request-ID", value)

    def test_kept_when_the_client_sent_one(self) -> None:
        chain = chain_of(kong(route("r", plugin("correlation-id", echo_downstream=True))))
        ctx = request(headers={"Kong-Request-ID": "abc"})
        _, headers, _ = run(chain, ctx)
        assert headers["Kong-Request-ID"] == "abc" and "kong-request-id" not in ctx.upstream

    def test_not_echoed_unless_configured(self) -> None:
        chain = chain_of(kong(route("r", plugin("correlation-id"))))
        ctx = request()
        _, headers, _ = run(chain, ctx)
        assert "Kong-Request-ID" not in headers and "kong-request-id" in ctx.upstream

    def test_uuid_counter_and_tracker_formats(self) -> None:
        counter = chain_of(kong(route("r", plugin("correlation-id"))))
        first, second = request(), request()
        run(counter, first), run(counter, second)
        a, b = first.upstream["kong-request-id"][1], second.upstream["kong-request-id"][1]
        assert a.split("#")[0] == b.split("#")[0] and int(b.split("#")[1]) == int(a.split("#")[1]) + 1
        tracker = chain_of(kong(route("r", plugin("correlation-id", generator="tracker"))))
        ctx = request()
        run(tracker, ctx)
        assert re.fullmatch(r"127\.0\.0\.1-0-\d+-0-1-\d+\.\d{3}", ctx.upstream["kong-request-id"][1])


class TestRequestSizeLimiting:
    def chain(self, **config: Any) -> Chain:
        return chain_of(kong(route("r", plugin("request-size-limiting", **config))))

    def test_content_length_over_the_limit_is_413_without_reading_the_body(self) -> None:
        ctx = request("POST", headers={"Content-Length": "2049"}, body=b"never read")
        status, headers, body = run(self.chain(allowed_payload_size=2, size_unit="kilobytes"), ctx)
        assert status == 413 and not ctx.body_read
        assert body.decode() == ('{\n  "message":"Request size limit exceeded",\n'
                                 f'  "request_id":"{REQUEST_ID}"\n}}')
        assert json.loads(body)["message"] == "Request size limit exceeded"

    def test_at_the_limit_passes(self) -> None:
        assert run(self.chain(allowed_payload_size=2, size_unit="kilobytes"),
                   request("POST", headers={"Content-Length": "2048"}))[0] == 200

    def test_expect_100_continue_gets_417(self) -> None:
        ctx = request("POST", headers={"Content-Length": "11", "Expect": "100-continue"})
        assert run(self.chain(allowed_payload_size=10, size_unit="bytes"), ctx)[0] == 417

    def test_without_a_length_the_body_is_measured(self) -> None:
        ctx = request("POST", headers={"Transfer-Encoding": "chunked"}, body=b"x" * 11)
        assert run(self.chain(allowed_payload_size=10, size_unit="bytes"), ctx)[0] == 413 and ctx.body_read

    def test_required_length_missing_is_411_unless_chunked(self) -> None:
        status, _, body = run(self.chain(require_content_length=True), request("POST"))
        assert status == 411 and json.loads(body)["message"] == "A valid Content-Length header is required"
        chunked = request("POST", headers={"Transfer-Encoding": "chunked"}, body=b"ok")
        assert run(self.chain(require_content_length=True), chunked)[0] == 200


class TestCors:
    def chain(self, **config: Any) -> Chain:
        return chain_of(kong(route("r", plugin("cors", **config))))

    def preflight(self, origin: str = "https://shop.example", **extra: str) -> RequestContext:
        return request("OPTIONS", headers={"Origin": origin, "Access-Control-Request-Method": "POST", **extra})

    def test_preflight_is_answered_200_without_body_with_defaults(self) -> None:
        status, headers, body = run(self.chain(), self.preflight(**{"Access-Control-Request-Headers": "x-a"}))
        assert status == 200 and body == b""
        assert headers["Access-Control-Allow-Origin"] == "*" and "Vary" not in headers
        assert headers["Access-Control-Allow-Methods"] == "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"
        assert headers["Access-Control-Allow-Headers"] == "x-a"

    def test_single_origin_is_sent_as_configured_with_vary(self) -> None:
        status, headers, _ = run(self.chain(origins=["https://shop.example"], headers=["Authorization",
                                 "Content-Type"], methods=["GET", "POST"], max_age=3600, credentials=True),
                                 self.preflight("https://evil.example"))
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://shop.example"
        assert headers["Vary"] == "Origin" and headers["Access-Control-Allow-Credentials"] == "true"
        assert headers["Access-Control-Allow-Headers"] == "Authorization,Content-Type"
        assert headers["Access-Control-Allow-Methods"] == "GET,POST" and headers["Access-Control-Max-Age"] == "3600"

    def test_several_origins_match_the_request_origin(self) -> None:
        chain = self.chain(origins=["https://a.example", "https://shop.example:443"])
        _, headers, _ = run(chain, self.preflight("https://shop.example"))
        assert headers["Access-Control-Allow-Origin"] == "https://shop.example" and headers["Vary"] == "Origin"
        _, headers, _ = run(chain, self.preflight("https://evil.example"))
        assert "Access-Control-Allow-Origin" not in headers

    def test_regex_origins_by_host_or_by_full_origin(self) -> None:
        by_host = self.chain(origins=[r".*\.shop\.example", "https://x.example"])
        assert run(by_host, self.preflight("http://eu.shop.example:8080"))[1]["Access-Control-Allow-Origin"] \
            == "http://eu.shop.example:8080"
        assert "Access-Control-Allow-Origin" not in run(by_host, self.preflight("https://shop.example.evil"))[1]
        full = self.chain(origins=[r"https://.*\.shop\.example", "https://x.example"])
        assert "Access-Control-Allow-Origin" not in run(full, self.preflight("http://eu.shop.example"))[1]

    def test_star_with_credentials_echoes_the_origin(self) -> None:
        _, headers, _ = run(self.chain(origins=["*"], credentials=True), self.preflight("https://a.example"))
        assert headers["Access-Control-Allow-Origin"] == "https://a.example"
        assert headers["Access-Control-Allow-Credentials"] == "true" and headers["Vary"] == "Origin"

    def test_star_among_several_origins_allows_all(self) -> None:
        _, headers, _ = run(self.chain(origins=["https://a.example", "*"]), self.preflight("https://z.example"))
        assert headers["Access-Control-Allow-Origin"] == "*"

    def test_preflight_continue_and_non_preflight_options_go_upstream(self) -> None:
        assert self.chain(preflight_continue=True).access(self.preflight()) is None
        assert self.chain().access(request("OPTIONS", headers={"Origin": "https://a.example"})) is None

    def test_private_network(self) -> None:
        ctx = self.preflight(**{"Access-Control-Request-Private-Network": "true"})
        assert run(self.chain(private_network=True), ctx)[1]["Access-Control-Allow-Private-Network"] == "true"

    def test_actual_response_gets_origin_expose_and_vary_added_to_the_upstreams(self) -> None:
        chain = self.chain(origins=["https://shop.example"], exposed_headers=["X-Request-ID", "RateLimit-Remaining"])
        status, headers, _ = run(chain, request(headers={"Origin": "https://shop.example"}),
                                 upstream=[("Vary", "Accept-Encoding"), ("Access-Control-Allow-Origin", "*")])
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://shop.example"
        assert headers["Vary"] == "Accept-Encoding, Origin"
        assert headers["Access-Control-Expose-Headers"] == "X-Request-ID,RateLimit-Remaining"

    def test_origin_normalisation(self) -> None:
        assert normalize_origin("https://Shop.example:443") == ("https://shop.example", "shop.example")
        assert normalize_origin("http://a.example:8080").domain == "http://a.example:8080"
        assert normalize_origin("null") == ("null", "null")


class TestRateLimiting:
    NOW = 1_700_000_000  # 2023-11-14T22:13:20Z

    def chain(self, clock: Clock, **config: Any) -> Chain:
        return chain_of(kong(route("r", plugin("rate-limiting", **config))), clock=clock)

    def test_windows_are_aligned_to_utc_period_starts(self) -> None:
        starts = period_starts(self.NOW)
        assert starts["second"] == self.NOW and starts["minute"] == self.NOW - 20
        assert starts["hour"] == self.NOW - 13 * 60 - 20 and starts["day"] == 1_699_920_000
        assert starts["month"] == 1_698_796_800 and starts["year"] == 1_672_531_200

    def test_headers_count_down_then_429_with_retry_after(self) -> None:
        clock = Clock(self.NOW)
        chain = self.chain(clock, minute=2, limit_by="ip")
        _, first, _ = run(chain, request())
        assert first["X-RateLimit-Limit-Minute"] == "2" and first["X-RateLimit-Remaining-Minute"] == "1"
        assert first["RateLimit-Limit"] == "2" and first["RateLimit-Remaining"] == "1"
        assert first["RateLimit-Reset"] == "40"  # 60 - 20 s into the minute
        assert run(chain, request())[1]["RateLimit-Remaining"] == "0"
        status, headers, body = run(chain, request())
        assert status == 429 and headers["Retry-After"] == "40" and headers["RateLimit-Remaining"] == "0"
        assert json.loads(body) == {"message": "API rate limit exceeded", "request_id": REQUEST_ID}

    def test_refused_requests_do_not_count_and_the_next_window_starts_fresh(self) -> None:
        clock = Clock(self.NOW)
        chain = self.chain(clock, minute=1, limit_by="ip")
        assert [run(chain, request())[0] for _ in range(3)] == [200, 429, 429]
        clock.now = self.NOW + 39
        assert run(chain, request())[1]["Retry-After"] == "1"
        clock.now = self.NOW + 40  # the next minute
        assert run(chain, request())[0] == 200

    def test_the_most_constraining_period_drives_the_ratelimit_headers(self) -> None:
        clock = Clock(self.NOW)
        chain = self.chain(clock, second=5, hour=6, limit_by="ip")
        _, headers, _ = run(chain, request())
        assert headers["X-RateLimit-Remaining-Second"] == "4" and headers["X-RateLimit-Remaining-Hour"] == "5"
        assert headers["RateLimit-Limit"] == "5" and headers["RateLimit-Reset"] == "1"  # the second
        clock.now += 1
        _, headers, _ = run(chain, request())  # a tie (4 and 4): the longer window wins
        assert headers["RateLimit-Limit"] == "6" and headers["RateLimit-Reset"] == str(3600 - 801)

    def test_hidden_headers_hide_retry_after_too(self) -> None:
        chain = self.chain(Clock(self.NOW), minute=1, limit_by="ip", hide_client_headers=True,
                           error_code=503, error_message="Slow down")
        assert run(chain, request())[1] == {}
        status, headers, body = run(chain, request())
        assert status == 503 and headers == {} and json.loads(body)["message"] == "Slow down"

    def test_consumer_limits_fall_back_to_the_client_ip(self) -> None:
        chain = self.chain(Clock(self.NOW), minute=1)
        assert run(chain, request(client_ip="10.0.0.1"))[0] == 200
        assert run(chain, request(client_ip="10.0.0.2"))[0] == 200
        assert run(chain, request(client_ip="10.0.0.1"))[0] == 429
        ctx = request(client_ip="10.0.0.1")
        ctx.consumer = type("C", (), {"id": "consumer-1"})()
        assert run(chain, ctx)[0] == 200  # a consumer is counted on its own, not by ip

    def test_header_and_path_identifiers(self) -> None:
        by_header = self.chain(Clock(self.NOW), minute=1, limit_by="header", header_name="X-Tenant")
        assert run(by_header, request(headers={"X-Tenant": "a"}))[0] == 200
        assert run(by_header, request(headers={"X-Tenant": "b"}))[0] == 200
        assert run(by_header, request(headers={"X-Tenant": "a"}))[0] == 429

    def test_counting_is_exact_under_concurrency(self) -> None:
        chain = self.chain(Clock(self.NOW), minute=25, limit_by="ip")
        statuses: list[int] = []
        lock = threading.Lock()

        def hit() -> None:
            for _ in range(5):
                status = run(chain, request())[0]
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=hit) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses.count(200) == 25 and statuses.count(429) == 25

    def test_plugin_errors_answer_500_like_kong(self) -> None:
        chain = self.chain(Clock(self.NOW), minute=1)

        def broken(ctx: RequestContext) -> Exit | None:
            raise RuntimeError("boom")

        chain._access = (type("P", (), {"access": staticmethod(broken), "name": "x"})(),)  # type: ignore[assignment]
        status, _, body = run(chain, request())
        assert status == 500 and body == b'{"message":"An unexpected error occurred"}'


def test_clock_default_is_wall_time() -> None:
    chain = chain_of(kong(route("r", plugin("rate-limiting", second=1000, limit_by="ip"))))
    assert int(chain.get("rate-limiting").clock()) in (int(time.time()), int(time.time()) - 1)  # type: ignore[union-attr]


def test_an_unreadable_body_is_400_and_closes_the_connection() -> None:
    chain = chain_of(kong(route("r", plugin("request-size-limiting"))))

    def cut_short() -> bytes:
        raise EOFError("body cut short")

    ctx = RequestContext("POST", "/r", "", Message(), "10.0.0.1", "svc", 0, REQUEST_ID, cut_short)
    answer = chain.access(ctx)
    assert answer is not None and answer.status == 400 and answer.close


REPO = Path(__file__).resolve().parents[4]


def test_repository_kong_yaml_loads_with_its_plugins(signing_key: tuple[str, str]) -> None:
    from localrun.dev.stack import secrets_for
    from localrun.gateway.vault import secrets_env

    secrets = secrets_for("postgresql+pg8000://postgres@127.0.0.1/x", signing_key)  # what make dev gives
    router, plugins = load_gateway(REPO / "knative" / "kong" / "kong.yaml", secrets_env(secrets))
    assert router.ksvcs and plugins is not None
