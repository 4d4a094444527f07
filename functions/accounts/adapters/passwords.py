"""Password hashing with argon2id.

Parameters: argon2id with 19 MiB of memory, time cost 2 and parallelism 1, OWASP's recommended
minimum (Password Storage Cheat Sheet): 15-20 ms of one core per hash or check on this
project's 2-core machines (`bench/auth.py` prints the figure). The hash was 64 MiB with four
lanes before (RFC 9106's low-memory profile at time cost 2): 90 ms and 113 ms of CPU per check,
so under the load test's 200 shoppers logins alone took half the machine and waited 16 s at
p50 (bench/load.py). Hashes made with other parameters are upgraded at the next login.

One hash at a time per process, and the password functions run one worker process
(knative/services/functions.toml): a pod has one core, and argon2 releases the GIL, so several
hashes at once share that core, each slower, none sooner. On make dev's one machine, where no
pod limit holds, they took both cores: under the load test, a burst of logins stalled every
other function for hundreds of milliseconds. The other threads go on serving meanwhile.
"""

from __future__ import annotations

import functools
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TIME_COST, MEMORY_KIB, PARALLELISM = 2, 19 * 1024, 1
_one_hash_at_a_time = threading.Lock()


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)


@functools.cache
def _decoy_hash() -> str:
    """A hash nobody's password matches, checked when the account does not exist."""
    return hash_password("no account has this password, it only costs the same time")


def hash_password(password: str) -> str:
    with _one_hash_at_a_time:
        return _hasher().hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Return whether `password` matches; without a hash, spend the same time and say no."""
    checked = password_hash or _decoy_hash()  # the decoy is hashed once, under the lock: not held here
    try:
        with _one_hash_at_a_time:
            return _hasher().verify(checked, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
