"""catalog-on-access-changed: ended sessions and lost roles count in the catalog at once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from cloudevents.conversion import to_binary
from cloudevents.http import CloudEvent

from tests.integration.catalog.conftest import assert_problem, random_name


def access_event(event_type: str, user_id: str, **data) -> CloudEvent:
    attributes = {"type": f"com.ecom.accounts.{event_type}", "source": "/ecom/accounts/test",
                  "subject": user_id, "id": str(uuid.uuid4()), "datacontenttype": "application/json"}
    at = data.pop("at", datetime.now(timezone.utc))
    return CloudEvent(attributes, {"user_id": user_id, "at": at.isoformat()} | data)


def deliver(client_for, event: CloudEvent):
    headers, body = to_binary(event)
    return client_for("on_access_changed").post("/", headers=headers, data=body)


def create_category(client_for, token: str):
    return client_for("categories").post("/api/categories", json={"name": random_name("Category")},
                                         headers={"Authorization": f"Bearer {token}"})


class TestAccessChanged:
    def test_a_token_of_a_revoked_session_no_longer_writes_the_catalog(self, client_for, mint):
        user, session = str(uuid.uuid4()), str(uuid.uuid4())
        token = mint("admin", sub=user, sid=session)
        assert create_category(client_for, token).status_code == 201
        answer = deliver(client_for, access_event("session.revoked", user, session_id=session))
        assert answer.status_code == 200, answer.get_json()
        assert_problem(create_category(client_for, token), 401, "unauthorized")
        other_session = mint("admin", sub=user, sid=str(uuid.uuid4()))
        assert create_category(client_for, other_session).status_code == 201

    def test_a_demoted_admin_no_longer_writes_the_catalog(self, client_for, mint):
        user = str(uuid.uuid4())
        token = mint("admin", sub=user, sid=str(uuid.uuid4()))
        deliver(client_for, access_event("user.role_changed", user, role="customer", active=True))
        assert_problem(create_category(client_for, token), 401, "unauthorized")

    def test_a_deactivated_admin_no_longer_writes_and_a_reactivated_one_does(self, client_for, mint):
        user = str(uuid.uuid4())
        token = mint("admin", sub=user, sid=str(uuid.uuid4()))
        now = datetime.now(timezone.utc)
        deliver(client_for, access_event("user.deactivated", user, role="admin", active=False, at=now))
        assert_problem(create_category(client_for, token), 401, "unauthorized")
        deliver(client_for, access_event("user.reactivated", user, role="admin", active=True,
                                         at=now + timedelta(seconds=1)))
        assert create_category(client_for, token).status_code == 201

    def test_an_older_change_arriving_late_does_not_undo_a_newer_one(self, client_for, mint):
        user = str(uuid.uuid4())
        token = mint("admin", sub=user, sid=str(uuid.uuid4()))
        now = datetime.now(timezone.utc)
        deliver(client_for, access_event("user.deactivated", user, role="admin", active=False, at=now))
        deliver(client_for, access_event("user.reactivated", user, role="admin", active=True,
                                         at=now - timedelta(seconds=5)))
        assert_problem(create_category(client_for, token), 401, "unauthorized")

    def test_a_revoked_admin_token_reads_the_storefront_as_anyone(self, client_for, mint, new_product):
        user, session = str(uuid.uuid4()), str(uuid.uuid4())
        hidden = new_product(active=False)
        token = mint("admin", sub=user, sid=session)
        read = client_for("product").get(f"/api/products/{hidden['id']}",
                                         headers={"Authorization": f"Bearer {token}"})
        assert read.status_code == 200
        deliver(client_for, access_event("session.revoked", user, session_id=session))
        read = client_for("product").get(f"/api/products/{hidden['id']}",
                                         headers={"Authorization": f"Bearer {token}"})
        assert_problem(read, 404, "not-found")

    def test_an_event_missing_what_its_type_needs_is_rejected_not_retried(self, client_for):
        answer = deliver(client_for, access_event("user.role_changed", str(uuid.uuid4())))
        assert_problem(answer, 400, "invalid-event")
