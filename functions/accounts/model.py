"""Account rules: email normalisation, the password policy, countries, token fingerprints."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from functions.runtime.exceptions import Conflict, NotAuthenticated

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # hashing cost is bounded; longer inputs are refused, not truncated
MAX_ADDRESSES = 20
FREE_PASSWORD_FAILURES = 5  # per account and purpose, before each further try must wait
FAILURE_WINDOW_SECONDS = 15 * 60  # failures older than this are forgotten
MAX_BLOCK_SECONDS = 15 * 60
ROLES = ("customer", "admin")
_COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"

# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())


def normalise_email(email: str) -> str:
    """Return the address as stored and compared: trimmed and lowercased."""
    return email.strip().lower()


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problems(password: str, email: str) -> list[str]:
    """Return why `password` may not be used by the owner of `email` (empty when it may)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"must be at most {MAX_PASSWORD_LENGTH} characters")
    lowered, address = password.strip().lower(), normalise_email(email)
    if lowered in (address, address.split("@")[0]):
        problems.append("must not be the email address")
    if lowered in common_passwords():
        problems.append("is too common")
    return problems


def new_refresh_token() -> str:
    """Return a fresh opaque refresh token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def fingerprint(token: str) -> bytes:
    """Return what is stored for a refresh token: its SHA-256 (the token itself never is)."""
    return hashlib.sha256(token.encode()).digest()


def account_key(email: str) -> bytes:
    """Return what password failures are counted under: the SHA-256 of the normalised email.

    Unknown emails are counted alike (the answer tells nothing), and no address is stored.
    """
    return hashlib.sha256(normalise_email(email).encode()).digest()


def block_seconds(failures: int) -> int:
    """Return how long an account waits after `failures` wrong passwords in a row (0: not at all).

    Five tries are free; then the wait doubles from 30 s up to 15 minutes, whatever address
    the tries come from, so spreading a guessing attack over many IPs gains nothing.
    """
    if failures < FREE_PASSWORD_FAILURES:
        return 0
    return min(30 * 2 ** (failures - FREE_PASSWORD_FAILURES), MAX_BLOCK_SECONDS)


def invalid_credentials() -> NotAuthenticated:
    """One answer for every failed login, so it tells an attacker nothing about which part was wrong."""
    return NotAuthenticated("The email or password is not correct.", kind="invalid-credentials",
                            title="Invalid credentials")


def invalid_refresh_token() -> NotAuthenticated:
    return NotAuthenticated("The refresh token is unknown, expired, revoked or already used; log in again.",
                            kind="invalid-refresh-token", title="Invalid refresh token")


def check_user_change(acting_admin: str, user_id: str, changes: dict[str, Any]) -> None:
    """Raise Conflict when an admin would change their own role or flag (and so lock themselves out)."""
    if changes and acting_admin == user_id:
        raise Conflict("Admins cannot change their own role or deactivate themselves.")


def new_address_is_default(requested: bool, addresses_held: int) -> bool:
    """Return whether a new address becomes the default; Conflict when the book is full.

    The first address is the default whatever was asked: a book always has one.
    """
    if addresses_held >= MAX_ADDRESSES:
        raise Conflict(f"An address book holds at most {MAX_ADDRESSES} addresses.")
    return requested or addresses_held == 0


class RefreshOutcome(Enum):
    ROTATE = "rotate"  # a live, unused token: issue the next pair
    END_SESSION = "end-session"  # a rotated token used again: theft, whoever holds it
    REFUSE = "refuse"  # unknown, revoked or expired: nothing to do but refuse


def refresh_outcome(token: dict[str, Any] | None, user_active: bool, now: datetime) -> RefreshOutcome:
    """Decide what presenting a refresh token does, from its stored row and its user."""
    if token is None or token["revoked_at"] is not None:
        return RefreshOutcome.REFUSE
    if token["used_at"] is not None or not user_active:
        # Reuse of a rotated token: whoever holds the family (thief or owner) is logged out.
        return RefreshOutcome.END_SESSION
    if token["expires_at"] <= now:
        return RefreshOutcome.REFUSE
    return RefreshOutcome.ROTATE
