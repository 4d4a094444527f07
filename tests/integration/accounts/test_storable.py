"""What validates is storable: an address or profile that passes its model never fails in the database."""

from hypothesis import given

from functions.accounts.addresses import create_address
from functions.accounts.commands import CreateAddress
from functions.runtime.auth import verify_token
from tests.integration.storable import ANY_TEXT, ANY_VALUE, FEW, near_valid, stored_or_refused

VALID = {"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345",
         "country": "US"}


@FEW
@given(body=near_valid(VALID, {"name": ANY_TEXT, "line1": ANY_TEXT, "line2": ANY_TEXT, "city": ANY_TEXT,
                               "region": ANY_TEXT, "postal_code": ANY_TEXT, "country": ANY_TEXT,
                               "phone": ANY_TEXT, "is_default": ANY_VALUE}))
def test_a_valid_address_is_stored(client_for, new_user, body):
    claims = verify_token(_user(new_user)["tokens"]["access_token"])
    stored_or_refused(CreateAddress, body, lambda uow, command: create_address(uow, claims, command), "accounts")


_USERS: list[dict] = []


def _user(new_user) -> dict:
    if not _USERS:  # one user for every example: registering hashes a password (75 ms)
        _USERS.append(new_user())
    return _USERS[0]
