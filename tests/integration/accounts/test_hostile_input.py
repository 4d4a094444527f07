"""Hostile input is a 4xx problem naming the field, never a 500 (found by trying the live system)."""

import pytest

from tests.integration.accounts.conftest import PASSWORD, assert_problem, random_email

NUL = "\x00"


class TestHostileAccounts:
    def test_a_nul_in_the_login_email_is_a_422(self, client_for):
        response = client_for("login").post("/api/auth/login",
                                            json={"email": f"a{NUL}@example.com", "password": PASSWORD})
        assert_problem(response, 422, "validation-error", field="email")

    @pytest.mark.parametrize("fields, field", [
        ({"name": f"Ada{NUL}"}, "name"),
        ({"password": f"{PASSWORD}{NUL}"}, "password"),
    ])
    def test_a_nul_in_registration_is_a_422(self, client_for, fields, field):
        body = {"email": random_email(), "password": PASSWORD, "name": "Ada"} | fields
        response = client_for("register").post("/api/auth/register", json=body)
        assert_problem(response, 422, "validation-error", field=field)

    def test_a_nul_in_an_address_line_is_a_422(self, client_for, new_user):
        user = new_user()
        body = {"line1": f"1 Main St{NUL}", "city": "Springfield", "postal_code": "12345",
                "country": "US", "name": "Ada"}
        response = client_for("addresses").post("/api/users/me/addresses", json=body,
                                                headers=user["headers"])
        assert_problem(response, 422, "validation-error", field="line1")

    def test_a_nul_in_a_profile_name_is_a_422(self, client_for, new_user):
        user = new_user()
        response = client_for("me").patch("/api/users/me", json={"name": f"x{NUL}"}, headers=user["headers"])
        assert_problem(response, 422, "validation-error", field="name")

    def test_a_nul_in_an_address_id_is_a_422(self, client_for, new_user):
        user = new_user()
        response = client_for("address").get("/api/users/me/addresses/%00", headers=user["headers"])
        assert_problem(response, 422, "validation-error", field="id")
