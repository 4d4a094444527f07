"""The events accounts emits and consumes (their contracts are in events/)."""

from __future__ import annotations

from functions.runtime.access import SESSION_REVOKED, USER_DEACTIVATED, USER_REACTIVATED, USER_ROLE_CHANGED

USER_REGISTERED = "com.ecom.accounts.user.registered"

EMITS: tuple[str, ...] = (USER_REGISTERED, SESSION_REVOKED, USER_ROLE_CHANGED, USER_DEACTIVATED,
                          USER_REACTIVATED)
CONSUMES: tuple[str, ...] = ()
