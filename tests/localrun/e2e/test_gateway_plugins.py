"""The local gateway enforces Kong plugins in front of a real function process.

A tiny repository in tmp_path: an echo function and a kong.yaml that uses every plugin, with the
consumer's RS256 public key given as a `{vault://env/ecom-jwt-public-pem}` reference, which
`serve()` answers from the runtime's secrets (Secret `ecom-jwt`, key `public.pem`).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt as pyjwt
import pytest
import yaml

from localrun.gateway.server import Gateway, serve
from localrun.serving.activator import Activator
from tests.localrun.e2e.test_activator_gateway import call

pytestmark = pytest.mark.e2e
ISSUER = "ecom-accounts"
SHOP = "https://shop.example"

ECHO_SOURCE = '''
import flask
import functions_framework


@functions_framework.http
def echo(request):
    seen = {k.lower(): v for k, v in request.headers.items()}
    return flask.jsonify({"method": request.method, "path": request.path, "headers": seen,
                          "body_length": len(request.get_data())})
'''

KONG = {
    "_format_version": "3.0",
    "plugins": [
        {"name": "correlation-id", "config": {"header_name": "X-Request-ID", "generator": "uuid",
                                              "echo_downstream": True}},
        {"name": "prometheus"},
    ],
    "consumers": [{"username": "storefront", "jwt_secrets": [
        {"key": ISSUER, "algorithm": "RS256", "rsa_public_key": "{vault://env/ecom-jwt-public-pem}"}]}],
    "services": [
        {"name": "echo", "url": "http://echo.test.svc.cluster.local",
         "plugins": [
             {"name": "cors", "config": {"origins": [SHOP], "credentials": True, "max_age": 600,
                                         "exposed_headers": ["X-Request-ID"]}},
             {"name": "request-size-limiting", "config": {"allowed_payload_size": 1, "size_unit": "kilobytes"}},
         ],
         "routes": [
             {"name": "me", "paths": ["~/api/me$"], "methods": ["GET", "OPTIONS"], "strip_path": False,
              "plugins": [{"name": "jwt", "config": {"uri_param_names": [], "claims_to_verify": ["exp"]}},
                          {"name": "rate-limiting", "config": {"minute": 1000, "limit_by": "consumer"}}]},
             {"name": "login", "paths": ["~/api/login$"], "methods": ["POST"], "strip_path": False,
              "plugins": [{"name": "rate-limiting", "config": {"minute": 5, "limit_by": "ip"}}]},
             {"name": "public", "paths": ["~/api/public$"], "methods": ["GET", "POST"], "strip_path": False},
         ]},
        {"name": "preflight", "url": "http://preflight.test.svc.cluster.local",
         "plugins": [{"name": "cors", "config": {"origins": [SHOP]}}],
         "routes": [{"name": "preflight", "paths": ["~/api/preflight$"], "methods": ["GET", "OPTIONS"],
                     "strip_path": False}]},
    ],
}


def ksvc(name: str) -> dict[str, Any]:
    env = [{"name": "FUNCTION_SOURCE", "value": "fns/echo.py"}, {"name": "FUNCTION_TARGET", "value": "echo"}]
    return {"apiVersion": "serving.knative.dev/v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "test"},
            "spec": {"template": {"spec": {"containers": [{"image": "x", "env": env}]}}}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, signing_key: tuple[str, str]
          ) -> Iterator[tuple[Gateway, Activator]]:
    root = tmp_path_factory.mktemp("plugins")
    (root / "fns").mkdir()
    (root / "fns" / "echo.py").write_text(ECHO_SOURCE)
    (root / "knative" / "kong").mkdir(parents=True)
    (root / "knative" / "services.yaml").write_text(yaml.safe_dump_all([ksvc("echo"), ksvc("preflight")]))
    (root / "knative" / "kong" / "kong.yaml").write_text(yaml.safe_dump(KONG))
    gateway, activator = serve(root, {("ecom-jwt", "public.pem"): signing_key[1]}, port=0)
    yield gateway, activator
    gateway.stop()
    activator.shutdown()


@pytest.fixture(scope="module")
def gateway(stack: tuple[Gateway, Activator]) -> Gateway:
    return stack[0]


def token(private_pem: str, **claims: Any) -> str:
    now = int(time.time())
    return pyjwt.encode({"iss": ISSUER, "sub": "user-1", "exp": now + 900, **claims}, private_pem, algorithm="RS256")


def assert_kong_made(resp: http.client.HTTPResponse) -> None:
    assert resp.getheader("Content-Type") == "application/json; charset=utf-8"
    assert resp.getheader("Server", "").startswith("kong/") and resp.getheader("Via") is None
    assert re.fullmatch(r"[0-9a-f]{32}", resp.getheader("X-Kong-Request-Id", ""))


class TestJwt:
    def test_no_token_is_401_from_the_gateway_with_cors_and_correlation_headers(self, gateway: Gateway) -> None:
        status, resp, body = call(gateway, "GET", "/api/me", headers={"Origin": SHOP})
        assert status == 401 and body == b'{"message":"Unauthorized"}'
        assert resp.getheader("WWW-Authenticate") == "Bearer"
        assert_kong_made(resp)
        assert resp.getheader("Access-Control-Allow-Origin") == SHOP
        assert uuid.UUID(resp.getheader("X-Request-ID", ""))
        assert resp.getheader("RateLimit-Limit") is None  # rate-limiting (910) runs after jwt (1450)

    def test_valid_token_reaches_the_function_as_the_consumer(self, gateway: Gateway,
                                                              signing_key: tuple[str, str]) -> None:
        status, resp, body = call(gateway, "GET", "/api/me", headers={
            "Authorization": f"Bearer {token(signing_key[0])}", "X-Consumer-Username": "admin"})
        seen = json.loads(body)["headers"]
        assert status == 200 and seen["x-consumer-username"] == "storefront"
        assert seen["x-credential-identifier"] == ISSUER and "x-anonymous-consumer" not in seen
        assert resp.getheader("Via", "").endswith("kong/3.9.0-local")
        assert resp.getheader("RateLimit-Limit") == "1000" and resp.getheader("X-RateLimit-Limit-Minute") == "1000"
        assert seen["x-request-id"] == resp.getheader("X-Request-ID")

    def test_tampered_and_expired_tokens_are_refused(self, gateway: Gateway, signing_key: tuple[str, str]) -> None:
        header, _, signature = token(signing_key[0]).split(".")
        claims = pyjwt.utils.base64url_encode(json.dumps({"iss": ISSUER, "sub": "admin",
                                                          "exp": int(time.time()) + 900}).encode()).decode()
        status, resp, body = call(gateway, "GET", "/api/me",
                                  headers={"Authorization": f"Bearer {header}.{claims}.{signature}"})
        assert (status, json.loads(body)) == (401, {"message": "Invalid signature"})
        assert resp.getheader("WWW-Authenticate") == 'Bearer error="invalid_token"'
        expired = token(signing_key[0], exp=int(time.time()) - 5)
        status, _, body = call(gateway, "GET", "/api/me", headers={"Authorization": f"Bearer {expired}"})
        assert (status, json.loads(body)) == (401, {"exp": "token expired"})


class TestRateLimiting:
    def test_brute_force_hits_429_with_retry_after(self, gateway: Gateway) -> None:
        answers = []
        for _ in range(12):  # 5 a minute; a minute boundary mid-loop at most doubles that
            status, resp, body = call(gateway, "POST", "/api/login", body=b'{"email":"a@b.c","password":"x"}',
                                      headers={"Content-Type": "application/json"})
            answers.append(status)
            if status == 429:
                break
            assert resp.getheader("RateLimit-Limit") == "5"
        assert answers[-1] == 429 and answers.count(200) in range(5, 11)
        assert json.loads(body)["message"] == "API rate limit exceeded"
        assert json.loads(body)["request_id"] == resp.getheader("X-Kong-Request-Id")
        assert_kong_made(resp)
        assert 1 <= int(resp.getheader("Retry-After", "0")) <= 60
        assert resp.getheader("RateLimit-Reset") == resp.getheader("Retry-After")
        assert resp.getheader("RateLimit-Remaining") == "0" and resp.getheader("X-RateLimit-Remaining-Minute") == "0"


class TestCors:
    def test_preflight_is_answered_without_starting_the_function(self, stack: tuple[Gateway, Activator]) -> None:
        gateway, activator = stack
        status, resp, body = call(gateway, "OPTIONS", "/api/preflight", headers={
            "Origin": SHOP, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
        assert status == 200 and body == b""
        assert resp.getheader("Access-Control-Allow-Origin") == SHOP and resp.getheader("Vary") == "Origin"
        assert resp.getheader("Access-Control-Allow-Headers") == "authorization"
        assert activator.starts["preflight"] == 0 and "preflight" not in activator.running()

    def test_preflight_on_a_route_without_options_is_kongs_404(self, gateway: Gateway) -> None:
        status, _, body = call(gateway, "OPTIONS", "/api/public",
                               headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"})
        assert status == 404 and json.loads(body)["message"] == "no Route matched with those values"

    def test_actual_response_carries_the_allowed_origin(self, gateway: Gateway) -> None:
        status, resp, _ = call(gateway, "GET", "/api/public", headers={"Origin": SHOP})
        assert status == 200 and resp.getheader("Access-Control-Allow-Origin") == SHOP
        assert resp.getheader("Access-Control-Allow-Credentials") == "true"
        assert resp.getheader("Access-Control-Expose-Headers") == "X-Request-ID"


class TestCorrelationAndSize:
    def test_correlation_id_is_generated_sent_and_echoed(self, gateway: Gateway) -> None:
        status, resp, body = call(gateway, "GET", "/api/public")
        echoed = resp.getheader("X-Request-ID", "")
        assert status == 200 and uuid.UUID(echoed) and json.loads(body)["headers"]["x-request-id"] == echoed
        _, resp, body = call(gateway, "GET", "/api/public", headers={"X-Request-ID": "client-id-1"})
        assert resp.getheader("X-Request-ID") == "client-id-1"
        assert json.loads(body)["headers"]["x-request-id"] == "client-id-1"

    def test_large_body_is_413_and_the_connection_stays_usable(self, gateway: Gateway) -> None:
        conn = http.client.HTTPConnection(gateway.host, gateway.port, timeout=20)
        try:
            conn.request("POST", "/api/public", body=b"x" * 2048)
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 413 and json.loads(body)["message"] == "Request size limit exceeded"
            assert_kong_made(resp)
            conn.request("POST", "/api/public", body=b"x" * 1024)  # at the limit, same connection
            resp = conn.getresponse()
            assert resp.status == 200 and json.loads(resp.read())["body_length"] == 1024
        finally:
            conn.close()

    def test_large_body_with_expect_continue_is_417_before_it_is_sent(self, gateway: Gateway) -> None:
        conn = http.client.HTTPConnection(gateway.host, gateway.port, timeout=20)
        try:
            conn.putrequest("POST", "/api/public")
            conn.putheader("Content-Length", "4096")
            conn.putheader("Expect", "100-continue")
            conn.endheaders()  # the body is never sent: the gateway must answer without it
            resp = conn.getresponse()
            assert resp.status == 417 and json.loads(resp.read())["message"] == "Request size limit exceeded"
            assert resp.getheader("Connection") == "close"
        finally:
            conn.close()
