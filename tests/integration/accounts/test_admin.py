"""Admin endpoints: only admins (OWASP API5), audited, and an admin cannot lock themselves out."""

from sqlalchemy import create_engine, text

from functions.accounts.users import promote_to_admin
from schemas.migrate import role_url
from tests.integration.accounts.conftest import PASSWORD, assert_problem, bearer


def make_admin(database_url, user) -> dict[str, str]:
    """Promote through the operator's path, then log in again: the new token carries the role."""
    engine = create_engine(role_url(database_url, "accounts"))
    with engine.begin() as conn:
        promote_to_admin(conn, user["email"].upper())
    engine.dispose()
    return user


class TestOnlyAdmins:
    def test_a_demoted_admins_token_no_longer_opens_admin_endpoints(self, client_for, new_admin,
                                                                     database_url):
        admin = new_admin()
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE accounts.users SET role = 'customer' WHERE id = :id"), {"id": admin["id"]})
        engine.dispose()
        response = client_for("admin_users").get("/api/admin/users", headers=admin["headers"])
        assert_problem(response, 403, "forbidden")

    def test_a_customer_is_refused_every_admin_endpoint(self, client_for, new_user):
        customer, target = new_user(), new_user()
        listing = client_for("admin_users").get("/api/admin/users", headers=customer["headers"])
        assert_problem(listing, 403, "forbidden")
        change = client_for("admin_user").patch(f"/api/admin/users/{target['id']}", json={"role": "admin"},
                                                headers=customer["headers"])
        assert_problem(change, 403, "forbidden")

    def test_an_anonymous_caller_is_401(self, client_for):
        assert_problem(client_for("admin_users").get("/api/admin/users"), 401, "unauthorized")


class TestAdminUsers:
    def test_an_admin_finds_users_by_email_or_name(self, client_for, new_user, new_admin):
        wanted = new_user(name="Zebedee Unusualname")
        page = client_for("admin_users").get("/api/admin/users", query_string={"q": "unusualNAME"},
                                             headers=new_admin()["headers"]).get_json()
        assert [u["id"] for u in page["items"]] == [wanted["id"]]
        assert page["total"] == 1 and page["page"] == 1

    def test_pages_and_filters(self, client_for, new_user, new_admin):
        for _ in range(3):
            new_user()
        page = client_for("admin_users").get("/api/admin/users", query_string={
            "role": "customer", "active": "true", "page_size": "2"}, headers=new_admin()["headers"]).get_json()
        assert len(page["items"]) == 2 and page["total"] >= 3
        assert all(u["role"] == "customer" for u in page["items"])

    def test_an_admin_promotes_a_user_and_the_change_is_audited(self, client_for, new_user, new_admin,
                                                                database_url):
        target, admin = new_user(), new_admin()
        response = client_for("admin_user").patch(f"/api/admin/users/{target['id']}", json={"role": "admin"},
                                                  headers=admin["headers"])
        assert response.status_code == 200 and response.get_json()["role"] == "admin"
        engine = create_engine(database_url)
        with engine.connect() as conn:
            entry = conn.execute(text("SELECT actor, action, changes FROM accounts.audit_log "
                                      "WHERE entity_id = :id"), {"id": target["id"]}).mappings().one()
        engine.dispose()
        assert dict(entry) == {"actor": admin["id"], "action": "user.updated",
                               "changes": {"role": {"from": "customer", "to": "admin"}}}

    def test_a_deactivated_user_loses_every_session(self, client_for, new_user, new_admin):
        target = new_user()
        response = client_for("admin_user").patch(f"/api/admin/users/{target['id']}", json={"active": False},
                                                  headers=new_admin()["headers"])
        assert response.status_code == 200 and response.get_json()["active"] is False
        refreshed = client_for("refresh").post("/api/auth/refresh",
                                               json={"refresh_token": target["tokens"]["refresh_token"]})
        assert refreshed.status_code == 401
        assert client_for("me").get("/api/users/me", headers=target["headers"]).status_code == 401
        login = client_for("login").post("/api/auth/login", json={"email": target["email"], "password": PASSWORD})
        assert login.status_code == 401

    def test_an_admin_cannot_demote_themselves(self, client_for, new_user, database_url):
        admin = make_admin(database_url, new_user())
        tokens = client_for("login").post("/api/auth/login", json={
            "email": admin["email"], "password": PASSWORD}).get_json()
        response = client_for("admin_user").patch(f"/api/admin/users/{admin['id']}", json={"role": "customer"},
                                                  headers=bearer(tokens["access_token"]))
        assert_problem(response, 409, "conflict")

    def test_only_role_and_active_can_be_changed(self, client_for, new_user, new_admin):
        target = new_user()
        response = client_for("admin_user").patch(f"/api/admin/users/{target['id']}",
                                                  json={"email": "evil@example.com"}, headers=new_admin()["headers"])
        assert_problem(response, 422, "validation-error", "email")

    def test_an_unknown_user_is_404(self, client_for, new_admin):
        response = client_for("admin_user").patch("/api/admin/users/00000000-0000-4000-8000-000000000000",
                                                  json={"active": False}, headers=new_admin()["headers"])
        assert_problem(response, 404, "not-found")
