"""The local gateway's jwt plugin answers as Kong 3.9's does: codes, bodies, WWW-Authenticate, headers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from email.message import Message
from typing import Any

import jwt as pyjwt
import pytest

from localrun.gateway.plugins import RequestContext, build_plugins
from localrun.gateway.plugins.base import Chain

ISSUER = "ecom-accounts"
PARTNER_SECRET = "a-32-byte-partner-secret-for-hs!"  # the "!" makes it invalid base64
BEARER_INVALID = 'Bearer error="invalid_token"'


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """Sign by hand: PyJWT refuses a PEM as an HMAC secret, an attacker does not."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def config(public_pem: str, jwt_config: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "_format_version": "3.0",
        "consumers": [
            {"username": "storefront", "custom_id": "web-1",
             "jwt_secrets": [{"key": ISSUER, "algorithm": "RS256", "rsa_public_key": public_pem}]},
            {"username": "partner", "jwt_secrets": [{"key": "partner", "algorithm": "HS256", "secret": PARTNER_SECRET}]},
            {"username": "anon", "id": "00000000-0000-4000-8000-000000000000"},
        ],
        "services": [{"name": "svc", "url": "http://svc.ecom.svc.cluster.local", "routes": [
            {"name": "r", "paths": ["/r"], "plugins": [{"name": "jwt", "config": jwt_config or {}}]}]}],
        **extra,
    }


@pytest.fixture()
def chain(signing_key: tuple[str, str]) -> Chain:
    return make_chain(signing_key[1], {"claims_to_verify": ["exp", "nbf"]})


def make_chain(public_pem: str, jwt_config: dict[str, Any] | None = None) -> Chain:
    chain = build_plugins(config(public_pem, jwt_config)).chain_for(0)
    assert chain is not None
    return chain


def request(token: str | None = None, *, method: str = "GET", query: str = "",
            headers: dict[str, str] | None = None) -> RequestContext:
    message = Message()
    if token is not None:
        message["Authorization"] = f"Bearer {token}"
    for name, value in (headers or {}).items():
        message[name] = value
    return RequestContext(method, "/r", query, message, "10.0.0.1", "svc", 0, "f" * 32)


def mint(private_pem: str, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "sub": "user-1", "exp": now + 900, "nbf": now, "iat": now} | claims
    return pyjwt.encode({k: v for k, v in payload.items() if v is not None}, private_pem, algorithm="RS256")


def refused(chain: Chain, ctx: RequestContext) -> tuple[int, dict[str, Any], dict[str, str]]:
    answer = chain.access(ctx)
    assert answer is not None, "the request was let through"
    return answer.status, json.loads(answer.body), dict(answer.headers)


