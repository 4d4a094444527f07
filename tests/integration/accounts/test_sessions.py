"""Login, refresh-token rotation with theft detection, logout."""

import statistics
import time

import jwt
from sqlalchemy import create_engine, text

from tests.conftest import JWT_AUDIENCE, JWT_ISSUER
from tests.integration.accounts.conftest import PASSWORD, assert_problem, random_email


def login(client_for, email, password=PASSWORD):
    return client_for("login").post("/api/auth/login", json={"email": email, "password": password})


def refresh(client_for, token):
    return client_for("refresh").post("/api/auth/refresh", json={"refresh_token": token})


class TestLogin:
    def test_login_answers_an_oauth2_token_pair_that_is_not_cached(self, client_for, new_user, signing_key):
        user = new_user()
        response = login(client_for, user["email"])
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        body = response.get_json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 900
        claims = jwt.decode(body["access_token"], signing_key[1], algorithms=["RS256"],
                            audience=JWT_AUDIENCE, issuer=JWT_ISSUER)
        assert claims["sub"] == user["id"] and claims["role"] == "customer"
        assert claims["exp"] - claims["iat"] == 900 and claims["jti"] and claims["sid"]
        assert len(body["refresh_token"]) >= 40

    def test_the_email_is_matched_whatever_its_case(self, client_for, new_user):
        user = new_user()
        assert login(client_for, user["email"].upper()).status_code == 200

    def test_wrong_email_and_wrong_password_look_the_same_and_take_as_long(self, client_for, new_user):
        user = new_user()
        timings = {"password": [], "email": []}
        answers = {}
        for _ in range(5):
            for kind, email, password in (("password", user["email"], "wrong password here"),
                                          ("email", random_email(), PASSWORD)):
                started = time.perf_counter()
                response = login(client_for, email, password)
                timings[kind].append(time.perf_counter() - started)
                answers[kind] = (response.status_code, response.get_json()["detail"])
        assert answers["password"] == answers["email"] and answers["email"][0] == 401
        wrong_password, wrong_email = (statistics.median(t) for t in timings.values())
        assert 0.5 < wrong_email / wrong_password < 2  # both pay for one argon2 check

    def test_a_deactivated_user_cannot_log_in(self, client_for, new_user, database_url):
        user = new_user()
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE accounts.users SET active = false WHERE id = :id"), {"id": user["id"]})
        engine.dispose()
        assert_problem(login(client_for, user["email"]), 401, "invalid-credentials")


class TestRefresh:
    def test_a_refresh_token_is_rotated_once(self, client_for, new_user):
        tokens = new_user()["tokens"]
        rotated = refresh(client_for, tokens["refresh_token"])
        assert rotated.status_code == 200
        assert rotated.get_json()["refresh_token"] != tokens["refresh_token"]
        assert rotated.get_json()["token_type"] == "Bearer"

    def test_reusing_a_rotated_token_revokes_the_whole_session(self, client_for, new_user):
        tokens = new_user()["tokens"]
        newer = refresh(client_for, tokens["refresh_token"]).get_json()["refresh_token"]
        assert_problem(refresh(client_for, tokens["refresh_token"]), 401, "invalid-refresh-token")
        assert_problem(refresh(client_for, newer), 401, "invalid-refresh-token")

    def test_other_sessions_survive_a_theft_in_one(self, client_for, new_user):
        user = new_user()
        other = login(client_for, user["email"]).get_json()["refresh_token"]
        first = user["tokens"]["refresh_token"]
        refresh(client_for, first)
        refresh(client_for, first)  # theft detected in the first session only
        assert refresh(client_for, other).status_code == 200

    def test_an_expired_refresh_token_is_refused(self, client_for, new_user, database_url):
        tokens = new_user()["tokens"]
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE accounts.refresh_tokens SET expires_at = now() - interval '1 second' "
                              "WHERE token_hash = sha256(convert_to(:t, 'UTF8'))"),
                         {"t": tokens["refresh_token"]})
        engine.dispose()
        assert_problem(refresh(client_for, tokens["refresh_token"]), 401, "invalid-refresh-token")

    def test_an_unknown_token_is_refused(self, client_for):
        assert_problem(refresh(client_for, "x" * 43), 401, "invalid-refresh-token")

    def test_refresh_tokens_are_stored_only_as_hashes(self, client_for, new_user, database_url):
        tokens = new_user()["tokens"]
        engine = create_engine(database_url)
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM accounts.refresh_tokens "
                                       "WHERE position(convert_to(:t, 'UTF8') in token_hash) > 0"),
                                  {"t": tokens["refresh_token"]}).scalar()
        engine.dispose()
        assert stored == 0


class TestLogout:
    def test_a_logged_out_session_cannot_be_refreshed(self, client_for, new_user):
        tokens = new_user()["tokens"]
        response = client_for("logout").post("/api/auth/logout",
                                              json={"refresh_token": tokens["refresh_token"]})
        assert response.status_code == 204
        assert_problem(refresh(client_for, tokens["refresh_token"]), 401, "invalid-refresh-token")

    def test_logging_out_an_unknown_token_is_quietly_fine(self, client_for):
        response = client_for("logout").post("/api/auth/logout", json={"refresh_token": "y" * 43})
        assert response.status_code == 204


class TestHashUpgrade:
    def test_a_hash_with_old_parameters_is_upgraded_at_login(self, client_for, new_user, database_url):
        from argon2 import PasswordHasher

        from functions.accounts.adapters import passwords

        user = new_user()
        old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE accounts.users SET password_hash = :h WHERE id = :id"),
                         {"h": old, "id": user["id"]})
        assert login(client_for, user["email"]).status_code == 200
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT password_hash FROM accounts.users WHERE id = :id"),
                                  {"id": user["id"]}).scalar()
        engine.dispose()
        assert stored != old and not passwords.needs_rehash(stored)
        assert login(client_for, user["email"]).status_code == 200
