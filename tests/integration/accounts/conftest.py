"""Accounts functions driven through functions-framework's app, against real PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from tests.integration.conftest import assert_problem, client_factory, domain_env

__all__ = ["assert_problem"]
SOURCE = "functions/accounts/main.py"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="package")
def accounts_env(database_url: str, signing_key: tuple[str, str]) -> Iterator[None]:
    with domain_env(database_url, signing_key, "accounts"):
        yield


@pytest.fixture(scope="package")
def client_for(accounts_env: None) -> Callable[[str], FlaskClient]:
    return client_factory(SOURCE)


def random_email() -> str:
    return f"shopper-{uuid.uuid4().hex[:10]}@example.com"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def new_user(client_for) -> Callable[..., dict]:
    """Return a function that registers a user and logs in: the user, with its `tokens`."""

    def _create(email: str | None = None, password: str = PASSWORD, name: str = "Ada Shopper") -> dict:
        email = email or random_email()
        response = client_for("register").post("/api/auth/register",
                                               json={"email": email, "password": password, "name": name})
        assert response.status_code == 201, response.get_json()
        tokens = client_for("login").post("/api/auth/login", json={"email": email, "password": password})
        assert tokens.status_code == 200, tokens.get_json()
        return response.get_json() | {"tokens": tokens.get_json(), "password": password,
                                      "headers": bearer(tokens.get_json()["access_token"])}

    return _create


@pytest.fixture
def new_admin(new_user, client_for, database_url) -> Callable[[], dict]:
    """Return a function making a real admin (promoted the operator's way, then logged in)."""
    from sqlalchemy import create_engine

    from functions.accounts.users import promote_to_admin
    from schemas.migrate import role_url

    def _create() -> dict:
        user = new_user()
        engine = create_engine(role_url(database_url, "accounts"))
        with engine.begin() as conn:
            promote_to_admin(conn, user["email"])
        engine.dispose()
        tokens = client_for("login").post("/api/auth/login", json={
            "email": user["email"], "password": user["password"]}).get_json()
        return user | {"role": "admin", "tokens": tokens, "headers": bearer(tokens["access_token"])}

    return _create
