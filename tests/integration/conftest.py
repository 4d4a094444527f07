"""Functions driven through functions-framework's app, as Knative would run them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient

from schemas.migrate import role_url
from tests.conftest import JWT_AUDIENCE, JWT_ISSUER


@contextmanager
def domain_env(database_url: str, signing_key: tuple[str, str], domain: str) -> Iterator[None]:
    """Point the runtime at the test database as the domain's own role (least privilege)."""
    from functions.runtime.db import dispose_engine
    from functions.runtime.settings import reset_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", role_url(database_url, domain))
        mp.setenv("JWT_PRIVATE_KEY", signing_key[0])
        mp.setenv("JWT_PUBLIC_KEY", signing_key[1])
        mp.setenv("JWT_ISSUER", JWT_ISSUER)
        mp.setenv("JWT_AUDIENCE", JWT_AUDIENCE)
        mp.setenv("LOG_LEVEL", "WARNING")
        reset_settings()
        dispose_engine()
        yield
        dispose_engine()
        reset_settings()


def client_factory(source: str) -> Callable[[str], FlaskClient]:
    """Return a function giving the test client of the functions-framework app of a target."""
    from functions_framework import create_app

    clients: dict[str, FlaskClient] = {}

    def _client(target: str) -> FlaskClient:
        if target not in clients:
            clients[target] = create_app(target, source, "http").test_client()
        return clients[target]

    return _client


def assert_problem(response, status: int, kind: str, field: str | None = None) -> dict:
    """Assert an RFC 9457 answer of this status and type (naming `field`, when given)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    doc = response.get_json()
    assert doc["type"].endswith("/" + kind) and doc["status"] == status and doc["title"]
    if field is not None:
        assert field in {e["field"] for e in doc["errors"]}, doc
    return doc


@pytest.fixture(scope="session", autouse=True)
def every_emitted_event_matches_its_contract(database_url: str) -> Iterator[None]:
    """After the integration tests, check every event written to any outbox against events/."""
    yield
    import json
    from pathlib import Path

    import jsonschema
    import yaml
    from sqlalchemy import create_engine, text

    from schemas.migrate import DOMAINS

    events = Path(__file__).resolve().parents[2] / "events"
    known = {e["type"] for e in yaml.safe_load((events / "catalog.yaml").read_text())["events"]}
    engine = create_engine(database_url)
    problems = []
    with engine.connect() as conn:
        for domain in DOMAINS:
            for row in conn.execute(text(f"SELECT id, type, data FROM {domain}.outbox")).mappings():
                if row["type"] not in known:
                    problems.append(f"{domain}.outbox {row['id']}: {row['type']} is not in events/catalog.yaml")
                    continue
                schema = json.loads((events / "schemas" / f"{row['type']}.json").read_text())
                validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
                problems += [f"{domain}.outbox {row['id']}: {e.message}" for e in validator.iter_errors(row["data"])]
    engine.dispose()
    if problems:
        pytest.fail("events that break their contract:\n" + "\n".join(problems[:20]))
