"""Commands: what a caller may ask of accounts, validated field by field (pydantic)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from functions.accounts.model import COUNTRIES, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, ROLES
from functions.runtime.commands import Command, Patch
from functions.runtime.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
# The rules (model.py) check a new password and name every one it breaks; the schema says the length.
NewPassword = Annotated[Password, Field(json_schema_extra={"minLength": MIN_PASSWORD_LENGTH})]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptionalLine = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
PostalCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\+?[0-9][0-9 ()-]{4,24})?$")]
Token = Annotated[str, StringConstraints(min_length=20, max_length=200)]


def _known_country(code: str) -> str:
    if code not in COUNTRIES:
        raise ValueError("must be an ISO 3166-1 alpha-2 code, such as DE or US")
    return code


Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_known_country)]


class Register(Command):
    email: EmailStr
    password: NewPassword
    name: Name


class Login(Command):
    email: Annotated[str, StringConstraints(max_length=320)]
    password: Password


class RefreshSession(Command):
    refresh_token: Token


class UpdateProfile(Patch):
    name: Name | None = None


class ChangePassword(Command):
    current_password: Password
    new_password: NewPassword


class CreateAddress(Command):
    name: Name
    line1: Line
    line2: OptionalLine = ""
    city: Name
    region: OptionalLine = ""
    postal_code: PostalCode
    country: Country
    phone: Phone = ""
    is_default: bool = False


class UpdateAddress(Patch):
    name: Name | None = None
    line1: Line | None = None
    line2: OptionalLine | None = None
    city: Name | None = None
    region: OptionalLine | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    phone: Phone | None = None
    is_default: bool | None = None


class UpdateUser(Patch):
    """What an admin may change about a user."""

    role: Literal[ROLES] | None = None  # type: ignore[valid-type]
    active: bool | None = None


class SearchUsers(Command):
    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    role: Literal[ROLES] | None = None  # type: ignore[valid-type]
    active: bool | None = None
    page: int = Field(default=1, ge=1, le=10_000)
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
