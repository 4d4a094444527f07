"""Password failures per account: after a few wrong passwords, the next try must wait.

Kong's rate limits count per address; these count per account (login) and per user (the
current password of a password change), so a guess spread over many addresses is slowed
too. A failure is committed before the refusal is answered, or the rollback would forget it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Connection, case, delete, select
from sqlalchemy.dialects.postgresql import insert

from functions.accounts import model
from functions.accounts.tables import password_failures
from functions.runtime.exceptions import TooManyAttempts


def check(conn: Connection, key: bytes, purpose: str) -> None:
    """Raise 429 while the account must wait after its failures (locks its row until commit)."""
    blocked_until = conn.scalar(select(password_failures.c.blocked_until).where(
        password_failures.c.account_key == key, password_failures.c.purpose == purpose).with_for_update())
    now = datetime.now(timezone.utc)
    if blocked_until is not None and blocked_until > now:
        wait = max(1, int((blocked_until - now).total_seconds() + 0.999))
        raise TooManyAttempts(f"Too many wrong passwords for this account; try again in {wait} s.", wait)


def failed(conn: Connection, key: bytes, purpose: str) -> None:
    """Count a wrong password; past the free tries, set how long the account must wait."""
    now = datetime.now(timezone.utc)
    window_start = now - timedelta(seconds=model.FAILURE_WINDOW_SECONDS)
    stmt = insert(password_failures).values(account_key=key, purpose=purpose, failures=1, first_failed=now)
    current = password_failures.c
    failures = conn.scalar(stmt.on_conflict_do_update(
        index_elements=[current.account_key, current.purpose],
        set_={"failures": _restart_if_old(current, window_start, 1, current.failures + 1),
              "first_failed": _restart_if_old(current, window_start, now, current.first_failed)},
    ).returning(current.failures))
    wait = model.block_seconds(failures)
    if wait:
        conn.execute(password_failures.update().where(current.account_key == key, current.purpose == purpose)
                     .values(blocked_until=now + timedelta(seconds=wait)))


def succeeded(conn: Connection, key: bytes, purpose: str) -> None:
    """Forget the account's failures: the right password was given."""
    conn.execute(delete(password_failures).where(password_failures.c.account_key == key,
                                                 password_failures.c.purpose == purpose))


def _restart_if_old(current: Any, window_start: datetime, fresh: Any, kept: Any) -> Any:
    """A failure after the window starts the count afresh."""
    return case((current.first_failed < window_start, fresh), else_=kept)
