"""Fixtures every layer shares: a fresh database per test session and signing keys."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+pg8000://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """Yield the URL of a database made for this test run."""
    from localrun.dev.scratch import scratch_database

    with scratch_database(ADMIN_URL) as url:
        yield url


@pytest.fixture(scope="session")
def signing_key() -> tuple[str, str]:
    """Return an RSA key pair (private PEM, public PEM) made for this run."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


JWT_ISSUER = "ecom-accounts"
JWT_AUDIENCE = "ecom"


@pytest.fixture(scope="session")
def mint(signing_key: tuple[str, str]):
    """Return a function that signs an access token for a role, with claims overridable."""
    import jwt

    def _mint(role: str = "customer", **claims: object) -> str:
        now = int(time.time())
        payload = {"sub": str(uuid.uuid4()), "role": role, "iat": now, "exp": now + 900,
                   "iss": JWT_ISSUER, "aud": JWT_AUDIENCE, "jti": uuid.uuid4().hex} | claims
        return jwt.encode({k: v for k, v in payload.items() if v is not None},
                          signing_key[0], algorithm="RS256")

    return _mint


@pytest.fixture(scope="session")
def admin_headers(mint) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint('admin')}"}


@pytest.fixture(scope="session")
def customer_headers(mint) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint('customer')}"}
