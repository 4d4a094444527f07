"""A logout or a demotion counts in the catalog within a second: accounts' outbox → relay →
broker → catalog-on-access-changed, then the old token is refused (RabbitMQ transport)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from functions.accounts.users import promote_to_admin
from localrun.broker.localbroker import start_local_broker
from localrun.dev.relays import Relays
from schemas.migrate import role_url
from tests.e2e.conftest import REPO, call, local_stack

pytestmark = pytest.mark.e2e
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stack(signing_key) -> Iterator[tuple]:
    run = uuid.uuid4().hex[:8]
    env = {"EVENTS_EXCHANGE": f"ecom.events.test-{run}", "BROKER_QUEUE_PREFIX": f"ecom.test-{run}"}
    with local_stack(signing_key) as (gateway, activator, url):
        broker = start_local_broker(REPO, activator, gateway, env)
        assert broker is not None, "RabbitMQ must answer"
        relays = Relays({d: role_url(url, d) for d in ("accounts", "catalog")}, broker.url,
                        env["EVENTS_EXCHANGE"], "rabbitmq")
        relays.start()
        try:
            yield gateway, url
        finally:
            relays.stop()
            broker.stop()
            broker.delete_topology()


def admin_session(gateway, url) -> dict:
    """Register, become admin the operator's way, log in; wait until the catalog has heard of it."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    assert call(gateway, "POST", "/api/auth/register", {"email": email, "password": PASSWORD, "name": "A"})[0] == 201
    engine = create_engine(role_url(url, "accounts"))
    with engine.begin() as conn:
        promote_to_admin(conn, email)
    engine.dispose()
    tokens = json.loads(call(gateway, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})[2])
    assert seconds_until(lambda: create_category(gateway, tokens["access_token"]) == 201, 20) is not None
    return tokens


def create_category(gateway, token: str) -> int:
    body = {"name": f"Revocation {uuid.uuid4().hex[:8]}"}
    return call(gateway, "POST", "/api/categories", body, {"Authorization": f"Bearer {token}"})[0]


def seconds_until(predicate, limit: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.02)
    return None


class TestRevocationReachesTheCatalog:
    def test_a_logged_out_admins_token_no_longer_writes_the_catalog_within_a_second(self, stack):
        gateway, url = stack
        tokens = admin_session(gateway, url)
        assert call(gateway, "POST", "/api/auth/logout", {"refresh_token": tokens["refresh_token"]})[0] == 204
        took = seconds_until(lambda: create_category(gateway, tokens["access_token"]) == 401, 5)
        print(f"logout -> refused by the catalog: {took}")
        assert took is not None and took < 1.0, took

    def test_a_demoted_admins_token_no_longer_writes_the_catalog_within_a_second(self, stack):
        gateway, url = stack
        demoted, admin = admin_session(gateway, url), admin_session(gateway, url)
        me = json.loads(call(gateway, "GET", "/api/users/me",
                             headers={"Authorization": f"Bearer {demoted['access_token']}"})[2])
        status, _, body = call(gateway, "PATCH", f"/api/admin/users/{me['id']}", {"role": "customer"},
                               {"Authorization": f"Bearer {admin['access_token']}"})
        assert status == 200, body
        took = seconds_until(lambda: create_category(gateway, demoted["access_token"]) in (401, 403), 5)
        print(f"demotion -> refused by the catalog: {took}")
        assert took is not None and took < 1.0, took
