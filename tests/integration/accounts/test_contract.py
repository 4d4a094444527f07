"""Real answers of the accounts functions match `functions/openapi.yaml`, status by status."""

from __future__ import annotations

import copy
import uuid

import pytest

from tests.integration.accounts.conftest import assert_problem, bearer, random_email
from tests.integration.catalog.test_contract import assert_matches, validator_at

ADDRESS = {"name": "Ada Shopper", "line1": "1 Main Street", "city": "Berlin", "postal_code": "10115",
           "country": "DE"}
FULL_ADDRESS = ADDRESS | {"line2": "Flat 2", "region": "BE", "phone": "+49 30 1234567",
                          "is_default": True}


@pytest.fixture
def admin(new_admin) -> dict[str, str]:
    return new_admin()["headers"]


@pytest.fixture
def address_of(client_for):
    """Return a function that adds an address to a user's book and returns it."""

    def _create(user: dict, **fields) -> dict:
        response = client_for("addresses").post("/api/users/me/addresses", json=ADDRESS | fields,
                                                headers=user["headers"])
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _create


class TestAuth:
    def test_a_registration_matches(self, client_for):
        response = client_for("register").post("/api/auth/register", json={
            "email": random_email(), "password": "a long and unusual passphrase", "name": "Ada"})
        assert_matches(response, "/api/auth/register", "post", 201)
        assert response.headers["Location"] == "/api/users/me"

    def test_a_login_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("login").post("/api/auth/login", json={
            "email": user["email"], "password": user["password"]})
        assert_matches(response, "/api/auth/login", "post", 200)
        assert response.headers["Cache-Control"] == "no-store"

    def test_a_refresh_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("refresh").post("/api/auth/refresh", json={
            "refresh_token": user["tokens"]["refresh_token"]})
        assert_matches(response, "/api/auth/refresh", "post", 200)
        assert response.get_json()["refresh_token"] != user["tokens"]["refresh_token"]

    def test_a_logout_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("logout").post("/api/auth/logout", json={
            "refresh_token": user["tokens"]["refresh_token"]})
        assert_matches(response, "/api/auth/logout", "post", 204)


class TestMe:
    def test_reading_the_account_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("me").get("/api/users/me", headers=user["headers"])
        assert_matches(response, "/api/users/me", "get", 200)
        assert response.get_json()["id"] == user["id"]

    def test_renaming_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("me").patch("/api/users/me", json={"name": "  Ada Lovelace "},
                                          headers=user["headers"])
        assert_matches(response, "/api/users/me", "patch", 200)
        assert response.get_json()["name"] == "Ada Lovelace"

    def test_a_password_change_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("me_password").post("/api/users/me/password", json={
            "current_password": user["password"], "new_password": "another long passphrase"},
            headers=user["headers"])
        assert_matches(response, "/api/users/me/password", "post", 204)


class TestAddresses:
    def test_creating_an_address_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("addresses").post("/api/users/me/addresses", json=FULL_ADDRESS,
                                                headers=user["headers"])
        assert_matches(response, "/api/users/me/addresses", "post", 201)
        assert response.headers["Location"] == f"/api/users/me/addresses/{response.get_json()['id']}"

    def test_the_book_matches(self, client_for, new_user, address_of):
        user = new_user()
        client = client_for("addresses")
        empty = client.get("/api/users/me/addresses", headers=user["headers"])
        assert_matches(empty, "/api/users/me/addresses", "get", 200)
        address_of(user)
        address_of(user, **FULL_ADDRESS)
        response = client.get("/api/users/me/addresses", headers=user["headers"])
        assert_matches(response, "/api/users/me/addresses", "get", 200)
        assert response.get_json()["total"] == 2

    def test_reading_patching_and_deleting_an_address_match(self, client_for, new_user, address_of):
        user = new_user()
        path = f"/api/users/me/addresses/{address_of(user)['id']}"
        client = client_for("address")
        assert_matches(client.get(path, headers=user["headers"]),
                       "/api/users/me/addresses/{id}", "get", 200)
        patched = client.patch(path, json={"phone": "", "region": "Berlin", "country": "FR"},
                               headers=user["headers"])
        assert_matches(patched, "/api/users/me/addresses/{id}", "patch", 200)
        assert patched.get_json()["country"] == "FR"
        assert_matches(client.delete(path, headers=user["headers"]),
                       "/api/users/me/addresses/{id}", "delete", 204)


class TestAdmin:
    def test_a_search_page_matches(self, client_for, new_user, admin):
        user = new_user()
        response = client_for("admin_users").get("/api/admin/users", headers=admin, query_string={
            "q": user["email"].split("@")[0].upper(), "role": "customer", "active": "true",
            "page_size": 5})
        assert_matches(response, "/api/admin/users", "get", 200)
        assert [found["id"] for found in response.get_json()["items"]] == [user["id"]]

    def test_a_role_change_matches(self, client_for, new_user, admin):
        user = new_user()
        response = client_for("admin_user").patch(f"/api/admin/users/{user['id']}",
                                                  json={"role": "admin", "active": True},
                                                  headers=admin)
        assert_matches(response, "/api/admin/users/{id}", "patch", 200)
        assert response.get_json()["role"] == "admin"


