"""Accounts and the gateway's security, end to end: tokens, plugins, and defence in depth."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Iterator

import pytest

from localrun.gateway.server import Gateway
from localrun.serving.activator import Activator
from tests.conftest import JWT_AUDIENCE, JWT_ISSUER
from tests.e2e.conftest import call, local_stack

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"
STOREFRONT = "http://localhost:3000"


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple[Gateway, Activator]]:
    with local_stack(signing_key) as (gateway, activator, _):
        yield gateway, activator


@pytest.fixture(scope="module")
def shopper(stack) -> dict:
    """A registered shopper, logged in through the gateway."""
    return register_and_log_in(stack[0])


def register_and_log_in(gateway) -> dict:
    """A new shopper, registered and logged in from an address of its own, as each real shopper is:
    the gateway limits registrations and logins to 30 a minute per address, and the suite makes more."""
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    source = f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    status, _, body = call(gateway, "POST", "/api/auth/register",
                           {"email": email, "password": PASSWORD, "name": "Edie"}, source=source)
    assert status == 201, body
    status, headers, body = call(gateway, "POST", "/api/auth/login", {"email": email, "password": PASSWORD},
                                 source=source)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    return json.loads(body) | {"email": email}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(alg: str, claims: dict) -> str:
    """Return `header.payload` of a token whose header names `alg`."""
    header = json.dumps({"alg": alg, "typ": "JWT"}).encode()
    return f"{_b64(header)}.{_b64(json.dumps(claims).encode())}"


def _claims(**overrides) -> dict:
    now = int(time.time())
    return {"sub": str(uuid.uuid4()), "role": "admin", "iat": now, "exp": now + 600,
            "iss": JWT_ISSUER, "aud": JWT_AUDIENCE} | overrides


class TestTheShoppersJourney:
    def test_a_shopper_registers_logs_in_and_reads_their_profile(self, stack, shopper):
        gateway, _ = stack
        status, _, body = call(gateway, "GET", "/api/users/me", headers=bearer(shopper["access_token"]))
        assert status == 200 and json.loads(body)["email"] == shopper["email"]

    def test_a_refresh_through_the_gateway_rotates_the_token(self, stack):
        gateway, _ = stack
        shopper = register_and_log_in(gateway)  # its own: the reuse below ends its session
        status, _, body = call(gateway, "POST", "/api/auth/refresh", {"refresh_token": shopper["refresh_token"]})
        assert status == 200 and json.loads(body)["refresh_token"] != shopper["refresh_token"]
        status, _, _ = call(gateway, "POST", "/api/auth/refresh", {"refresh_token": shopper["refresh_token"]})
        assert status == 401  # reuse of a rotated token


class TestTheGatewayRefusesBadTokens:
    """Kong's jwt plugin answers before any function runs."""

    def test_no_token_is_401(self, stack):
        gateway, activator = stack
        status, headers, body = call(gateway, "GET", "/api/admin/users")
        assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
        assert "accounts-admin-users" not in activator.running()

    def test_a_changed_payload_is_an_invalid_signature(self, stack, mint):
        gateway, _ = stack
        header, _, signature = mint("customer").split(".")
        forged = _b64(json.dumps(_claims()).encode())
        status, _, body = call(gateway, "GET", "/api/users/me", headers=bearer(f"{header}.{forged}.{signature}"))
        assert status == 401 and json.loads(body)["message"] == "Invalid signature"

    def test_an_unsigned_token_is_refused(self, stack):
        gateway, _ = stack
        token = _unsigned("none", _claims()) + "."
        status, _, _ = call(gateway, "GET", "/api/users/me", headers=bearer(token))
        assert status == 401

    def test_hs256_signed_with_the_public_key_is_refused(self, stack, signing_key):
        gateway, _ = stack
        signing_input = _unsigned("HS256", _claims())
        mac = hmac.new(signing_key[1].encode(), signing_input.encode(), hashlib.sha256).digest()
        status, _, body = call(gateway, "GET", "/api/users/me", headers=bearer(f"{signing_input}.{_b64(mac)}"))
        assert status == 401 and json.loads(body)["message"] == "Invalid algorithm"

    def test_an_expired_token_is_refused(self, stack, mint):
        gateway, _ = stack
        status, _, body = call(gateway, "GET", "/api/users/me",
                               headers=bearer(mint("customer", exp=int(time.time()) - 30)))
        assert status == 401 and json.loads(body) == {"exp": "token expired"}


