"""Password hashing: argon2id, one hash at a time per process."""

from __future__ import annotations

import threading

from functions.accounts.adapters import passwords


def test_a_password_matches_its_hash_and_nothing_else():
    hashed = passwords.hash_password("correct horse battery staple")
    assert passwords.verify(hashed, "correct horse battery staple")
    assert not passwords.verify(hashed, "correct horse battery stapler")
    assert not passwords.verify(None, "correct horse battery staple")  # no account: the decoy, then no
    assert not passwords.verify("not a hash", "x")
    assert not passwords.needs_rehash(hashed)


def test_a_check_waits_while_another_hash_runs_and_goes_on_after():
    hashed = passwords.hash_password("pw one two three")
    passwords.verify(None, "warm the decoy")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (passwords.verify(hashed, "pw one two three"), done.set()))
    with passwords._one_hash_at_a_time:  # as if another request were hashing now
        worker.start()
        assert not done.wait(0.3), "a second hash ran beside the first"
    assert done.wait(10), "the waiting check never ran"
    worker.join()
