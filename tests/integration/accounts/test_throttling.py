"""Wrong passwords are throttled per account, whatever address they come from."""

from sqlalchemy import create_engine, text

from tests.integration.accounts.conftest import PASSWORD, assert_problem, random_email


def login(client_for, email, password, address="203.0.113.1"):
    return client_for("login").post("/api/auth/login", json={"email": email, "password": password},
                                    environ_base={"REMOTE_ADDR": address})


class TestLoginThrottling:
    def test_after_five_wrong_passwords_even_the_right_one_must_wait(self, client_for, new_user):
        user = new_user()
        for n in range(5):  # from five different addresses: the count is the account's
            assert_problem(login(client_for, user["email"], "wrong password!", f"198.51.100.{n}"),
                           401, "invalid-credentials")
        answer = login(client_for, user["email"], "still the wrong one")
        doc = assert_problem(answer, 429, "too-many-attempts")
        assert 25 <= int(answer.headers["Retry-After"]) <= 30, doc
        assert_problem(login(client_for, user["email"], PASSWORD), 429, "too-many-attempts")

    def test_an_unknown_email_is_throttled_alike(self, client_for):
        email = random_email()
        for _ in range(5):
            assert_problem(login(client_for, email, "guess guess guess"), 401, "invalid-credentials")
        assert_problem(login(client_for, email, "guess guess guess"), 429, "too-many-attempts")

    def test_a_right_password_forgets_the_failures(self, client_for, new_user):
        user = new_user()
        for _ in range(4):
            login(client_for, user["email"], "wrong password!")
        assert login(client_for, user["email"], PASSWORD).status_code == 200
        for _ in range(4):
            assert_problem(login(client_for, user["email"], "wrong password!"), 401, "invalid-credentials")

    def test_the_wait_ends(self, client_for, new_user, database_url):
        user = new_user()
        for _ in range(6):
            login(client_for, user["email"], "wrong password!")
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE accounts.password_failures SET blocked_until = now() - interval '1 s'"
                              " WHERE account_key = sha256(convert_to(:e, 'UTF8'))"), {"e": user["email"]})
        engine.dispose()
        assert login(client_for, user["email"], PASSWORD).status_code == 200


class TestCurrentPasswordThrottling:
    def test_wrong_current_passwords_are_throttled(self, client_for, new_user):
        user = new_user()

        def change(current):
            return client_for("me_password").post("/api/users/me/password", headers=user["headers"], json={
                "current_password": current, "new_password": "another long passphrase"})

        for _ in range(5):
            assert_problem(change("not my password"), 422, "validation-error", field="current_password")
        assert_problem(change("not my password"), 429, "too-many-attempts")
        assert_problem(change(PASSWORD), 429, "too-many-attempts")
