"""The dev signing key pair under .data/keys: made once, never committed, never in code."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path


def ensure_key_pair(keys_dir: Path) -> tuple[Path, Path]:
    """Return (private, public) PEM paths, generating an RSA key pair the first time."""
    private, public = keys_dir / "jwt-private.pem", keys_dir / "jwt-public.pem"
    if private.exists() and public.exists():
        return private, public
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    keys_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def ensure_producer_key(keys_dir: Path, producer: str = "warehouse") -> str:
    """Return the dev API key of an outside event producer (`<producer>.apikey`), made the first time.

    It fills Secret `ecom-producer-<producer>` key `key`, which kong.yaml's key-auth credential of
    consumer `producer-<producer>` reads as {vault://env/ecom-producer-<producer>-key}.
    """
    import secrets

    path = keys_dir / f"producer-{producer}.apikey"
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def dev_token(private_key: Path, role: str, issuer: str, audience: str, minutes: int = 60) -> str:
    """Return an access token signed with the dev key (for trying admin endpoints by hand)."""
    import jwt

    now = int(time.time())
    claims = {"sub": f"dev-{role}", "role": role, "iat": now, "exp": now + 60 * minutes,
              "iss": issuer, "aud": audience, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, private_key.read_text(), algorithm="RS256")