class TestFunctionsCheckTheClaimsToo:
    """Defence in depth: what the gateway does not check, the function does."""

    def test_a_token_for_another_audience_passes_the_gateway_but_not_the_function(self, stack, mint):
        gateway, _ = stack
        status, headers, body = call(gateway, "GET", "/api/admin/users", headers=bearer(mint("admin", aud="other")))
        assert status == 401 and headers["Content-Type"] == "application/problem+json"
        assert "aud" in json.loads(body)["detail"].lower() or "audience" in json.loads(body)["detail"].lower()

    def test_a_customer_calling_an_admin_endpoint_is_403(self, stack, shopper):
        gateway, _ = stack
        status, _, body = call(gateway, "GET", "/api/admin/users", headers=bearer(shopper["access_token"]))
        assert status == 403 and json.loads(body)["type"].endswith("/forbidden"), body

    def test_another_shoppers_address_is_404(self, stack, shopper):
        gateway, _ = stack
        address = {"name": "E", "line1": "1 Road", "city": "Town", "postal_code": "12345", "country": "DE"}
        status, _, body = call(gateway, "POST", "/api/users/me/addresses", address, bearer(shopper["access_token"]))
        assert status == 201
        address_id = json.loads(body)["id"]
        email = f"intruder-{uuid.uuid4().hex[:8]}@example.com"
        call(gateway, "POST", "/api/auth/register", {"email": email, "password": PASSWORD, "name": "I"})
        _, _, body = call(gateway, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})
        intruder = bearer(json.loads(body)["access_token"])
        for method in ("GET", "DELETE"):
            status, _, _ = call(gateway, method, f"/api/users/me/addresses/{address_id}", headers=intruder)
            assert status == 404
        status, _, _ = call(gateway, "GET", f"/api/users/me/addresses/{address_id}",
                            headers=bearer(shopper["access_token"]))
        assert status == 200


class TestEdgePlugins:
    def test_a_cors_preflight_is_answered_by_the_gateway(self, stack):
        gateway, activator = stack
        status, headers, _ = call(gateway, "OPTIONS", "/api/users/me/password", headers={
            "Origin": STOREFRONT, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == STOREFRONT
        assert "POST" in headers["Access-Control-Allow-Methods"]
        assert "accounts-me-password" not in activator.running()

    def test_an_answer_to_the_storefront_carries_cors_and_a_request_id(self, stack):
        gateway, _ = stack
        status, headers, _ = call(gateway, "GET", "/api/categories", headers={"Origin": STOREFRONT})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == STOREFRONT
        assert len(headers["X-Request-ID"]) >= 32

    def test_an_oversized_body_is_413(self, stack):
        gateway, _ = stack
        status, _, body = call(gateway, "POST", "/api/auth/register", b"x" * (1024 * 1024 + 1),
                               {"Content-Type": "application/json"})
        assert status == 413 and json.loads(body)["message"] == "Request size limit exceeded"


class TestBruteForce:
    def test_repeated_failed_logins_hit_the_rate_limit(self, signing_key):
        with local_stack(signing_key) as (gateway, _, _):
            answers = []
            for n in range(40):  # the login route allows 5 a second and 30 a minute per address
                # A victim each time: accounts' own throttle (per account) must not answer first.
                status, headers, _ = call(gateway, "POST", "/api/auth/login",
                                          {"email": f"victim-{n}@example.com", "password": "guess guess guess"})
                answers.append((status, headers))
                if status == 429:
                    break
        status, headers = answers[-1]
        assert status == 429, [s for s, _ in answers]
        assert int(headers["Retry-After"]) >= 1
        assert headers["RateLimit-Remaining"] == "0" and "RateLimit-Limit" in headers
        assert {s for s, _ in answers[:-1]} == {401}