class TestProblems:
    def test_wrong_credentials_match(self, client_for, new_user):
        user = new_user()
        response = client_for("login").post("/api/auth/login", json={
            "email": user["email"], "password": "not the password at all"})
        assert_problem(response, 401, "invalid-credentials")
        assert_matches(response, "/api/auth/login", "post", 401)

    def test_a_used_refresh_token_matches(self, client_for, new_user):
        token = new_user()["tokens"]["refresh_token"]
        client = client_for("refresh")
        assert client.post("/api/auth/refresh", json={"refresh_token": token}).status_code == 200
        response = client.post("/api/auth/refresh", json={"refresh_token": token})
        assert_problem(response, 401, "invalid-refresh-token")
        assert_matches(response, "/api/auth/refresh", "post", 401)

    def test_an_unknown_refresh_token_matches(self, client_for):
        response = client_for("refresh").post("/api/auth/refresh",
                                              json={"refresh_token": "x" * 43})
        assert_problem(response, 401, "invalid-refresh-token")
        assert_matches(response, "/api/auth/refresh", "post", 401)

    @pytest.mark.parametrize("target, method, path, doc_path", [
        ("me", "get", "/api/users/me", "/api/users/me"),
        ("me_password", "post", "/api/users/me/password", "/api/users/me/password"),
        ("addresses", "get", "/api/users/me/addresses", "/api/users/me/addresses"),
        ("address", "delete", f"/api/users/me/addresses/{uuid.uuid4()}", "/api/users/me/addresses/{id}"),
        ("admin_users", "get", "/api/admin/users", "/api/admin/users"),
    ])
    def test_a_missing_token_matches(self, client_for, target, method, path, doc_path):
        response = getattr(client_for(target), method)(path, json={})
        assert_problem(response, 401, "unauthorized")
        assert_matches(response, doc_path, method, 401)
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="ecom"'

    def test_a_token_of_no_account_matches(self, client_for, mint):
        response = client_for("me").get("/api/users/me", headers=bearer(mint("customer")))
        assert_problem(response, 401, "unauthorized")
        assert_matches(response, "/api/users/me", "get", 401)

    def test_a_customer_on_admin_routes_matches(self, client_for, new_user):
        user = new_user()
        listed = client_for("admin_users").get("/api/admin/users", headers=user["headers"])
        assert_problem(listed, 403, "forbidden")
        assert_matches(listed, "/api/admin/users", "get", 403)
        patched = client_for("admin_user").patch(f"/api/admin/users/{user['id']}",
                                                 json={"role": "admin"}, headers=user["headers"])
        assert_matches(patched, "/api/admin/users/{id}", "patch", 403)

    def test_another_users_address_matches(self, client_for, new_user, address_of):
        owner, other = new_user(), new_user()
        path = f"/api/users/me/addresses/{address_of(owner)['id']}"
        client = client_for("address")
        for method, kwargs in (("get", {}), ("patch", {"json": {"city": "Paris"}}), ("delete", {})):
            response = getattr(client, method)(path, headers=other["headers"], **kwargs)
            assert_problem(response, 404, "not-found")
            assert_matches(response, "/api/users/me/addresses/{id}", method, 404)

    def test_an_unknown_user_matches(self, client_for, admin):
        response = client_for("admin_user").patch(f"/api/admin/users/{uuid.uuid4()}",
                                                  json={"active": False}, headers=admin)
        assert_problem(response, 404, "not-found")
        assert_matches(response, "/api/admin/users/{id}", "patch", 404)

    def test_a_taken_email_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("register").post("/api/auth/register", json={
            "email": user["email"].upper(), "password": "a long and unusual passphrase",
            "name": "Eve"})
        assert_problem(response, 409, "conflict")
        assert_matches(response, "/api/auth/register", "post", 409)

    def test_an_admin_demoting_themselves_matches(self, client_for, new_admin):
        user = new_admin()
        response = client_for("admin_user").patch(f"/api/admin/users/{user['id']}",
                                                  json={"role": "customer"}, headers=user["headers"])
        assert_problem(response, 409, "conflict")
        assert_matches(response, "/api/admin/users/{id}", "patch", 409)

    def test_a_full_address_book_matches(self, client_for, new_user, address_of):
        user = new_user()
        for _ in range(20):
            address_of(user)
        response = client_for("addresses").post("/api/users/me/addresses", json=ADDRESS,
                                                headers=user["headers"])
        assert_problem(response, 409, "conflict")
        assert_matches(response, "/api/users/me/addresses", "post", 409)

    @pytest.mark.parametrize("body, field", [
        ({"password": "password123"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"role": "admin"}, "role"),
    ])
    def test_a_refused_registration_matches(self, client_for, body, field):
        full = {"email": random_email(), "password": "a long and unusual passphrase",
                "name": "Ada"} | body
        response = client_for("register").post("/api/auth/register", json=full)
        assert_problem(response, 422, "validation-error", field)
        assert_matches(response, "/api/auth/register", "post", 422)

    def test_a_wrong_current_password_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("me_password").post("/api/users/me/password", json={
            "current_password": "not the password at all", "new_password": "another long passphrase"},
            headers=user["headers"])
        assert_problem(response, 422, "validation-error", "current_password")
        assert_matches(response, "/api/users/me/password", "post", 422)

    @pytest.mark.parametrize("body, field", [
        ({"country": "XX"}, "country"),
        ({"city": None}, "city"),
        ({"postal_code": "!"}, "postal_code"),
        ({"user_id": str(uuid.uuid4())}, "user_id"),
    ])
    def test_a_refused_address_change_matches(self, client_for, new_user, address_of, body, field):
        user = new_user()
        response = client_for("address").patch(f"/api/users/me/addresses/{address_of(user)['id']}",
                                               json=body, headers=user["headers"])
        assert_problem(response, 422, "validation-error", field)
        assert_matches(response, "/api/users/me/addresses/{id}", "patch", 422)

    def test_a_malformed_address_id_matches(self, client_for, new_user):
        user = new_user()
        response = client_for("address").get("/api/users/me/addresses/12", headers=user["headers"])
        assert_problem(response, 422, "validation-error", "id")
        assert_matches(response, "/api/users/me/addresses/{id}", "get", 422)

    @pytest.mark.parametrize("query, field", [
        ({"sort": "email"}, "sort"),
        ({"page_size": 101}, "page_size"),
        ({"role": "owner"}, "role"),
    ])
    def test_a_bad_user_search_matches(self, client_for, admin, query, field):
        response = client_for("admin_users").get("/api/admin/users", headers=admin,
                                                 query_string=query)
        assert_problem(response, 422, "validation-error", field)
        assert_matches(response, "/api/admin/users", "get", 422)

    @pytest.mark.parametrize("kwargs, status", [
        ({"data": "{nope", "content_type": "application/json"}, 400),
        ({"data": {"refresh_token": "x" * 43}}, 415),
    ])
    def test_bodies_that_cannot_be_read_match(self, client_for, kwargs, status):
        response = client_for("logout").post("/api/auth/logout", **kwargs)
        assert_matches(response, "/api/auth/logout", "post", status)

    def test_a_method_the_function_does_not_answer_matches(self, client_for):
        response = client_for("me").delete("/api/users/me")
        assert_matches(response, "/api/users/me", "get", 405)
        assert set(response.headers["Allow"].split(", ")) == {"GET", "PATCH"}


