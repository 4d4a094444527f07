"""Password hashing with argon2id.

Parameters: argon2id with 19 MiB of memory, time cost 2 and parallelism 1, OWASP's recommended
minimum (Password Storage Cheat Sheet): 15-20 ms of one core per hash or check on this
project's 2-core machines (`bench/auth.py` prints the figure). The hash was 64 MiB with four
lanes before (RFC 9106's low-memory profile at time cost 2): 90 ms and 113 ms of CPU per check,
so under the load test's 200 shoppers logins alone took half the machine and waited 16 s at
p50 (bench/load.py). Hashes made with other parameters are upgraded at the next login.
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TIME_COST, MEMORY_KIB, PARALLELISM = 2, 19 * 1024, 1


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
