"""Bearer-token claims: verify the access JWT accounts issued, and check roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from functions.runtime.errors import Problem, forbidden, service_unavailable, unauthorized
from functions.runtime.settings import get_settings

if TYPE_CHECKING:
    from flask import Request

ADMIN = "admin"


@dataclass(frozen=True)
class Claims:
    sub: str
    role: str
    exp: int
    sid: str | None = None  # the login session (refresh-token family) the token belongs to


def verify_token(token: str) -> Claims:
    """Return the token's claims; raise a 401 problem if it is not valid right now."""
    import jwt  # deferred: only endpoints that need a user pay for it

    settings = get_settings()
    if not settings.jwt_public_key:
        raise service_unavailable("Token verification is not configured (JWT_PUBLIC_KEY).")
    try:
        payload = jwt.decode(
            token,
            settings.jwt_public_key,
            algorithms=list(settings.jwt_algorithms),  # never "none", never taken from the token
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "role"], "verify_aud": settings.jwt_audience is not None},
        )
    except jwt.ExpiredSignatureError:
        raise unauthorized("The access token has expired.") from None
    except jwt.PyJWTError as exc:
        raise unauthorized(f"The access token is not valid: {exc}.") from None
    if not isinstance(payload["sub"], str) or not isinstance(payload["role"], str):
        raise unauthorized("The access token's sub and role must be strings.")
    sid = payload.get("sid")
    return Claims(sub=payload["sub"], role=payload["role"], exp=int(payload["exp"]),
                  sid=sid if isinstance(sid, str) else None)


def bearer_claims(request: Request) -> Claims:
    """Return the claims of the request's `Authorization: Bearer` token, or raise 401.

    A token that verifies is also checked against the domain's copy of revoked sessions and
    current roles (functions/runtime/access.py), so a logout or a demotion counts at once.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("A bearer access token is required.", token_given=False)
    claims = verify_token(token.strip())
    _still_allowed(claims)
    return claims


def signed_in_user(request: Request) -> tuple[Claims, UUID]:
    """Return the caller's claims and user id (the token's subject): 401 when either is missing."""
    from functions.runtime.ids import parse_uuid

    claims = bearer_claims(request)
    user_id = parse_uuid(claims.sub)
    if user_id is None:
        raise unauthorized("The access token's subject is not a user id.")
    return claims, user_id


def _still_allowed(claims: Claims) -> None:
    from functions.runtime import access
    from functions.runtime.db import read_only
    from functions.runtime.domains import current_domain

    domain = current_domain.get()
    if domain is None:
        raise RuntimeError("a bearer token is checked only inside a domain's function")
    with read_only() as conn:
        reason = access.check(conn, domain, claims)
    if reason is not None:
        raise unauthorized(reason)


def optional_claims(request: Request) -> Claims | None:
    """Return the caller's claims on a public endpoint; a missing or bad token means anonymous."""
    if "Authorization" not in request.headers:
        return None
    try:
        return bearer_claims(request)
    except Problem:  # an expired token must not break a page anyone may see
        return None


def require_admin(request: Request) -> Claims:
    """Return the caller's claims if the caller is an admin; 401 or 403 otherwise."""
    claims = bearer_claims(request)
    if claims.role != ADMIN:
        raise forbidden("This action needs the admin role.")
    return claims


__all__ = ["ADMIN", "Claims", "bearer_claims", "optional_claims", "require_admin", "signed_in_user", "verify_token"]
