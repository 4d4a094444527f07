"""The address book: one default, and nobody sees or touches another user's addresses."""

import uuid

import pytest

from tests.integration.accounts.conftest import assert_problem

HOME = {"name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
        "postal_code": "SW1Y 4JH", "country": "GB", "phone": "+44 20 7946 0000"}


def add(client_for, user, **fields):
    return client_for("addresses").post("/api/users/me/addresses", json=HOME | fields,
                                        headers=user["headers"])


def book(client_for, user) -> list[dict]:
    return client_for("addresses").get("/api/users/me/addresses", headers=user["headers"]).get_json()["items"]


class TestAddressBook:
    def test_the_first_address_becomes_the_default(self, client_for, new_user):
        user = new_user()
        response = add(client_for, user)
        assert response.status_code == 201
        assert response.headers["Location"] == f"/api/users/me/addresses/{response.get_json()['id']}"
        assert response.get_json()["is_default"] is True

    def test_a_new_default_replaces_the_old_one(self, client_for, new_user):
        user = new_user()
        first = add(client_for, user).get_json()
        second = add(client_for, user, line1="1 Other Road", is_default=True).get_json()
        defaults = [a["id"] for a in book(client_for, user) if a["is_default"]]
        assert defaults == [second["id"]] and first["id"] != second["id"]

    def test_an_address_can_be_read_changed_and_deleted(self, client_for, new_user):
        user = new_user()
        address = add(client_for, user).get_json()
        path = f"/api/users/me/addresses/{address['id']}"
        client = client_for("address")
        assert client.get(path, headers=user["headers"]).get_json() == address
        changed = client.patch(path, json={"city": "Cambridge", "line2": "Flat 2"}, headers=user["headers"])
        assert changed.status_code == 200
        assert (changed.get_json()["city"], changed.get_json()["line2"]) == ("Cambridge", "Flat 2")
        assert client.delete(path, headers=user["headers"]).status_code == 204
        assert client.get(path, headers=user["headers"]).status_code == 404

    def test_deleting_the_default_makes_another_address_the_default(self, client_for, new_user):
        user = new_user()
        first = add(client_for, user).get_json()
        second = add(client_for, user, line1="2 Second Street").get_json()
        client_for("address").delete(f"/api/users/me/addresses/{first['id']}", headers=user["headers"])
        assert [(a["id"], a["is_default"]) for a in book(client_for, user)] == [(second["id"], True)]

    @pytest.mark.parametrize("fields, field", [
        ({"country": "XX"}, "country"),
        ({"country": "gb"}, "country"),
        ({"postal_code": "<script>"}, "postal_code"),
        ({"line1": ""}, "line1"),
        ({"phone": "call me"}, "phone"),
        ({"user_id": str(uuid.uuid4())}, "user_id"),  # no writing into someone else's book
    ])
    def test_bad_fields_are_named(self, client_for, new_user, fields, field):
        assert_problem(add(client_for, new_user(), **fields), 422, "validation-error", field)

    def test_an_address_book_has_a_limit(self, client_for, new_user):
        user = new_user()
        for n in range(20):
            assert add(client_for, user, line1=f"{n} Long Road").status_code == 201
        assert_problem(add(client_for, user), 409, "conflict")


class TestOtherUsersAddresses:
    """OWASP API1: object-level authorisation. Someone else's id looks like no id at all."""

    def test_another_users_address_is_404_for_every_method(self, client_for, new_user):
        owner, intruder = new_user(), new_user()
        address = add(client_for, owner).get_json()
        path = f"/api/users/me/addresses/{address['id']}"
        client = client_for("address")
        assert_problem(client.get(path, headers=intruder["headers"]), 404, "not-found")
        assert_problem(client.patch(path, json={"city": "Evil"}, headers=intruder["headers"]), 404, "not-found")
        assert_problem(client.delete(path, headers=intruder["headers"]), 404, "not-found")
        assert client.get(path, headers=owner["headers"]).get_json() == address
        assert book(client_for, intruder) == []

    def test_a_malformed_address_id_is_named(self, client_for, new_user):
        response = client_for("address").get("/api/users/me/addresses/1", headers=new_user()["headers"])
        assert_problem(response, 422, "validation-error", "id")
