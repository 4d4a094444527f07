"""Shoppers made the quick way, for load: accounts' rows written directly, access tokens minted.

Races and benchmarks need hundreds of signed-in shoppers with an address; registering each
through the API would time argon2, not checkout. Each shopper here is a user (role customer,
a password no one can log in with), a profile and a default US address, all in accounts'
schema as accounts' own role, and an access token signed like accounts signs them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import Engine, text

Mint = Callable[..., str]  # mint(role, sub=...) -> a signed access token


def make_shoppers(accounts: Engine, mint: Mint, count: int) -> list[dict[str, str]]:
    """Return the Authorization headers of `count` new shoppers, each with a default address."""
    ids = [uuid.uuid4() for _ in range(count)]
    with accounts.begin() as conn:
        conn.execute(text(
            "INSERT INTO accounts.users (id, email, password_hash, role, active, created_at, updated_at) "
            "VALUES (:id, :email, 'no login: made by localrun.dev.shoppers', 'customer', true, now(), now())"),
            [{"id": i, "email": f"shopper-{i.hex[:16]}@example.com"} for i in ids])
        conn.execute(text("INSERT INTO accounts.profiles (user_id, name, updated_at) VALUES (:id, 'Shopper', now())"),
                     [{"id": i} for i in ids])
        conn.execute(text(
            "INSERT INTO accounts.addresses (id, user_id, name, line1, line2, city, region, postal_code, country, "
            "phone, is_default, created_at, updated_at) VALUES (:aid, :id, 'Shopper', '1 Main St', '', "
            "'Springfield', '', '12345', 'US', '', true, now(), now())"),
            [{"aid": uuid.uuid4(), "id": i} for i in ids])
    return [{"Authorization": f"Bearer {mint('customer', sub=str(i))}"} for i in ids]
