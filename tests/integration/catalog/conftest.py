"""Catalog functions driven through functions-framework's app, as Knative would run them."""

from __future__ import annotations

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
