"""Reporting functions driven through functions-framework's app, as Knative would run them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine

from schemas.migrate import role_url
from tests.integration.conftest import assert_problem, client_factory, domain_env

__all__ = ["assert_problem"]

SOURCE = "functions/reporting/main.py"


@pytest.fixture(scope="package")
def reporting_env(database_url: str, signing_key: tuple[str, str]) -> Iterator[None]:
    with domain_env(database_url, signing_key, "reporting"):
        yield


@pytest.fixture(scope="package")
def client_for(reporting_env: None) -> Callable[[str], FlaskClient]:
    return client_factory(SOURCE)


@pytest.fixture(scope="package")
def db(database_url: str):
    """The reporting schema as its own role, for the tests' own reads."""
    engine = create_engine(role_url(database_url, "reporting"), pool_size=1)
    yield engine
    engine.dispose()
