"""What validates is storable: an address or profile that passes its model never fails in the database."""

from hypothesis import HealthCheck, given, settings

from functions.accounts.addresses import create_address
from functions.accounts.commands import CreateAddress
from functions.runtime.auth import verify_token
from functions.runtime.db import unit_of_work
from functions.runtime.errors import Problem
from functions.runtime.exceptions import Conflict
from functions.runtime.validation import validate
from tests.integration.storable import ANY_TEXT, ANY_VALUE, near_valid

VALID = {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
         "country": "US"}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=near_valid(VALID, {"name": ANY_TEXT, "line1": ANY_TEXT, "line2": ANY_TEXT, "city": ANY_TEXT,
                               "region": ANY_TEXT, "postal_code": ANY_TEXT, "country": ANY_TEXT,
                               "phone": ANY_TEXT, "is_default": ANY_VALUE}))
def test_a_valid_address_is_stored(client_for, new_user, body):
    claims = verify_token(_user(new_user)["tokens"]["access_token"])
    try:
        command = validate(CreateAddress, body)
    except Problem as problem:
        assert problem.status == 422 and problem.errors
        return
    try:
        with unit_of_work("accounts") as uow:
            create_address(uow, claims, command)
    except Conflict:  # the address book is full: a rule, answered 409
        pass


_USERS: list[dict] = []


def _user(new_user) -> dict:
    if not _USERS:  # one user for every example: registering hashes a password (75 ms)
        _USERS.append(new_user())
    return _USERS[0]
