"""GET/PATCH /api/users/me and POST /api/users/me/password."""

from tests.integration.accounts.conftest import PASSWORD, assert_problem, bearer

NEW_PASSWORD = "a brand new passphrase"


class TestProfile:
    def test_the_caller_sees_their_own_profile(self, client_for, new_user):
        user = new_user(name="Grace Hopper")
        me = client_for("me").get("/api/users/me", headers=user["headers"]).get_json()
        assert (me["id"], me["email"], me["name"], me["role"]) == (
            user["id"], user["email"], "Grace Hopper", "customer")

    def test_the_name_can_be_changed(self, client_for, new_user):
        user = new_user()
        response = client_for("me").patch("/api/users/me", json={"name": "  New Name "},
                                          headers=user["headers"])
        assert response.status_code == 200 and response.get_json()["name"] == "New Name"

    def test_the_role_cannot_be_assigned_through_the_profile(self, client_for, new_user):
        user = new_user()
        response = client_for("me").patch("/api/users/me", json={"role": "admin"}, headers=user["headers"])
        assert_problem(response, 422, "validation-error", "role")
        me = client_for("me").get("/api/users/me", headers=user["headers"]).get_json()
        assert me["role"] == "customer"

    def test_without_a_token_it_is_401(self, client_for):
        assert_problem(client_for("me").get("/api/users/me"), 401, "unauthorized")

    def test_a_token_of_a_deleted_or_unknown_user_is_401(self, client_for, mint):
        response = client_for("me").get("/api/users/me", headers=bearer(mint("customer")))
        assert_problem(response, 401, "unauthorized")


class TestChangePassword:
    def change(self, client_for, user, current, new):
        return client_for("me_password").post(
            "/api/users/me/password", json={"current_password": current, "new_password": new},
            headers=user["headers"])

    def test_the_current_password_is_required(self, client_for, new_user):
        user = new_user()
        response = self.change(client_for, user, "not my password", NEW_PASSWORD)
        assert_problem(response, 422, "validation-error", "current_password")

    def test_the_new_password_follows_the_policy(self, client_for, new_user):
        user = new_user()
        assert_problem(self.change(client_for, user, PASSWORD, "password1"), 422, "validation-error",
                       "new_password")

    def test_a_changed_password_ends_other_sessions_but_not_this_one(self, client_for, new_user):
        user = new_user()
        other = client_for("login").post("/api/auth/login", json={
            "email": user["email"], "password": PASSWORD}).get_json()
        assert self.change(client_for, user, PASSWORD, NEW_PASSWORD).status_code == 204

        def refresh(token):
            return client_for("refresh").post("/api/auth/refresh", json={"refresh_token": token})

        assert refresh(other["refresh_token"]).status_code == 401
        assert refresh(user["tokens"]["refresh_token"]).status_code == 200
        login = client_for("login").post
        assert login("/api/auth/login", json={"email": user["email"], "password": PASSWORD}).status_code == 401
        assert login("/api/auth/login", json={"email": user["email"], "password": NEW_PASSWORD}).status_code == 200
