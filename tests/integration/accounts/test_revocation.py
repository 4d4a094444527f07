"""An ended session's access token is refused at once, and the change goes out to every domain."""

from sqlalchemy import create_engine, text

from tests.integration.accounts.conftest import PASSWORD, assert_problem, bearer


def me(client_for, headers):
    return client_for("me").get("/api/users/me", headers=headers)


def outbox_types(database_url, user_id) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT type FROM accounts.outbox WHERE subject = :s ORDER BY seq"),
                            {"s": user_id}).scalars().all()
    engine.dispose()
    return rows


class TestAccessTokensEndWithTheirSession:
    def test_after_logout_the_access_token_is_refused(self, client_for, new_user, database_url):
        user = new_user()
        assert me(client_for, user["headers"]).status_code == 200
        client_for("logout").post("/api/auth/logout", json={"refresh_token": user["tokens"]["refresh_token"]})
        assert_problem(me(client_for, user["headers"]), 401, "unauthorized")
        assert "com.ecom.accounts.session.revoked" in outbox_types(database_url, user["id"])

    def test_after_refresh_token_reuse_the_sessions_access_tokens_are_refused(self, client_for, new_user):
        user = new_user()
        rotated = client_for("refresh").post("/api/auth/refresh",
                                             json={"refresh_token": user["tokens"]["refresh_token"]}).get_json()
        client_for("refresh").post("/api/auth/refresh", json={"refresh_token": user["tokens"]["refresh_token"]})
        assert_problem(me(client_for, user["headers"]), 401, "unauthorized")
        assert_problem(me(client_for, bearer(rotated["access_token"])), 401, "unauthorized")

    def test_a_password_change_ends_the_other_sessions_access_tokens(self, client_for, new_user):
        user = new_user()
        other = client_for("login").post("/api/auth/login",
                                         json={"email": user["email"], "password": PASSWORD}).get_json()
        changed = client_for("me_password").post("/api/users/me/password", headers=user["headers"], json={
            "current_password": PASSWORD, "new_password": "another long passphrase"})
        assert changed.status_code == 204
        assert me(client_for, user["headers"]).status_code == 200
        assert_problem(me(client_for, bearer(other["access_token"])), 401, "unauthorized")

    def test_a_demotion_is_told_to_every_domain(self, client_for, new_user, new_admin, database_url):
        admin, user = new_admin(), new_user()
        client_for("admin_user").patch(f"/api/admin/users/{user['id']}", json={"role": "admin"},
                                       headers=admin["headers"])
        client_for("admin_user").patch(f"/api/admin/users/{user['id']}", json={"active": False},
                                       headers=admin["headers"])
        client_for("admin_user").patch(f"/api/admin/users/{user['id']}", json={"active": True},
                                       headers=admin["headers"])
        types = outbox_types(database_url, user["id"])
        assert [t for t in types if ".user." in t] == [
            "com.ecom.accounts.user.registered", "com.ecom.accounts.user.role_changed",
            "com.ecom.accounts.user.deactivated", "com.ecom.accounts.user.reactivated"]
        assert_problem(me(client_for, user["headers"]), 401, "unauthorized")
