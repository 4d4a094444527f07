"""Access-token verification: only tokens signed by accounts' key, unexpired, for us."""

import base64
import json
import time

import jwt
import pytest

from functions.runtime.auth import verify_token
from functions.runtime.errors import Problem
from functions.runtime.settings import reset_settings
from tests.conftest import JWT_AUDIENCE, JWT_ISSUER


@pytest.fixture(autouse=True)
def settings(monkeypatch, signing_key):
    monkeypatch.setenv("JWT_PUBLIC_KEY", signing_key[1])
    monkeypatch.setenv("JWT_ISSUER", JWT_ISSUER)
    monkeypatch.setenv("JWT_AUDIENCE", JWT_AUDIENCE)
    reset_settings()
    yield
    reset_settings()


def _rejected(token: str) -> Problem:
    with pytest.raises(Problem) as caught:
        verify_token(token)
    assert caught.value.status == 401
    assert "WWW-Authenticate" in caught.value.headers
    return caught.value


class TestVerifyToken:
    def test_a_valid_token_gives_its_claims(self, mint):
        claims = verify_token(mint("admin", sub="user-1"))
        assert (claims.sub, claims.role) == ("user-1", "admin")

    def test_an_expired_token_is_refused(self, mint):
        problem = _rejected(mint(exp=int(time.time()) - 5))
        assert "expired" in problem.detail

    def test_a_token_for_another_audience_is_refused(self, mint):
        _rejected(mint(aud="someone-else"))

    def test_a_token_from_another_issuer_is_refused(self, mint):
        _rejected(mint(iss="evil"))

    def test_a_token_without_a_role_is_refused(self, mint):
        _rejected(mint(role=None))

    def test_a_changed_payload_breaks_the_signature(self, mint):
        header, payload, signature = mint("customer").split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        forged = base64.urlsafe_b64encode(json.dumps(claims | {"role": "admin"}).encode())
        _rejected(".".join([header, forged.decode().rstrip("="), signature]))

    def test_an_unsigned_token_is_refused(self):
        now = int(time.time())
        token = jwt.encode({"sub": "x", "role": "admin", "exp": now + 60, "iss": JWT_ISSUER,
                            "aud": JWT_AUDIENCE}, None, algorithm="none")
        _rejected(token)

    def test_hs256_signed_with_the_public_key_is_refused(self, signing_key):
        header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=")
        body = base64.urlsafe_b64encode(json.dumps({
            "sub": "x", "role": "admin", "exp": int(time.time()) + 60,
            "iss": JWT_ISSUER, "aud": JWT_AUDIENCE}).encode()).rstrip(b"=")
        import hashlib
        import hmac
        sig = hmac.new(signing_key[1].encode(), header + b"." + body, hashlib.sha256).digest()
        _rejected(b".".join([header, body, base64.urlsafe_b64encode(sig).rstrip(b"=")]).decode())

    def test_a_token_signed_by_another_key_is_refused(self):
        from cryptography.hazmat.primitives.asymmetric import rsa

        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = int(time.time())
        _rejected(jwt.encode({"sub": "x", "role": "admin", "exp": now + 60, "iss": JWT_ISSUER,
                              "aud": JWT_AUDIENCE}, other, algorithm="RS256"))
