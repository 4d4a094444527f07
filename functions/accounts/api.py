"""The accounts' HTTP functions, one per route: parse, call the use case, shape the answer."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from flask import Request, Response

from functions.runtime.web import created_response, http_function, id_from_path, json_response, no_content

if TYPE_CHECKING:
    from functions.accounts import sessions
    from functions.runtime.db import UnitOfWork

# The use cases (SQLAlchemy, argon2), the commands (pydantic, email-validator) and the token
# check (jwt) are imported by the functions that use them, on first use: each Knative Service
# runs one target (bench/cold_start.py). A repeated import is a lookup in sys.modules.

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # tokens must not be cached


def _work(actor: str | None = None) -> AbstractContextManager[UnitOfWork]:
    from functions.runtime.db import unit_of_work

    return unit_of_work(actor=actor)


def _tokens(pair: sessions.TokenPair) -> Response:
    return json_response(pair.to_json(), headers=_NO_STORE)


@http_function("/api/auth/register", methods=("POST",))
def register(request: Request) -> Response:
    """Create a customer account."""
    from functions.accounts import users as user_cases
    from functions.accounts.commands import Register
    from functions.runtime.validation import parse_body

    command = parse_body(request, Register)
    with _work() as uow:
        return created_response(user_cases.register(uow, command), "/api/users/me")


@http_function("/api/auth/login", methods=("POST",))
def login(request: Request) -> Response:
    """Exchange email and password for an access token and a refresh token."""
    from functions.accounts import sessions
    from functions.accounts.commands import Login
    from functions.runtime.validation import parse_body

    command = parse_body(request, Login)
    with _work() as uow:
        return _tokens(sessions.login(uow, command))


@http_function("/api/auth/refresh", methods=("POST",))
def refresh(request: Request) -> Response:
    """Rotate a refresh token into a new token pair."""
    from functions.accounts import sessions
    from functions.accounts.commands import RefreshSession
    from functions.runtime.validation import parse_body

    command = parse_body(request, RefreshSession)
    with _work() as uow:
        return _tokens(sessions.refresh(uow, command))


@http_function("/api/auth/logout", methods=("POST",))
def logout(request: Request) -> Response:
    """End the session a refresh token belongs to."""
    from functions.accounts import sessions
    from functions.accounts.commands import RefreshSession
    from functions.runtime.validation import parse_body

    command = parse_body(request, RefreshSession)
    with _work() as uow:
        sessions.logout(uow, command)
    return no_content()


@http_function("/api/users/me", methods=("GET", "PATCH"))
def me(request: Request) -> Response:
    """GET the caller's profile; PATCH its name."""
    from functions.accounts import users as user_cases
    from functions.accounts.views import user_view
    from functions.runtime.auth import bearer_claims
    from functions.runtime.db import read_only

    claims = bearer_claims(request)
    if request.method == "GET":
        with read_only() as conn:
            return json_response(user_view(user_cases.current_user(conn, claims)))
    from functions.accounts.commands import UpdateProfile
    from functions.runtime.validation import parse_body

    command = parse_body(request, UpdateProfile)
    with _work(claims.sub) as uow:
        return json_response(user_cases.update_profile(uow, claims, command))


@http_function("/api/users/me/password", methods=("POST",))
def me_password(request: Request) -> Response:
    """Change the caller's password; other sessions end."""
    from functions.accounts import users as user_cases
    from functions.accounts.commands import ChangePassword
    from functions.runtime.auth import bearer_claims
    from functions.runtime.validation import parse_body

    claims = bearer_claims(request)
    command = parse_body(request, ChangePassword)
    with _work(claims.sub) as uow:
        user_cases.change_password(uow, claims, command)
    return no_content()


@http_function("/api/users/me/addresses", methods=("GET", "POST"))
def addresses(request: Request) -> Response:
    """GET the caller's address book; POST a new address."""
    from functions.accounts import addresses as address_cases
    from functions.runtime.auth import bearer_claims
    from functions.runtime.db import read_only

    claims = bearer_claims(request)
    if request.method == "GET":
        with read_only() as conn:
            return json_response(address_cases.list_addresses(conn, claims))
    from functions.accounts.commands import CreateAddress
    from functions.runtime.validation import parse_body

    command = parse_body(request, CreateAddress)
    with _work(claims.sub) as uow:
        created = address_cases.create_address(uow, claims, command)
    return created_response(created, f"/api/users/me/addresses/{created['id']}")


@http_function("/api/users/me/addresses/{id}", methods=("GET", "PATCH", "DELETE"))
def address(request: Request) -> Response:
    """GET, PATCH or DELETE one of the caller's addresses (another user's is a 404)."""
    from functions.accounts import addresses as address_cases
    from functions.runtime.auth import bearer_claims
    from functions.runtime.db import read_only

    claims = bearer_claims(request)
    address_id = id_from_path(request, "address")
    if request.method == "GET":
        with read_only() as conn:
            return json_response(address_cases.get_address(conn, claims, address_id))
    if request.method == "DELETE":
        with _work(claims.sub) as uow:
            address_cases.delete_address(uow, claims, address_id)
        return no_content()
    from functions.accounts.commands import UpdateAddress
    from functions.runtime.validation import parse_body

    command = parse_body(request, UpdateAddress)
    with _work(claims.sub) as uow:
        return json_response(address_cases.update_address(uow, claims, address_id, command))


@http_function("/api/admin/users", methods=("GET",))
def admin_users(request: Request) -> Response:
    """Search users (admin)."""
    from functions.accounts import users as user_cases
    from functions.accounts.commands import SearchUsers
    from functions.runtime.auth import require_admin
    from functions.runtime.db import read_only
    from functions.runtime.validation import parse_query

    admin = require_admin(request)
    query = parse_query(request, SearchUsers)
    with read_only() as conn:
        return json_response(user_cases.search_users(conn, admin, query))


@http_function("/api/admin/users/{id}", methods=("PATCH",))
def admin_user(request: Request) -> Response:
    """Change a user's role or active flag (admin)."""
    from functions.accounts import users as user_cases
    from functions.accounts.commands import UpdateUser
    from functions.runtime.auth import require_admin
    from functions.runtime.validation import parse_body

    admin = require_admin(request)
    user_id = id_from_path(request, "user")
    command = parse_body(request, UpdateUser)
    with _work(admin.sub) as uow:
        return json_response(user_cases.update_user(uow, admin, user_id, command))
