"""Access tokens: short-lived RS256 JWTs carrying who the caller is and their role."""

from __future__ import annotations

import functools
import time
import uuid
from typing import Any
from uuid import UUID

from functions.runtime.exceptions import Unavailable
from functions.runtime.settings import get_settings


@functools.cache
def _signing_key(pem: str) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem.encode(), password=None)  # parsed once per process


def access_token(user_id: UUID, role: str, session_id: UUID) -> tuple[str, int]:
    """Return a signed access token and its lifetime in seconds."""
    import jwt

    settings = get_settings()
    if not settings.jwt_private_key:
        raise Unavailable("Token signing is not configured (JWT_PRIVATE_KEY).")
    now = int(time.time())
    claims = {
        "sub": str(user_id), "role": role, "sid": str(session_id),
        "iat": now, "exp": now + settings.access_token_seconds, "jti": uuid.uuid4().hex,
        "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
    }
    token = jwt.encode({k: v for k, v in claims.items() if v is not None},
                       _signing_key(settings.jwt_private_key), algorithm="RS256")
    return token, settings.access_token_seconds
