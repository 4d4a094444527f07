"""Catalog functions driven through functions-framework's app, as Knative would run them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient

from tests.integration.conftest import assert_problem, client_factory, domain_env

__all__ = ["assert_problem"]

SOURCE = "functions/catalog/main.py"


@pytest.fixture(scope="package")
def catalog_env(database_url: str, signing_key: tuple[str, str]) -> Iterator[None]:
    with domain_env(database_url, signing_key, "catalog"):
        yield


@pytest.fixture(scope="package")
def client_for(catalog_env: None) -> Callable[[str], FlaskClient]:
    return client_factory(SOURCE)


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