class TestValidToken:
    def test_rs256_token_authenticates_the_consumer(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        ctx = request(mint(signing_key[0]))
        assert chain.access(ctx) is None
        assert ctx.consumer.username == "storefront" and ctx.credential.key == ISSUER
        upstream = {name: value for name, value in ctx.upstream.values()}
        assert upstream["X-Consumer-Username"] == "storefront" and upstream["X-Consumer-Custom-ID"] == "web-1"
        assert upstream["X-Consumer-ID"] == ctx.consumer.id and upstream["X-Credential-Identifier"] == ISSUER
        assert upstream["X-Anonymous-Consumer"] is None  # cleared: a client cannot claim it

    def test_spoofed_consumer_headers_are_overwritten(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        ctx = request(mint(signing_key[0]), headers={"X-Consumer-Username": "admin"})
        assert chain.access(ctx) is None and ctx.upstream["x-consumer-username"][1] == "storefront"

    def test_lowercase_bearer_and_hs256_credential(self, signing_key: tuple[str, str]) -> None:
        token = pyjwt.encode({"iss": "partner"}, PARTNER_SECRET, algorithm="HS256")
        ctx = request(headers={"Authorization": f"bearer {token}"})
        assert make_chain(signing_key[1]).access(ctx) is None and ctx.consumer.username == "partner"

    def test_token_in_cookie_and_in_query_param(self, signing_key: tuple[str, str]) -> None:
        token = mint(signing_key[0])
        by_cookie = make_chain(signing_key[1], {"cookie_names": ["session"]})
        assert by_cookie.access(request(headers={"Cookie": f"a=b; session={token}"})) is None
        assert make_chain(signing_key[1]).access(request(query=f"jwt={token}")) is None  # default ["jwt"]

    def test_key_claim_from_the_token_header(self, signing_key: tuple[str, str]) -> None:
        token = pyjwt.encode({"sub": "x"}, signing_key[0], algorithm="RS256", headers={"kid": ISSUER})
        assert make_chain(signing_key[1], {"key_claim_name": "kid"}).access(request(token)) is None


class TestRefusals:
    def test_missing_token(self, chain: Chain) -> None:
        answer = chain.access(request())
        assert answer is not None and answer.status == 401
        assert answer.body == b'{"message":"Unauthorized"}'
        assert answer.headers == [("WWW-Authenticate", "Bearer")]

    def test_realm_in_www_authenticate(self, signing_key: tuple[str, str]) -> None:
        chain = make_chain(signing_key[1], {"realm": "ecom"})
        assert refused(chain, request())[2] == {"WWW-Authenticate": 'Bearer realm="ecom"'}
        assert refused(chain, request("x.y"))[2] == {"WWW-Authenticate": 'Bearer realm="ecom" error="invalid_token"'}

    def test_tampered_payload(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        header, _, signature = mint(signing_key[0]).split(".")
        forged = b64(json.dumps({"iss": ISSUER, "sub": "admin", "role": "admin",
                                 "exp": int(time.time()) + 900}).encode())
        assert refused(chain, request(f"{header}.{forged}.{signature}")) == \
            (401, {"message": "Invalid signature"}, {"WWW-Authenticate": BEARER_INVALID})

    def test_alg_none(self, chain: Chain) -> None:
        header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        token = f"{header}.{b64(json.dumps({'iss': ISSUER}).encode())}."
        assert refused(chain, request(token))[:2] == (401, {"message": "Bad token; invalid alg"})

    def test_hs256_signed_with_the_public_key_as_secret(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        token = hs256({"alg": "HS256", "typ": "JWT"}, {"iss": ISSUER, "exp": int(time.time()) + 900},
                      signing_key[1].encode())
        assert refused(chain, request(token))[:2] == (401, {"message": "Invalid algorithm"})

    def test_expired_and_not_yet_valid(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        now = int(time.time())
        assert refused(chain, request(mint(signing_key[0], exp=now - 1)))[:2] == (401, {"exp": "token expired"})
        assert refused(chain, request(mint(signing_key[0], nbf=now + 60)))[:2] == \
            (401, {"nbf": "token not valid yet"})
        assert refused(chain, request(mint(signing_key[0], exp="soon")))[:2] == (401, {"exp": "must be a number"})

    def test_claims_are_not_checked_unless_configured(self, signing_key: tuple[str, str]) -> None:
        token = mint(signing_key[0], exp=int(time.time()) - 60)
        assert make_chain(signing_key[1]).access(request(token)) is None  # Kong's default: no claims_to_verify

    def test_unknown_missing_or_empty_issuer(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        assert refused(chain, request(mint(signing_key[0], iss="someone-else")))[:2] == \
            (401, {"message": "No credentials found for given 'iss'"})
        assert refused(chain, request(mint(signing_key[0], iss=None)))[:2] == \
            (401, {"message": "No mandatory 'iss' in claims"})
        assert refused(chain, request(mint(signing_key[0], iss="")))[:2] == \
            (401, {"message": "Invalid 'iss' in claims"})

    def test_query_param_refused_when_uri_param_names_is_empty(self, signing_key: tuple[str, str]) -> None:
        chain = make_chain(signing_key[1], {"uri_param_names": []})
        assert refused(chain, request(query=f"jwt={mint(signing_key[0])}"))[:2] == (401, {"message": "Unauthorized"})

    def test_two_different_tokens(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        ctx = request(mint(signing_key[0]), query=f"jwt={mint(signing_key[0], sub='other')}")
        assert refused(chain, ctx)[:2] == (401, {"message": "Multiple tokens provided"})

    def test_malformed_tokens(self, chain: Chain) -> None:
        assert refused(chain, request("not-a-jwt"))[1] == {"message": "Bad token; invalid JSON"}
        assert refused(chain, request("a.b.c"))[1] == {"message": "Bad token; invalid JSON"}
        assert refused(chain, request(query="jwt"))[1] == {"message": "Unrecognizable token"}

    def test_maximum_expiration(self, signing_key: tuple[str, str]) -> None:
        chain = make_chain(signing_key[1], {"claims_to_verify": ["exp"], "maximum_expiration": 600})
        assert refused(chain, request(mint(signing_key[0])))[:2] == \
            (401, {"exp": "exceeds maximum allowed expiration"})
        assert chain.access(request(mint(signing_key[0], exp=int(time.time()) + 300))) is None

    def test_invalid_key_secret_body_escapes_the_slash_like_cjson(self, signing_key: tuple[str, str]) -> None:
        chain = make_chain(signing_key[1], {"secret_is_base64": True})
        answer = chain.access(request(pyjwt.encode({"iss": "partner"}, PARTNER_SECRET, algorithm="HS256")))
        assert answer is not None and answer.body == b'{"message":"Invalid key\\/secret"}'


class TestOptions:
    def test_anonymous_consumer_when_authentication_fails(self, signing_key: tuple[str, str]) -> None:
        chain = make_chain(signing_key[1], {"anonymous": "anon"})
        ctx = request()
        assert chain.access(ctx) is None and ctx.consumer.username == "anon" and ctx.credential is None
        assert ctx.upstream["x-anonymous-consumer"][1] == "true"
        assert ctx.upstream["x-credential-identifier"][1] is None

    def test_anonymous_must_exist(self, signing_key: tuple[str, str]) -> None:
        with pytest.raises(ValueError, match="config.anonymous"):
            make_chain(signing_key[1], {"anonymous": "ghost"})

    def test_run_on_preflight(self, chain: Chain, signing_key: tuple[str, str]) -> None:
        assert chain.access(request(method="OPTIONS")) is not None  # default: preflights need a token too
        assert make_chain(signing_key[1], {"run_on_preflight": False}).access(request(method="OPTIONS")) is None


class TestCredentials:
    def test_asymmetric_credential_needs_a_valid_key(self) -> None:
        with pytest.raises(ValueError, match="rsa_public_key is required"):
            build_plugins(config(None))  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="invalid key"):
            build_plugins(config("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"))

    def test_duplicate_keys_are_refused(self, signing_key: tuple[str, str]) -> None:
        cfg = config(signing_key[1])
        cfg["consumers"][1]["jwt_secrets"][0]["key"] = ISSUER
        with pytest.raises(ValueError, match="used twice"):
            build_plugins(cfg)

    def test_es256_and_eddsa(self) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519

        for algorithm, key in (("ES256", ec.generate_private_key(ec.SECP256R1())),
                               ("EdDSA", ed25519.Ed25519PrivateKey.generate())):
            pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                serialization.PublicFormat.SubjectPublicKeyInfo).decode()
            cfg = config(pem)
            cfg["consumers"][0]["jwt_secrets"][0]["algorithm"] = algorithm
            chain = build_plugins(cfg).chain_for(0)
            assert chain is not None
            token = pyjwt.encode({"iss": ISSUER}, key, algorithm=algorithm)
            assert chain.access(request(token)) is None, algorithm
            header, claims, signature = token.split(".")
            assert refused(chain, request(f"{header}.{claims}.{signature[:-4]}AAAA"))[1] == \
                {"message": "Invalid signature"}
