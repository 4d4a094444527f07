"""What orders asks of accounts: the shipping address an order is sent to, as the shopper has it now.

The shopper's own token is passed on: accounts checks it and answers only with the caller's own
addresses, so orders never sees, or needs rights on, anyone else's.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from functions.runtime.calls import Service, path_of
from functions.runtime.exceptions import InvalidInput, Unavailable

_ADDRESS = Service("accounts-address")  # GET /api/users/me/addresses/{id}
_ADDRESSES = Service("accounts-addresses")  # GET /api/users/me/addresses
_SNAPSHOT = ("name", "line1", "line2", "city", "region", "postal_code", "country", "phone")


def shipping_address(authorization: str, address_id: UUID | None) -> dict[str, Any]:
    """Return a snapshot of the caller's address `address_id`, or of their default one when None."""
    auth = {"Authorization": authorization}
    if address_id is not None:
        reply = _ADDRESS.get(path_of("/api/users/me/addresses/{}", str(address_id)), auth)
        if reply.status == 404:
            raise InvalidInput.of("shipping_address_id", "names none of your addresses")
        address = _ok(reply.status, reply.json)
    else:
        reply = _ADDRESSES.get("/api/users/me/addresses", auth)
        defaults = [a for a in _ok(reply.status, reply.json)["items"] if a["is_default"]]
        if not defaults:
            raise InvalidInput.of("shipping_address_id",
                                  "is needed: you have no default address (add one to your address book)")
        address = defaults[0]
    return {"address_id": address["id"], **{key: address[key] for key in _SNAPSHOT}}


def _ok(status: int, body: Any) -> Any:
    if status != 200:
        # The caller's token was good enough for orders: accounts refusing it now (a session
        # ended this instant) or failing is nothing the shopper can fix in the request.
        raise Unavailable(f"accounts answered {status} for the shipping address; try again shortly.")
    return body()
