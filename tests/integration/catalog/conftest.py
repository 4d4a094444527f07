"""Catalog functions driven through functions-framework's app, as Knative would run them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from schemas.migrate import role_url
from tests.conftest import JWT_AUDIENCE, JWT_ISSUER

SOURCE = "functions/catalog/main.py"


@pytest.fixture(scope="session")
def catalog_env(database_url: str, signing_key: tuple[str, str]) -> Iterator[None]:
    """Point the runtime at the test database as the catalog's own role (least privilege)."""
    from functions.runtime.db import dispose_engine
    from functions.runtime.settings import reset_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", role_url(database_url, "catalog"))
        mp.setenv("JWT_PUBLIC_KEY", signing_key[1])
        mp.setenv("JWT_ISSUER", JWT_ISSUER)
        mp.setenv("JWT_AUDIENCE", JWT_AUDIENCE)
        mp.setenv("LOG_LEVEL", "WARNING")
        reset_settings()
        dispose_engine()
        yield
        dispose_engine()
        reset_settings()


@pytest.fixture(scope="session")
def client_for(catalog_env: None) -> Callable[[str], FlaskClient]:
    """Return a test client of the functions-framework app for a catalog target."""
    from functions_framework import create_app

    clients: dict[str, FlaskClient] = {}

    def _client(target: str) -> FlaskClient:
        if target not in clients:
            clients[target] = create_app(target, SOURCE, "http").test_client()
        return clients[target]

    return _client


def random_sku() -> str:
    return f"T-{uuid.uuid4().hex[:10].upper()}"


def random_name(prefix: str = "Thing") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def new_category(client_for, admin_headers) -> Callable[..., dict]:
    """Return a function that creates a category through the API and returns it."""

    def _create(**fields) -> dict:
        body = {"name": random_name("Category")} | fields
        response = client_for("categories").post("/api/categories", json=body, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _create


@pytest.fixture
def new_product(client_for, admin_headers) -> Callable[..., dict]:
    """Return a function that creates a product through the API and returns it."""

    def _create(**fields) -> dict:
        body = {"sku": random_sku(), "name": random_name("Product"),
                "price": {"amount_minor": 1999, "currency": "USD"}} | fields
        response = client_for("products").post("/api/products", json=body, headers=admin_headers)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _create


def assert_problem(response, status: int, kind: str, field: str | None = None) -> dict:
    """Assert an RFC 9457 answer of this status and type (naming `field`, when given)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    doc = response.get_json()
    assert doc["type"].endswith("/" + kind) and doc["status"] == status and doc["title"]
    if field is not None:
        assert field in {e["field"] for e in doc["errors"]}, doc
    return doc