class TestTheContractIsStrict:
    """A wrong shape fails: the schemas are closed and their required lists complete."""

    @pytest.mark.parametrize("tamper", [
        lambda u: u.update(password_hash="$argon2id$..."),
        lambda u: u.pop("active"),
        lambda u: u.update(role="owner"),
        lambda u: u.update(updated_at="2026-11-26T10:00:00+01:00"),
    ])
    def test_a_tampered_user_fails(self, client_for, new_user, tamper):
        user = client_for("me").get("/api/users/me", headers=new_user()["headers"]).get_json()
        tampered = copy.deepcopy(user)
        tamper(tampered)
        validator = validator_at("/components/schemas/User")
        assert validator.is_valid(user) and not validator.is_valid(tampered)

    @pytest.mark.parametrize("tamper", [
        lambda t: t.update(token_type="bearer"),
        lambda t: t.update(expires_in="900"),
        lambda t: t.pop("refresh_token"),
        lambda t: t.update(scope="admin"),
    ])
    def test_a_tampered_token_pair_fails(self, new_user, tamper):
        pair = new_user()["tokens"]
        tampered = copy.deepcopy(pair)
        tamper(tampered)
        validator = validator_at("/components/schemas/TokenPair")
        assert validator.is_valid(pair) and not validator.is_valid(tampered)

    def test_the_request_schemas_refuse_what_the_commands_refuse(self):
        register = validator_at("/components/schemas/Register")
        good = {"email": "ada@example.com", "password": "a long passphrase", "name": "Ada"}
        assert register.is_valid(good)
        for bad in (good | {"role": "admin"}, good | {"password": "short"},
                    good | {"password": "x" * 257}, {"email": "ada@example.com"}):
            assert not register.is_valid(bad), bad
        update = validator_at("/components/schemas/UpdateAddress")
        assert update.is_valid({}) and update.is_valid({"phone": ""})
        for bad in ({"city": None}, {"country": "de"}, {"phone": "12"}, {"is_default": "true"}):
            assert not update.is_valid(bad), bad

    def test_a_problem_of_another_kind_fails(self, client_for):
        response = client_for("refresh").post("/api/auth/refresh", json={"refresh_token": "y" * 43})
        problem = response.get_json()
        assert validator_at("/components/schemas/InvalidRefreshTokenProblem").is_valid(problem)
        assert not validator_at("/components/schemas/InvalidCredentialsProblem").is_valid(problem)
        assert not validator_at("/components/schemas/UnauthorizedProblem").is_valid(problem)
