"""Password hashing with argon2id.

Parameters: argon2id with 64 MiB of memory (RFC 9106's low-memory profile), parallelism 4 and
time cost 2, tuned to about 75 ms per hash or check on this project's 2-core machines (time
cost 3 took 80-108 ms there, at the top of the 50-100 ms we aim for; `bench/auth.py` prints the
figure). Hashes made with other parameters are upgraded at the next login.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TIME_COST, MEMORY_KIB, PARALLELISM = 2, 64 * 1024, 4


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)


@functools.cache
def _decoy_hash() -> str:
    """A hash nobody's password matches, checked when the account does not exist."""
    return _hasher().hash("no account has this password, it only costs the same time")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Return whether `password` matches; without a hash, spend the same time and say no."""
    try:
        return _hasher().verify(password_hash or _decoy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
