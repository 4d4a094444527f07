"""POST /api/auth/register: normalised unique emails, a password policy, an event."""

import json
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import create_engine, text

from tests.integration.accounts.conftest import PASSWORD, assert_problem, random_email

EVENTS = Path(__file__).resolve().parents[3] / "events"


def register(client_for, **body):
    full = {"email": random_email(), "password": PASSWORD, "name": "Ada"} | body
    return client_for("register").post("/api/auth/register", json=full)


class TestRegister:
    def test_a_new_account_is_a_customer_with_a_normalised_email(self, client_for):
        email = random_email()
        response = register(client_for, email=f"  {email.upper()} ")
        assert response.status_code == 201 and response.headers["Location"] == "/api/users/me"
        user = response.get_json()
        assert (user["email"], user["role"], user["active"]) == (email, "customer", True)
        assert "password" not in json.dumps(user)

    def test_the_same_email_in_other_letters_is_a_conflict_that_says_nothing_more(self, client_for):
        email = random_email()
        assert register(client_for, email=email).status_code == 201
        doc = assert_problem(register(client_for, email=email.upper()), 409, "conflict")
        assert email not in doc["detail"]

    @pytest.mark.parametrize("password, message", [
        ("short1!", "at least 10"),
        ("password123", "too common"),
        ("qwertyuiop", "too common"),
    ])
    def test_a_weak_password_is_refused(self, client_for, password, message):
        doc = assert_problem(register(client_for, password=password), 422, "validation-error", "password")
        assert message in doc["detail"]

    def test_the_email_itself_is_not_a_password(self, client_for):
        email = random_email()
        doc = assert_problem(register(client_for, email=email, password=email), 422,
                             "validation-error", "password")
        assert "email" in doc["detail"]

    @pytest.mark.parametrize("body, field", [
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"role": "admin"}, "role"),  # no mass assignment of the role
        ({"password": 1234567890}, "password"),
    ])
    def test_bad_fields_are_named(self, client_for, body, field):
        assert_problem(register(client_for, **body), 422, "validation-error", field)

    def test_registration_writes_a_valid_user_registered_event(self, client_for, database_url):
        user = register(client_for).get_json()
        engine = create_engine(database_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT type, source, subject, data FROM accounts.outbox "
                                     "WHERE subject = :id"), {"id": user["id"]}).mappings().all()
        engine.dispose()
        assert len(rows) == 1
        event = rows[0]
        assert event["type"] == "com.ecom.accounts.user.registered"
        assert event["source"].startswith("/ecom/accounts/")
        schema = json.loads((EVENTS / "schemas" / f"{event['type']}.json").read_text())
        jsonschema.validate(event["data"], schema, format_checker=jsonschema.FormatChecker())
        assert event["data"]["email"] == user["email"]

    def test_a_refused_registration_writes_nothing(self, client_for, database_url):
        email = random_email()
        register(client_for, email=email, password="short")
        engine = create_engine(database_url)
        with engine.connect() as conn:
            found = conn.execute(text("SELECT count(*) FROM accounts.users WHERE email = :e"),
                                 {"e": email}).scalar()
        engine.dispose()
        assert found == 0
